"""Paper notes, from printing to destruction: every movement between the vault, the
offices' stocks and circulation, each backed by its euros.

A bundle is a count by denomination (``{2000: 10}``: ten 20 notes). Each movement keeps
the ledger's note accounts and the counts by denomination in step (see
:mod:`monnaie_locale.operations.notes`), once per idempotency key. Where notes go in
and out of circulation at an office's counter, the office's staff act, for their office;
every other movement is the association's decision.

==============  =========================================================================
Act             Who may do it
==============  =========================================================================
print_notes     the association's operators and administrators
deliver_notes   the same
return_notes    the same
sell_notes      an office operator, for their office; the association's operators and
                administrators, for any
deposit_notes   the same (the units go to any holder's account: the one handing them in)
destroy_notes   the association's operators and administrators
lose_notes      the same
find_notes      the same
note_stock      the auditors, the association's operators and administrators
preview_notes   whoever may make the movement previewed, as its own act says
==============  =========================================================================

A movement can be previewed before it is made (:func:`preview_notes`): the operation runs
with all its checks in a transaction that is rolled back, and the preview holds the
ledger entries it would post (see :mod:`monnaie_locale.preview`). The back-office shows
them before the operator confirms.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from monnaie_locale.acting import Act, Context, act, check_office
from monnaie_locale.auth.errors import RoleForbidden
from monnaie_locale.auth.roles import OFFICE_STAFF, OPERATORS, REPORT_READERS
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.operations import notes
from monnaie_locale.operations.notes import Bundle, NoteMovement, NoteStock
from monnaie_locale.preview import Preview

__all__ = [
    "MOVEMENTS",
    "Movement",
    "deliver_notes",
    "deposit_notes",
    "destroy_notes",
    "find_notes",
    "lose_notes",
    "note_stock",
    "preview_notes",
    "print_notes",
    "return_notes",
    "sell_notes",
]

# One of the core's movements (monnaie_locale.operations.notes), called with its place.
_Movement = Callable[..., NoteMovement]


def _move(
    ctx: Context, movement: _Movement, bundle: Bundle, *, key: str, **place: str
) -> NoteMovement:
    """``movement`` of ``bundle`` at ``place``, by an actor who may act for its office."""
    _check_place(ctx, place)
    return ctx.operate(movement, key=key, bundle=bundle, **place)


def _check_place(ctx: Context, place: Mapping[str, str]) -> None:
    if "office" in place:
        check_office(ctx.actor, place["office"])


@act(*OPERATORS)
def print_notes(ctx: Context, bundle: Bundle, *, key: str) -> NoteMovement:
    """Record new notes put in the vault: issued, not yet in circulation."""
    return _move(ctx, notes.print_notes, bundle, key=key)


@act(*OPERATORS)
def deliver_notes(ctx: Context, office: str, bundle: Bundle, *, key: str) -> NoteMovement:
    """Move notes from the vault to ``office``'s stock."""
    return _move(ctx, notes.deliver_notes, bundle, key=key, office=office)


@act(*OPERATORS)
def return_notes(ctx: Context, office: str, bundle: Bundle, *, key: str) -> NoteMovement:
    """Move notes from ``office``'s stock back to the vault."""
    return _move(ctx, notes.return_notes, bundle, key=key, office=office)


@act(*OFFICE_STAFF)
def sell_notes(ctx: Context, office: str, bundle: Bundle, *, key: str) -> NoteMovement:
    """Sell notes for cash at ``office``: they enter circulation, the till takes euros."""
    return _move(ctx, notes.sell_notes, bundle, key=key, office=office)


@act(*OFFICE_STAFF)
def deposit_notes(
    ctx: Context, office: str, account: str, bundle: Bundle, *, key: str
) -> NoteMovement:
    """Take notes in at ``office`` and credit their value to ``account``."""
    return _move(ctx, notes.deposit_notes, bundle, key=key, office=office, account=account)


@act(*OPERATORS)
def destroy_notes(ctx: Context, location: str, bundle: Bundle, *, key: str) -> NoteMovement:
    """Destroy worn notes of the vault or an office's stock (``location``)."""
    return _move(ctx, notes.destroy_notes, bundle, key=key, location=location)


@act(*OPERATORS)
def lose_notes(ctx: Context, location: str, bundle: Bundle, *, key: str) -> NoteMovement:
    """Record notes missing from a stock; the association's euros back them."""
    return _move(ctx, notes.lose_notes, bundle, key=key, location=location)


@act(*OPERATORS)
def find_notes(ctx: Context, location: str, bundle: Bundle, *, key: str) -> NoteMovement:
    """Put notes recorded lost back in a stock."""
    return _move(ctx, notes.find_notes, bundle, key=key, location=location)


@act(*REPORT_READERS)
def note_stock(ctx: Context) -> NoteStock:
    """The notes at each place (the vault, each office, circulation, lost) by denomination."""
    return ctx.read(lambda conn: notes.note_stock(conn, ctx.deployment))


@dataclass(frozen=True, slots=True)
class Movement:
    """One kind of movement: its act, the core's operation, the fields naming its place."""

    act: Act[Any, NoteMovement]
    operation: _Movement
    place: tuple[str, ...]


# By the name a caller gives (a page's form, a preview): each movement with its place.
MOVEMENTS: Mapping[str, Movement] = {
    "print": Movement(print_notes, notes.print_notes, ()),
    "deliver": Movement(deliver_notes, notes.deliver_notes, ("office",)),
    "return": Movement(return_notes, notes.return_notes, ("office",)),
    "sell": Movement(sell_notes, notes.sell_notes, ("office",)),
    "deposit": Movement(deposit_notes, notes.deposit_notes, ("office", "account")),
    "destroy": Movement(destroy_notes, notes.destroy_notes, ("location",)),
    "lose": Movement(lose_notes, notes.lose_notes, ("location",)),
    "find": Movement(find_notes, notes.find_notes, ("location",)),
}


@act(*OFFICE_STAFF)
def preview_notes(
    ctx: Context, movement: str, bundle: Bundle, /, **place: str
) -> Preview[NoteMovement]:
    """What ``movement`` (a name of :data:`MOVEMENTS`) of ``bundle`` at ``place`` would
    post, with nothing kept.

    Refused as the movement's own act would refuse it: to a role it does not admit, for
    an office the actor does not work at, for notes a stock does not hold.
    """
    found = MOVEMENTS.get(movement)
    if found is None:
        raise InvalidRequest(f"{movement!r} is not a movement of notes: one of {sorted(MOVEMENTS)}")
    if ctx.actor.role not in found.act.roles:
        raise RoleForbidden(str(ctx.actor.role))
    if set(place) != set(found.place):
        raise InvalidRequest(f"the {movement} of notes is made at {', '.join(found.place)}")
    _check_place(ctx, place)
    return ctx.preview(found.operation, bundle=bundle, **place)
