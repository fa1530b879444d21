"""Bodies of the published log: checkpoints, keys, proofs and alarms.

Hashes are standard base64, as in the checkpoints' own text (c2sp.org/tlog-checkpoint);
an entry's hashes are hex, as in the journal and its export.
"""

from __future__ import annotations

import base64
from datetime import datetime

from pydantic import Field

from api.schemas.common import ResponseBody
from monnaie_locale.acts.transparency import (
    Alarm,
    ConsistencyProof,
    InclusionProof,
    Listed,
    Published,
    VerifierKeys,
)
from monnaie_locale.transparency.checkpoints import StoredCheckpoint

__all__ = [
    "AlarmOut",
    "AlarmsOut",
    "CheckpointListOut",
    "CheckpointMadeOut",
    "CheckpointSummaryOut",
    "ConsistencyProofOut",
    "EntryOut",
    "InclusionProofOut",
    "KeysOut",
]

HASH = "cK2Ve0NSBK2XYz2FbgiHdGc3Jr1GYN3n8Pp3gMoFrPE="


def _b64(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


class CheckpointSummaryOut(ResponseBody):
    id: int = Field(examples=[12])
    tree_size: int = Field(description="Journal entries the checkpoint covers.", examples=[1340])
    made_at: datetime
    cosignatures: int = Field(description="Witnesses' cosignatures received.", examples=[2])

    @classmethod
    def of(cls, found: Listed) -> CheckpointSummaryOut:
        return cls(
            id=found.id,
            tree_size=found.tree_size,
            made_at=found.made_at,
            cosignatures=found.cosignatures,
        )


class CheckpointListOut(ResponseBody):
    checkpoints: list[CheckpointSummaryOut] = Field(description="Newest first.")


class CheckpointMadeOut(ResponseBody):
    id: int = Field(examples=[12])
    tree_size: int = Field(examples=[1340])
    root: str = Field(description="The tree's root, base64.", examples=[HASH])
    made_at: datetime
    note: str = Field(
        description="The signed note, as GET /v1/transparency/checkpoints/{id} serves it "
        "before any cosignature.",
        examples=["pay.example/mlc\n1340\n" + HASH + "\ntime 2026-12-07T09:00:00Z\n..."],
    )

    @classmethod
    def of(cls, made: StoredCheckpoint) -> CheckpointMadeOut:
        return cls(
            id=made.id,
            tree_size=made.checkpoint.size,
            root=base64.b64encode(made.checkpoint.root).decode(),
            made_at=made.made_at,
            note=made.note,
        )

    @classmethod
    def published(cls, found: Published) -> CheckpointMadeOut:
        return cls.of(found.stored).model_copy(update={"note": found.note})


class KeysOut(ResponseBody):
    origin: str = Field(
        description="The log's name: the first line of every checkpoint.",
        examples=["pay.example/mlc"],
    )
    vkeys: list[str] = Field(
        description="The verifier keys (name+id+base64 key) of the checkpoints: the active "
        "key first, then the keys a rotation retired.",
        examples=[["pay.example/mlc+3f2a9b1c+AeXbBK1u8Ho2X4hTQf0D3pVbLbdlEOKCgLZGU6jJHhAq"]],
    )

    @classmethod
    def of(cls, keys: VerifierKeys) -> KeysOut:
        return cls(origin=keys.origin, vkeys=keys.vkeys)


class ConsistencyProofOut(ResponseBody):
    first: int = Field(examples=[1200])
    second: int = Field(examples=[1340])
    proof: list[str] = Field(description="RFC 9162 consistency proof, base64 hashes.")

    @classmethod
    def of(cls, found: ConsistencyProof) -> ConsistencyProofOut:
        return cls(first=found.first, second=found.second, proof=_b64(found.proof))


class EntryOut(ResponseBody):
    seq: int = Field(examples=[41])
    transaction_id: int = Field(examples=[57])
    prev_hash: str = Field(description="Hex.", examples=["0" * 64])
    hash: str = Field(description="SHA-256 of prev_hash + content, hex.", examples=["0" * 64])
    sealed_at: str = Field(examples=["2026-12-07T08:59:58.123456Z"])
    content: str | None = Field(
        description="The canonical JSON text the journal hashes; null when the transaction "
        "is missing from the books.",
        examples=['[57,"transfer","bread",null,"2026-12-07T08:59:58+00:00",null,null,null,[]]'],
    )


class InclusionProofOut(ResponseBody):
    seq: int = Field(examples=[41])
    size: int = Field(examples=[1340])
    entry: EntryOut = Field(description="The entry, as a line of the journal export.")
    proof: list[str] = Field(description="RFC 9162 audit path from the leaf up, base64 hashes.")

    @classmethod
    def of(cls, found: InclusionProof) -> InclusionProofOut:
        return cls(
            seq=found.seq,
            size=found.size,
            entry=EntryOut(**found.entry),
            proof=_b64(found.proof),
        )


class AlarmOut(ResponseBody):
    id: int = Field(examples=[3])
    raised_at: datetime
    kind: str = Field(description="tree_refused, inconsistent or fork.", examples=["tree_refused"])
    detail: str = Field(
        examples=["journal entry 41 stays out of the tree: the entry lacks the service's mark"]
    )
    evidence: str | None = Field(description="What proves it, when kept (signed notes).")
    acknowledged_at: datetime | None
    acknowledged_by: str | None = Field(examples=["assoc"])

    @classmethod
    def of(cls, alarm: Alarm) -> AlarmOut:
        return cls(
            id=alarm.id,
            raised_at=alarm.raised_at,
            kind=alarm.kind,
            detail=alarm.detail,
            evidence=alarm.evidence,
            acknowledged_at=alarm.acknowledged_at,
            acknowledged_by=alarm.acknowledged_by,
        )


class AlarmsOut(ResponseBody):
    alarms: list[AlarmOut] = Field(description="Newest first.")
