"""The published log: signed checkpoints, the keys that verify them, proofs, the journal's
export and the alarms.

Checkpoints are C2SP signed notes served as ``text/plain``, the witnesses' cosignature
lines appended after the service's own signature, so the answer is one signed note a
client verifies with the keys of ``GET /v1/transparency/keys``. The latest is also at a
stable address, ``/.well-known/monnaie-locale/checkpoint``. Checkpoints, keys and
consistency proofs are public: anyone may watch the log. An inclusion proof shows an
entry's content, so only those who may read it get one; the export is the whole
journal, for those who read the books. Each route calls its act
(:mod:`monnaie_locale.acts.transparency`).
"""

from __future__ import annotations

from typing import Annotated, Any, TextIO

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from api.deps import DatabaseDep, Public, SettingsDep, acting
from api.problems import problem_responses
from api.schemas.common import MAX_ROW_ID, RowIdInPath
from api.schemas.transparency import (
    AlarmOut,
    AlarmsOut,
    CheckpointListOut,
    CheckpointMadeOut,
    CheckpointSummaryOut,
    ConsistencyProofOut,
    InclusionProofOut,
    KeysOut,
)
from api.streaming import stream_text
from monnaie_locale.acting import Context
from monnaie_locale.acts import transparency
from monnaie_locale.acts.transparency import Publisher

__all__ = ["router", "well_known"]

router = APIRouter(prefix="/v1/transparency", tags=["transparency"])
well_known = APIRouter(tags=["transparency"])

NOTE_MEDIA_TYPE = "text/plain; charset=utf-8"
EXPORT_MEDIA_TYPE = "application/jsonl"
_NOTE_EXAMPLE = (
    "pay.example/mlc\n1340\ncK2Ve0NSBK2XYz2FbgiHdGc3Jr1GYN3n8Pp3gMoFrPE=\n"
    "time 2026-12-07T09:00:00Z\nunit MLC\nissued 1250000\ncirculation digital 1100000\n"
    "circulation paper 150000\nreserve reserve:digital 1100000\n\n"
    "\u2014 pay.example/mlc P2qbHB1mZ...\n"
)
NOTE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {NOTE_MEDIA_TYPE: {"schema": {"type": "string"}, "example": _NOTE_EXAMPLE}},
        "description": "The signed note, its witnesses' cosignatures after the service's line.",
    }
}
Size = Annotated[int, Query(ge=0, le=MAX_ROW_ID)]


def _publisher(request: Request) -> Publisher:
    publisher: Publisher = request.app.state.publisher
    return publisher


def _note(note: str) -> Response:
    return Response(note, media_type=NOTE_MEDIA_TYPE)


LATEST_DESCRIPTION = (
    "The signed note (c2sp.org/signed-note) of the newest checkpoint: origin, tree size, "
    "root, then the time and the totals it attests; the service's signature line, then "
    "each witness's cosignature. 404 no_checkpoint before the first."
)


@router.get(
    "/checkpoint",
    dependencies=[Public],
    summary="The latest signed checkpoint, with its cosignatures",
    description=LATEST_DESCRIPTION,
    response_class=Response,
    responses={**NOTE_RESPONSE, **problem_responses(404)},
)
def latest(database: DatabaseDep) -> Response:
    return _note(transparency.latest_checkpoint(database).note)


@well_known.get(
    "/.well-known/monnaie-locale/checkpoint",
    dependencies=[Public],
    summary="The latest signed checkpoint, at its stable address",
    description=LATEST_DESCRIPTION,
    response_class=Response,
    responses={**NOTE_RESPONSE, **problem_responses(404)},
)
def latest_well_known(database: DatabaseDep) -> Response:
    return _note(transparency.latest_checkpoint(database).note)


@router.get(
    "/checkpoints/{checkpoint_id}",
    dependencies=[Public],
    summary="One signed checkpoint, with its cosignatures",
    response_class=Response,
    responses={**NOTE_RESPONSE, **problem_responses(404, 422)},
)
def one(checkpoint_id: RowIdInPath, database: DatabaseDep) -> Response:
    return _note(transparency.checkpoint(database, checkpoint_id).note)


@router.get(
    "/checkpoints",
    dependencies=[Public],
    summary="The checkpoints, newest first",
    responses=problem_responses(422),
)
def listed(
    database: DatabaseDep, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> CheckpointListOut:
    found = transparency.list_checkpoints(database, limit=limit)
    return CheckpointListOut(checkpoints=[CheckpointSummaryOut.of(c) for c in found])


@router.post(
    "/checkpoints",
    status_code=201,
    summary="Extend the tree and sign a checkpoint now, due or not",
    description="The tree takes every entry sealed since; a checkpoint is signed at its "
    "size with the books' totals. When an entry cannot join the tree, the checkpoint "
    "covers the tree as it stands and an alarm says why. 409 checkpoint_refused when the "
    "tree no longer holds the previous checkpoint (an alarm says it too). No body; no "
    "money moves.",
    responses=problem_responses(401, 403, 409),
)
def make(
    request: Request, ctx: Annotated[Context, acting(transparency.make_checkpoint)]
) -> CheckpointMadeOut:
    made = transparency.make_checkpoint(ctx, publisher=_publisher(request))
    return CheckpointMadeOut.of(made)


@router.get(
    "/keys",
    dependencies=[Public],
    summary="The keys that verify the checkpoints",
    description="Pin them: a checkpoint signed by another key is not this log's.",
)
def keys(request: Request) -> KeysOut:
    return KeysOut.of(transparency.verifier_keys(_publisher(request)))


@router.get(
    "/proof/consistency",
    dependencies=[Public],
    summary="The proof that the tree of `first` entries is a prefix of the tree of `second`",
    description="RFC 9162, section 2.1.4. Check it against the roots of two checkpoints "
    "of these sizes. 422 beyond_the_tree for a size the tree does not reach, or first "
    "after second.",
    responses=problem_responses(409, 422),
)
def consistency(database: DatabaseDep, first: Size, second: Size) -> ConsistencyProofOut:
    return ConsistencyProofOut.of(transparency.consistency_proof(database, first, second))


@router.get(
    "/proof/inclusion",
    summary="The proof that journal entry `seq` is in the tree of `size` entries",
    description="RFC 9162, section 2.1.3, with the entry as the journal export writes it: "
    "its hash is SHA-256 of prev_hash + content, its leaf that hash. A member or a "
    "business's owner gets the entries that move an account they hold; any other is "
    "404 unknown_entry. 422 beyond_the_tree for a size the tree does not reach.",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def inclusion(
    ctx: Annotated[Context, acting(transparency.inclusion_proof)],
    seq: Annotated[int, Query(ge=1, le=MAX_ROW_ID)],
    size: Annotated[int, Query(ge=1, le=MAX_ROW_ID)],
) -> InclusionProofOut:
    return InclusionProofOut.of(transparency.inclusion_proof(ctx, seq, size))


@router.get(
    "/export",
    summary="The journal export (journal.jsonl) the offline verifier replays, streamed",
    description="UTF-8, one JSON object per line: a header (format monnaie-locale-journal/1, "
    "origin, unit, exported_at, entries, accounts), then each journal entry in order (seq, "
    "transaction_id, prev_hash, hash, sealed_at, content). Read from one snapshot. `upto` "
    "stops at that entry, a checkpoint's size for one.",
    response_class=StreamingResponse,
    responses={
        200: {"content": {EXPORT_MEDIA_TYPE: {"schema": {"type": "string"}}}},
        **problem_responses(401, 403, 422),
    },
)
def export(
    ctx: Annotated[Context, acting(transparency.export_journal)],
    settings: SettingsDep,
    upto: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
) -> StreamingResponse:
    origin = transparency.origin_of(settings.public_host, settings.deployment_name)

    def write(out: TextIO) -> None:
        transparency.export_journal(ctx, out, origin=origin, upto=upto)

    return StreamingResponse(
        stream_text(write, encoding="utf-8"),
        media_type=EXPORT_MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="journal.jsonl"'},
    )


@router.get(
    "/alarms",
    summary="The transparency alarms, newest first",
    description="What proved the log was not kept append-only: an entry refused by the "
    "tree, a checkpoint the tree no longer holds, a fork a witness reported. `all=false` "
    "keeps those nobody acknowledged.",
    responses=problem_responses(401, 403, 422),
)
def alarms(
    ctx: Annotated[Context, acting(transparency.list_alarms)],
    include_acknowledged: Annotated[
        bool, Query(alias="all", description="Acknowledged ones too.")
    ] = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AlarmsOut:
    found = transparency.list_alarms(ctx, include_acknowledged=include_acknowledged, limit=limit)
    return AlarmsOut(alarms=[AlarmOut.of(alarm) for alarm in found])


@router.post(
    "/alarms/{alarm_id}/acknowledge",
    summary="Say an alarm was read: it leaves the dashboard's list, and stays in the log",
    description="409 alarm_acknowledged when someone did already.",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def acknowledge(
    alarm_id: RowIdInPath, ctx: Annotated[Context, acting(transparency.acknowledge_alarm)]
) -> AlarmOut:
    return AlarmOut.of(transparency.acknowledge_alarm(ctx, alarm_id))
