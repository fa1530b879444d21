"""Exchange offices: opening one, closing its till, taking its cash to the bank, closing it.

An office has a till (its euros) and a note stock. Its operators act for the offices whose
till or note stock they hold (:func:`check_office`); the association's operators and
administrators act for every office. The bank's receipt of a till's cash is the
association's to record: it moves the reserve.

Which offices there are is read before there is an actor: the deployment an actor's
context carries names them (:func:`open_offices`).

======================  ==================================================================
Act                     Who may do it
======================  ==================================================================
open_offices            whoever builds the deployment, without an actor: the offices
                        whose till the books hold
add_office              the association's operators and administrators
close_till              an office operator, for their office; the association's operators
                        and administrators, for any
bank_till               the same
receive_till_deposit    the association's operators and administrators
close_office            the association's operators and administrators: an office whose
                        till holds no cash and whose stock holds no note
======================  ==================================================================
"""

from __future__ import annotations

from sqlalchemy import Connection

from monnaie_locale.acting import Context, act, check_office
from monnaie_locale.admin_log import Logged
from monnaie_locale.auth.roles import OFFICE_STAFF, OPERATORS
from monnaie_locale.deployment import add_office as open_office
from monnaie_locale.deployment import offices_in_books
from monnaie_locale.operations import offices
from monnaie_locale.operations.offices import ClosedOffice, OfficeClosing, TillDeposit
from monnaie_locale.store.database import Database

__all__ = [
    "add_office",
    "bank_till",
    "check_office",
    "close_office",
    "close_till",
    "open_offices",
    "receive_till_deposit",
]


def open_offices(database: Database) -> tuple[str, ...]:
    """The ids of the exchange offices whose till the books hold, in order."""
    return database.read(offices_in_books)


@act(*OPERATORS, logged=Logged(target="office"))
def add_office(ctx: Context, office: str) -> None:
    """Open the till and the note stock of a new exchange office (once)."""
    ctx.write(lambda conn: open_office(conn, ctx.deployment, office, now=ctx.clock()))


@act(*OFFICE_STAFF)
def close_till(ctx: Context, office: str, counted: int, *, key: str) -> OfficeClosing:
    """Record the till's count against the books; a difference is booked, once per ``key``."""
    check_office(ctx.actor, office)
    return ctx.operate(offices.close_till, key=key, office=office, counted=counted)


@act(*OFFICE_STAFF)
def bank_till(ctx: Context, office: str, amount: int | None, *, key: str) -> TillDeposit:
    """Take ``amount`` (``None``: the whole till) from the till to the bank, in transit."""
    check_office(ctx.actor, office)
    scoped = ctx.key(key)

    def send(conn: Connection) -> TillDeposit:
        cash = offices.till_cash(conn, office) if amount is None else amount
        return offices.bank_till(
            conn,
            ctx.deployment,
            office=office,
            amount=cash,
            idempotency_key=scoped,
            clock=ctx.clock,
        )

    return ctx.write(send)


@act(*OPERATORS)
def receive_till_deposit(
    ctx: Context, deposit_id: int, bank_reference: str, *, key: str | None = None
) -> TillDeposit:
    """Record that the bank shows a till's cash deposit.

    The same bank reference again returns the received deposit and moves nothing; a
    ``key`` also refuses its reuse for another deposit or reference.
    """

    def receive(conn: Connection) -> TillDeposit:
        return offices.receive_till_deposit(
            conn,
            ctx.deployment,
            deposit_id=deposit_id,
            bank_reference=bank_reference,
            clock=ctx.clock,
        )

    request = f"deposit_received|{deposit_id}|{bank_reference}"
    return ctx.write_settlement(receive, key=key, request=request)


@act(*OPERATORS, logged=Logged(target="office"))
def close_office(ctx: Context, office: str) -> ClosedOffice:
    """Close an exchange office for good: its till and note stock refuse every operation.

    Refused (:class:`~monnaie_locale.operations.errors.OfficeNotEmpty`) while the till
    holds cash or the stock holds notes: bank the cash and return the notes first.
    """
    return ctx.write(lambda conn: offices.close_office(conn, office))
