"""The published log's witnesses: who they are, the cosignatures they send, the forks they prove.

The list of witnesses is public, so that anyone can verify a cosigned checkpoint; the
association registers a witness by the key ``mlc witness init`` printed. A witness then
sends its cosignatures with no sign-in: the note's text names the checkpoint and the
signature, checked against the key registered, is the credential (201 when kept, 200
when it was kept before: the first cosignature stays). Anyone may report a fork with two
checkpoints the service signed: 201 when they prove it (the alarm is raised), 200 when
that fork was reported before, 422 when they do not prove one (nothing is written).
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from api.deps import ClockDep, DatabaseDep, Public, acting
from api.problems import problem_responses
from api.schemas.witnesses import (
    EXAMPLE_NOTE,
    CosignaturesOut,
    ForkIn,
    ForkOut,
    WitnessIn,
    WitnessOut,
)
from monnaie_locale.acting import Context
from monnaie_locale.acts import witnesses
from monnaie_locale.acts.transparency import Publisher
from monnaie_locale.transparency.witnesses import MAX_NOTE_CHARS
from monnaie_locale.verify.note import NoteKey

__all__ = ["router"]

router = APIRouter(prefix="/v1/transparency", tags=["transparency"])


async def _note(request: Request) -> bytes:
    """The request's body, as sent: the note's bytes are what the witness signed."""
    return await request.body()


async def _service_keys(request: Request) -> list[NoteKey]:
    publisher: Publisher = request.app.state.publisher
    return publisher.note_keys()


NoteBody = Annotated[bytes, Depends(_note)]
ServiceKeys = Annotated[list[NoteKey], Depends(_service_keys)]


@router.get(
    "/witnesses",
    dependencies=[Public],
    summary="The witnesses whose cosignatures the checkpoints carry, with their keys",
)
def list_witnesses(database: DatabaseDep) -> list[WitnessOut]:
    return [WitnessOut.of(witness) for witness in witnesses.list_witnesses(database)]


@router.post(
    "/witnesses",
    status_code=201,
    summary="Register a witness by the verifier key mlc witness init printed",
    description="422 bad_witness_key for a key that is not a cosignature key (type 0x04), "
    "witness_name_mismatch when the key carries another name; 409 duplicate_witness for "
    "a name taken.",
    responses=problem_responses(400, 401, 403, 409, 413, 422),
)
def register_witness(
    body: WitnessIn, ctx: Annotated[Context, acting(witnesses.register_witness)]
) -> WitnessOut:
    return WitnessOut.of(witnesses.register_witness(ctx, body.name, body.vkey))


@router.post(
    "/cosignatures",
    status_code=201,
    dependencies=[Public],
    summary="Send a witness's cosignature of a checkpoint: the note, as text",
    description="The body is the checkpoint's text exactly as the service signed it, a "
    "blank line, and signature lines, among them the witness's (c2sp.org/tlog-cosignature); "
    "other lines are ignored, unless a registered witness's that does not verify. 201 when "
    "a cosignature was kept, 200 when every one was kept before. 404 unknown_checkpoint "
    "for a text the service never signed, unknown_witness when no line is a registered "
    "witness's; 422 bad_note, bad_cosignature.",
    responses={
        200: {"model": CosignaturesOut, "description": "Already kept: nothing changed."},
        **problem_responses(404, 413, 422),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/plain": {
                    "schema": {"type": "string", "maxLength": MAX_NOTE_CHARS},
                    "example": EXAMPLE_NOTE,
                }
            },
        }
    },
)
def send_cosignature(
    note: NoteBody, response: Response, database: DatabaseDep, clock: ClockDep
) -> CosignaturesOut:
    accepted = witnesses.accept_cosignature(database, note, clock=clock)
    response.status_code = 201 if accepted.new else 200
    return CosignaturesOut.of(accepted)


@router.post(
    "/forks",
    status_code=201,
    dependencies=[Public],
    summary="Report two checkpoints the service signed that cannot both be true",
    description="201 when they prove a fork (same size, different roots; or no consistency "
    "proof joins them): the alarm is raised. 200 when that fork was reported before. 422 "
    "checkpoints_agree when they are consistent, not_signed_by_service or bad_note when a "
    "note is not a checkpoint this service signed; nothing is written then.",
    responses={
        200: {"model": ForkOut, "description": "Reported before: its alarm stands."},
        **problem_responses(400, 413, 422),
    },
)
def report_fork(
    body: ForkIn, response: Response, database: DatabaseDep, clock: ClockDep, keys: ServiceKeys
) -> ForkOut:
    proof = None if body.proof is None else [base64.b64decode(h) for h in body.proof]
    fork = witnesses.report_fork(
        database, (body.notes[0], body.notes[1]), keys=keys, proof=proof, clock=clock
    )
    response.status_code = 201 if fork.new else 200
    return ForkOut.of(fork)
