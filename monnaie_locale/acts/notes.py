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
==============  =========================================================================
"""

from __future__ import annotations

from collections.abc import Callable

from monnaie_locale.acting import Context, act, check_office
from monnaie_locale.auth.roles import OFFICE_STAFF, OPERATORS
from monnaie_locale.operations import notes
from monnaie_locale.operations.notes import Bundle, NoteMovement

__all__ = [
    "deliver_notes",
    "deposit_notes",
    "destroy_notes",
    "find_notes",
    "lose_notes",
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
    if "office" in place:
        check_office(ctx.actor, place["office"])
    return ctx.operate(movement, key=key, bundle=bundle, **place)


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
