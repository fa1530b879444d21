"""What the association's own money flows share: the record of one booking, the bank
accounts a fee or interest can be booked on, and the retry of a booking under its key.

A booking is a single ledger batch with no record of its own (bank fees, interest, moves
to the operating account, donations, grants): the idempotency key's result holds what a
retry must return, ``booking|<kind>|<account>|<amount>|<extra>|<batch>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from monnaie_locale.clock import Clock
from monnaie_locale.deployment import ASSOCIATION_OPERATING, RESERVE_DIGITAL, RESERVE_NOTES
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.operations.common import claim_operation, finish_operation

__all__ = ["BANK_ACCOUNTS", "Booking", "check_bank_account", "claimed", "finished", "operating"]

# The association's accounts at the bank: the guarantee fund's two and its own.
BANK_ACCOUNTS = (RESERVE_DIGITAL, RESERVE_NOTES, ASSOCIATION_OPERATING)


@dataclass(frozen=True, slots=True)
class Booking:
    """One flow booked: its ``kind``, the ``account`` it is about (a bank account, a
    holder), its ``amount`` in ``currency``, and ``extra``: what the flow moved besides
    (the top-up of a reserve a fee would have left short; zero when none)."""

    kind: str
    account: str
    amount: int
    currency: str
    extra: int
    transaction_batch: str


def check_bank_account(code: str) -> str:
    """``code`` if it is one of the association's bank accounts, else :class:`InvalidRequest`."""
    if code not in BANK_ACCOUNTS:
        raise InvalidRequest(
            f"{code} is not a bank account; name one of {', '.join(BANK_ACCOUNTS)}"
        )
    return code


def operating(conn: Connection) -> int:
    """The euros on the association's operating account (a euro asset reads negative)."""
    return -get_account(conn, ASSOCIATION_OPERATING).balance


def claimed(conn: Connection, key: str, *, request: str, clock: Clock) -> Booking | None:
    """The booking the first call with ``key`` made, or ``None`` for a first call."""
    first = claim_operation(conn, key, request=request, clock=clock)
    if first is None:
        return None
    _, kind, *named, amount, currency, extra, batch = first.split("|")
    # Only the account's code may hold a "|" of its own.
    return Booking(kind, "|".join(named), int(amount), currency, int(extra), batch)


def finished(conn: Connection, key: str, booking: Booking) -> Booking:
    """Record ``booking`` as the result of ``key`` and return it."""
    b = booking
    finish_operation(
        conn,
        key,
        f"booking|{b.kind}|{b.account}|{b.amount}|{b.currency}|{b.extra}|{b.transaction_batch}",
    )
    return booking
