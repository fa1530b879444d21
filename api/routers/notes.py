"""Paper notes, from printing to destruction: every movement between the vault, the
offices' stocks and circulation, each backed by its euros.

One operation per movement, each with its own body and the roles that may make it. What
they share (the office check, the caller's idempotency key, the write) is :class:`Mover`;
the body says where its notes go (:meth:`~api.schemas.operations.NotesIn.place`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends

from api.deps import ClockDep, DatabaseDep, IdempotencyKey, require
from api.problems import problem_responses
from api.routers.checks import scoped_key
from api.routers.operations_common import OFFICE_STAFF, OPERATORS, DeploymentDep, check_office
from api.schemas.operations import (
    NoteMovementOut,
    NotesAtLocationIn,
    NotesAtOfficeIn,
    NotesDepositIn,
    NotesIn,
)
from monnaie_locale.auth import Principal
from monnaie_locale.operations import notes
from monnaie_locale.operations.notes import NoteMovement

router = APIRouter(prefix="/v1/notes", tags=["notes"])

Operators = Annotated[Principal, require(*OPERATORS)]
OfficeStaff = Annotated[Principal, require(*OFFICE_STAFF)]
# One of the core's movements (monnaie_locale.operations.notes), called with the body's place.
Movement = Callable[..., NoteMovement]
Endpoint = TypeVar("Endpoint", bound=Callable[..., NoteMovementOut])


class Mover:
    """Makes one of the core's movements with a request's notes, for its caller."""

    def __init__(
        self,
        idempotency_key: IdempotencyKey,
        database: DatabaseDep,
        deployment: DeploymentDep,
        clock: ClockDep,
    ) -> None:
        self.idempotency_key = idempotency_key
        self.database = database
        self.deployment = deployment
        self.clock = clock

    def __call__(self, principal: Principal, body: NotesIn, movement: Movement) -> NoteMovementOut:
        place = body.place()
        if "office" in place:
            check_office(principal, place["office"])
        key = scoped_key(principal, self.idempotency_key)
        bundle = body.bundle()
        moved = self.database.write(
            lambda conn: movement(
                conn,
                self.deployment,
                bundle=bundle,
                idempotency_key=key,
                clock=self.clock,
                **place,
            )
        )
        return NoteMovementOut.of(moved)


Move = Annotated[Mover, Depends()]


def _movement(path: str, summary: str) -> Callable[[Endpoint], Endpoint]:
    return router.post(
        path,
        status_code=201,
        summary=summary,
        responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
    )


@_movement("/print", "Record new notes put in the vault")
def print_notes(body: NotesIn, principal: Operators, move: Move) -> NoteMovementOut:
    return move(principal, body, notes.print_notes)


@_movement("/deliver", "Move notes from the vault to an exchange office's stock")
def deliver_notes(body: NotesAtOfficeIn, principal: Operators, move: Move) -> NoteMovementOut:
    return move(principal, body, notes.deliver_notes)


@_movement("/return", "Move notes from an exchange office's stock back to the vault")
def return_notes(body: NotesAtOfficeIn, principal: Operators, move: Move) -> NoteMovementOut:
    return move(principal, body, notes.return_notes)


@_movement("/sell", "Sell notes for cash at an exchange office (they enter circulation)")
def sell_notes(body: NotesAtOfficeIn, principal: OfficeStaff, move: Move) -> NoteMovementOut:
    return move(principal, body, notes.sell_notes)


@_movement(
    "/deposit", "Take notes at an exchange office and credit their value to a holder's account"
)
def deposit_notes(body: NotesDepositIn, principal: OfficeStaff, move: Move) -> NoteMovementOut:
    return move(principal, body, notes.deposit_notes)


@_movement("/destroy", "Destroy worn notes held in the vault or an office's stock")
def destroy_notes(body: NotesAtLocationIn, principal: Operators, move: Move) -> NoteMovementOut:
    return move(principal, body, notes.destroy_notes)


@_movement("/lose", "Record notes missing from a stock (the association's euros back them)")
def lose_notes(body: NotesAtLocationIn, principal: Operators, move: Move) -> NoteMovementOut:
    return move(principal, body, notes.lose_notes)


@_movement("/find", "Put notes recorded lost back in a stock")
def find_notes(body: NotesAtLocationIn, principal: Operators, move: Move) -> NoteMovementOut:
    return move(principal, body, notes.find_notes)
