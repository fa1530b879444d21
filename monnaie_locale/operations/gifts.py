"""Donations and grants the association receives.

In euros, to its operating account: EUR Dr ``association:operating`` / Cr
``income:donations`` (or ``income:grants``).

In units, from a holder: the units are extinguished and the euros that backed them leave
the guarantee fund for the operating account, where the association can spend them:
unit Dr the holder / Cr ``issuance``; EUR Dr ``association:operating`` / Cr
``reserve:digital``, and Dr ``external`` / Cr ``income:donations``: the association's debt
to the giver is gone, which is the donation's income (the chart of accounts nets
``issuance`` against ``external``). The coverage is unchanged (both sides lose the same
amount).
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import Connection

from monnaie_locale.clock import Clock
from monnaie_locale.deployment import (
    ASSOCIATION_OPERATING,
    EXTERNAL,
    INCOME_DONATIONS,
    INCOME_GRANTS,
    ISSUANCE,
    RESERVE_DIGITAL,
    Deployment,
)
from monnaie_locale.errors import InsufficientFunds, InvalidRequest
from monnaie_locale.model import Leg, TransferRequest, check_plain_text, check_positive
from monnaie_locale.money import EUR
from monnaie_locale.operations.bookings import Booking, claimed, finished
from monnaie_locale.operations.common import ensure_coverage, holder_account, post_entries

__all__ = ["donate_units", "donation_entries", "receive_gift"]

_INCOME = {"donation": INCOME_DONATIONS, "grant": INCOME_GRANTS}


def receive_gift(
    conn: Connection,
    deployment: Deployment,
    *,
    gift: Literal["donation", "grant"],
    amount: int,
    memo: str,
    idempotency_key: str,
    clock: Clock,
) -> Booking:
    """Book ``amount`` euros given to the association (a donation, a grant)."""
    first = claimed(conn, idempotency_key, request=f"{gift}|{amount}|{memo}", clock=clock)
    if first is not None:
        return first
    check_plain_text(memo, "memo", max_length=200)
    if gift not in _INCOME:
        raise InvalidRequest(f"a gift is a donation or a grant, not {gift!r}")
    entry = TransferRequest.simple(
        ASSOCIATION_OPERATING, _INCOME[gift], amount, kind=gift, memo=memo
    )
    batch = post_entries(conn, [entry], key=idempotency_key, clock=clock)
    return finished(
        conn, idempotency_key, Booking(gift, ASSOCIATION_OPERATING, amount, EUR.code, 0, batch)
    )


def donation_entries(account: str, amount: int, *, kind: str) -> TransferRequest:
    """The entries of ``amount`` units given by ``account`` to the association."""
    return TransferRequest(
        legs=(
            Leg(account, -amount),
            Leg(ISSUANCE, amount),
            Leg(ASSOCIATION_OPERATING, -amount),
            Leg(RESERVE_DIGITAL, amount),
            # The association's debt to the giver gone: a donation received.
            Leg(EXTERNAL, -amount),
            Leg(INCOME_DONATIONS, amount),
        ),
        kind=kind,
    )


def donate_units(
    conn: Connection,
    deployment: Deployment,
    *,
    account: str,
    amount: int,
    idempotency_key: str,
    clock: Clock,
) -> Booking:
    """``account`` gives ``amount`` units to the association."""
    first = claimed(
        conn, idempotency_key, request=f"donation_units|{account}|{amount}", clock=clock
    )
    if first is not None:
        return first
    check_positive(amount)
    holder = holder_account(conn, deployment, account)
    if holder.available < amount:
        raise InsufficientFunds(account, amount, holder.available)
    entry = donation_entries(holder.code, amount, kind="donation_units")
    batch = post_entries(conn, [entry], key=idempotency_key, clock=clock)
    ensure_coverage(conn, deployment, batch=batch)
    booking = Booking("donation_units", account, amount, deployment.unit.code, 0, batch)
    return finished(conn, idempotency_key, booking)
