"""Paper notes, from printing to destruction: every movement between the vault, the
offices' stocks and circulation, each backed by its euros."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter
from sqlalchemy import Connection

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

MOVING = problem_responses(400, 401, 403, 404, 409, 413, 422)
Operators = Annotated[Principal, require(*OPERATORS)]
OfficeStaff = Annotated[Principal, require(*OFFICE_STAFF)]


def _moved(database: DatabaseDep, work: Callable[[Connection], NoteMovement]) -> NoteMovementOut:
    return NoteMovementOut.of(database.write(work))


@router.post(
    "/print", status_code=201, summary="Record new notes put in the vault", responses=MOVING
)
def print_notes(
    body: NotesIn,
    idempotency_key: IdempotencyKey,
    principal: Operators,
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> NoteMovementOut:
    key = scoped_key(principal, idempotency_key)
    bundle = body.bundle()
    return _moved(
        database,
        lambda conn: notes.print_notes(
            conn, deployment, bundle=bundle, idempotency_key=key, clock=clock
        ),
    )


@router.post(
    "/deliver",
    status_code=201,
    summary="Move notes from the vault to an exchange office's stock",
    responses=MOVING,
)
def deliver_notes(
    body: NotesAtOfficeIn,
    idempotency_key: IdempotencyKey,
    principal: Operators,
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> NoteMovementOut:
    key = scoped_key(principal, idempotency_key)
    bundle = body.bundle()
    return _moved(
        database,
        lambda conn: notes.deliver_notes(
            conn, deployment, office=body.office, bundle=bundle, idempotency_key=key, clock=clock
        ),
    )


@router.post(
    "/return",
    status_code=201,
    summary="Move notes from an exchange office's stock back to the vault",
    responses=MOVING,
)
def return_notes(
    body: NotesAtOfficeIn,
    idempotency_key: IdempotencyKey,
    principal: Operators,
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> NoteMovementOut:
    key = scoped_key(principal, idempotency_key)
    bundle = body.bundle()
    return _moved(
        database,
        lambda conn: notes.return_notes(
            conn, deployment, office=body.office, bundle=bundle, idempotency_key=key, clock=clock
        ),
    )


@router.post(
    "/sell",
    status_code=201,
    summary="Sell notes for cash at an exchange office (they enter circulation)",
    responses=MOVING,
)
def sell_notes(
    body: NotesAtOfficeIn,
    idempotency_key: IdempotencyKey,
    principal: OfficeStaff,
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> NoteMovementOut:
    check_office(principal, body.office)
    key = scoped_key(principal, idempotency_key)
    bundle = body.bundle()
    return _moved(
        database,
        lambda conn: notes.sell_notes(
            conn, deployment, office=body.office, bundle=bundle, idempotency_key=key, clock=clock
        ),
    )


@router.post(
    "/deposit",
    status_code=201,
    summary="Take notes at an exchange office and credit their value to a holder's account",
    responses=MOVING,
)
def deposit_notes(
    body: NotesDepositIn,
    idempotency_key: IdempotencyKey,
    principal: OfficeStaff,
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> NoteMovementOut:
    check_office(principal, body.office)
    key = scoped_key(principal, idempotency_key)
    bundle = body.bundle()
    return _moved(
        database,
        lambda conn: notes.deposit_notes(
            conn,
            deployment,
            office=body.office,
            account=body.account,
            bundle=bundle,
            idempotency_key=key,
            clock=clock,
        ),
    )


@router.post(
    "/destroy",
    status_code=201,
    summary="Destroy worn notes held in the vault or an office's stock",
    responses=MOVING,
)
def destroy_notes(
    body: NotesAtLocationIn,
    idempotency_key: IdempotencyKey,
    principal: Operators,
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> NoteMovementOut:
    key = scoped_key(principal, idempotency_key)
    bundle = body.bundle()
    return _moved(
        database,
        lambda conn: notes.destroy_notes(
            conn,
            deployment,
            location=body.location,
            bundle=bundle,
            idempotency_key=key,
            clock=clock,
        ),
    )


@router.post(
    "/lose",
    status_code=201,
    summary="Record notes missing from a stock (the association's euros back them)",
    responses=MOVING,
)
def lose_notes(
    body: NotesAtLocationIn,
    idempotency_key: IdempotencyKey,
    principal: Operators,
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> NoteMovementOut:
    key = scoped_key(principal, idempotency_key)
    bundle = body.bundle()
    return _moved(
        database,
        lambda conn: notes.lose_notes(
            conn,
            deployment,
            location=body.location,
            bundle=bundle,
            idempotency_key=key,
            clock=clock,
        ),
    )


@router.post(
    "/find",
    status_code=201,
    summary="Put notes recorded lost back in a stock",
    responses=MOVING,
)
def find_notes(
    body: NotesAtLocationIn,
    idempotency_key: IdempotencyKey,
    principal: Operators,
    database: DatabaseDep,
    deployment: DeploymentDep,
    clock: ClockDep,
) -> NoteMovementOut:
    key = scoped_key(principal, idempotency_key)
    bundle = body.bundle()
    return _moved(
        database,
        lambda conn: notes.find_notes(
            conn,
            deployment,
            location=body.location,
            bundle=bundle,
            idempotency_key=key,
            clock=clock,
        ),
    )
