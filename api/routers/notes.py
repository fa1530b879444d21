"""Paper notes, from printing to destruction: every movement between the vault, the
offices' stocks and circulation, each backed by its euros.

One route per movement, each calling its act (:mod:`monnaie_locale.acts.notes`), which
says who may make it; the body says where the notes go.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter

from api.deps import IdempotencyKey, acting
from api.problems import problem_responses
from api.schemas.operations import (
    NoteMovementOut,
    NotesAtLocationIn,
    NotesAtOfficeIn,
    NotesDepositIn,
    NotesIn,
)
from monnaie_locale.acting import Context
from monnaie_locale.acts import notes

router = APIRouter(prefix="/v1/notes", tags=["notes"])

Endpoint = TypeVar("Endpoint", bound=Callable[..., NoteMovementOut])


def _movement(path: str, summary: str) -> Callable[[Endpoint], Endpoint]:
    return router.post(
        path,
        status_code=201,
        summary=summary,
        responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
    )


@_movement("/print", "Record new notes put in the vault")
def print_notes(
    body: NotesIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(notes.print_notes)],
) -> NoteMovementOut:
    return NoteMovementOut.of(notes.print_notes(ctx, body.bundle(), key=idempotency_key))


@_movement("/deliver", "Move notes from the vault to an exchange office's stock")
def deliver_notes(
    body: NotesAtOfficeIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(notes.deliver_notes)],
) -> NoteMovementOut:
    moved = notes.deliver_notes(ctx, body.office, body.bundle(), key=idempotency_key)
    return NoteMovementOut.of(moved)


@_movement("/return", "Move notes from an exchange office's stock back to the vault")
def return_notes(
    body: NotesAtOfficeIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(notes.return_notes)],
) -> NoteMovementOut:
    moved = notes.return_notes(ctx, body.office, body.bundle(), key=idempotency_key)
    return NoteMovementOut.of(moved)


@_movement("/sell", "Sell notes for cash at an exchange office (they enter circulation)")
def sell_notes(
    body: NotesAtOfficeIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(notes.sell_notes)],
) -> NoteMovementOut:
    moved = notes.sell_notes(ctx, body.office, body.bundle(), key=idempotency_key)
    return NoteMovementOut.of(moved)


@_movement(
    "/deposit", "Take notes at an exchange office and credit their value to a holder's account"
)
def deposit_notes(
    body: NotesDepositIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(notes.deposit_notes)],
) -> NoteMovementOut:
    moved = notes.deposit_notes(ctx, body.office, body.account, body.bundle(), key=idempotency_key)
    return NoteMovementOut.of(moved)


@_movement("/destroy", "Destroy worn notes held in the vault or an office's stock")
def destroy_notes(
    body: NotesAtLocationIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(notes.destroy_notes)],
) -> NoteMovementOut:
    moved = notes.destroy_notes(ctx, body.location, body.bundle(), key=idempotency_key)
    return NoteMovementOut.of(moved)


@_movement("/lose", "Record notes missing from a stock (the association's euros back them)")
def lose_notes(
    body: NotesAtLocationIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(notes.lose_notes)],
) -> NoteMovementOut:
    moved = notes.lose_notes(ctx, body.location, body.bundle(), key=idempotency_key)
    return NoteMovementOut.of(moved)


@_movement("/find", "Put notes recorded lost back in a stock")
def find_notes(
    body: NotesAtLocationIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(notes.find_notes)],
) -> NoteMovementOut:
    moved = notes.find_notes(ctx, body.location, body.bundle(), key=idempotency_key)
    return NoteMovementOut.of(moved)
