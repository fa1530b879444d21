"""The witnesses' requests and answers: a witness registered, cosignatures kept, a fork proven."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field

from api.schemas.common import RequestBody, ResponseBody
from monnaie_locale.transparency.forks import Fork
from monnaie_locale.transparency.witnesses import (
    MAX_NAME,
    MAX_NOTE_CHARS,
    MAX_VKEY_CHARS,
    Accepted,
    Witness,
)

__all__ = [
    "EXAMPLE_NOTE",
    "CosignaturesOut",
    "ForkIn",
    "ForkOut",
    "WitnessIn",
    "WitnessOut",
]

EXAMPLE_VKEY = "mairie-bayonne+8012e2bd+BAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
_EXAMPLE_TEXT = (
    "eusko.example.org/eusko\n1042\nUNhY4JhezH9gQYqvDMWrWH9CwlcKiECVqejMrND2VFw=\n"
    "time 2026-12-07T09:00:00Z\nunit MLC\nissued 1250000\ncirculation digital 1100000\n"
    "circulation paper 150000\nreserve reserve:digital 1100000\nreserve reserve:notes 150000\n"
)
_SERVICE_LINE = (
    "\u2014 eusko.example.org/eusko kVASMO6ySF11IOTqcigjchvB5vfd42EtDab0lvePtvblpWJWbzzDhGXmNud7"
    "m1XjEC7XoSKh2bpZezI4QqnfbL5IIAk=\n"
)
_WITNESS_LINE = (
    "\u2014 mairie-bayonne gBLivQAAAABrFnZE9Pzraj1x1inYOoGZGAPnyjWbS/ZNhQNHLWkz2fac9nXp5mOrEzSgcb"
    "nbQRiZdVf83up9XLMMnLt8km8ZL6EICQ==\n"
)
# A checkpoint as the service signs it, cosigned by the witness mairie-bayonne.
EXAMPLE_NOTE = _EXAMPLE_TEXT + "\n" + _SERVICE_LINE + _WITNESS_LINE

# A key name: no space, no "+", no control character (c2sp.org/signed-note).
NAME_PATTERN = r"^[^\s+\x00-\x1f\x7f\x85]+$"
VKEY_PATTERN = r"^[^\s+\x00-\x1f\x7f\x85]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$"
HASH_PATTERN = r"^[A-Za-z0-9+/]{43}=$"

Name = Annotated[
    str, Field(min_length=1, max_length=MAX_NAME, pattern=NAME_PATTERN, examples=["mairie-bayonne"])
]
Note = Annotated[str, Field(min_length=1, max_length=MAX_NOTE_CHARS)]
Hash = Annotated[str, Field(pattern=HASH_PATTERN)]


class WitnessIn(RequestBody):
    """A witness to register: its name and the verifier key ``mlc witness init`` printed."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"examples": [{"name": "mairie-bayonne", "vkey": EXAMPLE_VKEY}]},
    )

    name: Name = Field(description="The witness's name: the name its key carries.")
    vkey: str = Field(
        max_length=MAX_VKEY_CHARS,
        pattern=VKEY_PATTERN,
        description="Its cosignature verifier key, name+id+base64(0x04 || Ed25519 key).",
        examples=[EXAMPLE_VKEY],
    )


class WitnessOut(ResponseBody):
    name: str = Field(examples=["mairie-bayonne"])
    vkey: str = Field(
        description="The key its cosignatures verify with (c2sp.org/tlog-cosignature).",
        examples=[EXAMPLE_VKEY],
    )
    added_at: datetime

    @classmethod
    def of(cls, witness: Witness) -> WitnessOut:
        return cls(name=witness.name, vkey=witness.vkey, added_at=witness.added_at)


class CosignaturesOut(ResponseBody):
    checkpoint_id: int = Field(description="The checkpoint the note's text is.", examples=[42])
    tree_size: int = Field(examples=[1042])
    accepted: list[str] = Field(
        description="The witnesses whose cosignature was kept now.", examples=[["mairie-bayonne"]]
    )
    already: list[str] = Field(
        description="The witnesses whose cosignature was kept before (the first one stays).",
        examples=[[]],
    )

    @classmethod
    def of(cls, accepted: Accepted) -> CosignaturesOut:
        return cls(
            checkpoint_id=accepted.checkpoint_id,
            tree_size=accepted.tree_size,
            accepted=list(accepted.accepted),
            already=list(accepted.already),
        )


class ForkIn(RequestBody):
    """Two checkpoints signed by the service that cannot both be true, and the proof given."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "notes": [EXAMPLE_NOTE, EXAMPLE_NOTE.replace("UNhY4", "VNhY4")],
                    "proof": None,
                }
            ]
        },
    )

    notes: list[Note] = Field(
        min_length=2,
        max_length=2,
        description="The two signed notes: the one a witness held, the one it was served.",
    )
    proof: list[Hash] | None = Field(
        default=None,
        max_length=64,
        description="The consistency proof the service gave between them (base64 hashes), "
        "when their sizes differ.",
    )


class ForkOut(ResponseBody):
    alarm_id: int = Field(examples=[3])
    detail: str = Field(
        examples=[
            "eusko.example.org/eusko: the checkpoints of size 1042 (root UNhY4…) and size 1042 "
            "(root VNhY4…) cannot both be true: same size, different roots"
        ]
    )

    @classmethod
    def of(cls, fork: Fork) -> ForkOut:
        return cls(alarm_id=fork.alarm_id, detail=fork.detail)
