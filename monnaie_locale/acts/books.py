"""The association's other money flows: bank costs, its own money, gifts, closures,
written-off notes, conversions taken back.

The entries are those of the operations (:mod:`~monnaie_locale.operations.bank_costs`,
:mod:`~monnaie_locale.operations.surplus`, :mod:`~monnaie_locale.operations.gifts`,
:mod:`~monnaie_locale.operations.leaving`, :mod:`~monnaie_locale.operations.write_offs`,
:mod:`~monnaie_locale.operations.reversals`); each act moves money once per ``key``.

==================  ======================================================================
Act                 Who may do it
==================  ======================================================================
bank_fee            the association's operators and administrators
interest            the same
to_operating        the same
receive_gift        the same
donate_units        the same (the holder's gift, recorded by the association)
close_for_good      the same
write_off_notes     the same
reverse_conversion  the same
==================  ======================================================================
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from monnaie_locale.acting import Context, act
from monnaie_locale.auth.roles import OPERATORS
from monnaie_locale.operations import bank_costs, gifts, leaving, reversals, surplus, write_offs
from monnaie_locale.operations.bookings import Booking
from monnaie_locale.operations.leaving import Closure
from monnaie_locale.operations.notes import Bundle
from monnaie_locale.operations.reversals import Reversal
from monnaie_locale.operations.write_offs import WriteOff

__all__ = [
    "bank_fee",
    "close_for_good",
    "donate_units",
    "interest",
    "receive_gift",
    "reverse_conversion",
    "to_operating",
    "write_off_notes",
]


@act(*OPERATORS)
def bank_fee(
    ctx: Context,
    account: str,
    amount: int,
    *,
    fee: Literal["bank", "card"],
    key: str,
    on: date | None = None,
) -> Booking:
    """Book a bank or card fee charged on one of the association's bank accounts, on the
    bank's day ``on`` if given."""
    return ctx.operate(
        bank_costs.book_bank_fee, key=key, account=account, amount=amount, fee=fee, on=on
    )


@act(*OPERATORS)
def interest(
    ctx: Context, account: str, amount: int, *, key: str, on: date | None = None
) -> Booking:
    """Book interest the bank paid on one of the association's bank accounts (its day ``on``)."""
    return ctx.operate(bank_costs.book_interest, key=key, account=account, amount=amount, on=on)


@act(*OPERATORS)
def to_operating(
    ctx: Context,
    what: Literal["fees", "surplus"],
    amount: int,
    *,
    key: str,
    reserve: str = "reserve:digital",
) -> Booking:
    """Move fees held or a reserve surplus to the association's operating account."""
    return ctx.operate(
        surplus.move_to_operating, key=key, what=what, amount=amount, reserve=reserve
    )


@act(*OPERATORS)
def receive_gift(
    ctx: Context, gift: Literal["donation", "grant"], amount: int, *, key: str, memo: str = ""
) -> Booking:
    """Book a donation or a grant received in euros on the operating account."""
    return ctx.operate(gifts.receive_gift, key=key, gift=gift, amount=amount, memo=memo)


@act(*OPERATORS)
def donate_units(ctx: Context, account: str, amount: int, *, key: str) -> Booking:
    """Record units a holder gives to the association."""
    return ctx.operate(gifts.donate_units, key=key, account=account, amount=amount)


@act(*OPERATORS)
def close_for_good(
    ctx: Context,
    account: str,
    *,
    reason: Literal["left", "deceased"],
    settlement: Literal["refund", "donate"],
    paid_to: str = "",
    key: str,
) -> Closure:
    """Settle the balance of a holder who left or died, then close the account."""
    return ctx.operate(
        leaving.close_for_good,
        key=key,
        account=account,
        reason=reason,
        settlement=settlement,
        paid_to=paid_to,
    )


@act(*OPERATORS)
def write_off_notes(
    ctx: Context,
    series: str,
    location: str,
    bundle: Bundle,
    *,
    reason: Literal["stolen", "destroyed"],
    key: str,
) -> WriteOff:
    """Write off a series of notes lost for good: their units are destroyed."""
    return ctx.operate(
        write_offs.write_off_series,
        key=key,
        series=series,
        location=location,
        bundle=bundle,
        reason=reason,
    )


@act(*OPERATORS)
def reverse_conversion(
    ctx: Context, conversion_id: int, *, how: Literal["reversed", "charged_back"], key: str
) -> Reversal:
    """Take a credited conversion back: reversed, or charged back by the card network."""
    return ctx.operate(reversals.reverse_conversion, key=key, conversion_id=conversion_id, how=how)
