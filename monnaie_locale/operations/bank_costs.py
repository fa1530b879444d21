"""The bank's charges and interest on the association's bank accounts.

A fee the bank charges (account fees, or card fees on the card payments it collects) on
one of the association's bank accounts: EUR Dr ``expense:bank_fees`` (or
``expense:card_fees``) / Cr that account. Interest the bank pays: EUR Dr the account /
Cr ``income:interest``.

A fee charged on a reserve account lowers the reserve, which must keep covering the
circulation. When it would fall below, the association tops the reserve up from its own
operating account in the same batch: EUR Dr that reserve account / Cr
``association:operating``, by just what keeps the coverage (never more than the fee); the
treasurer then makes the same transfer between the two bank accounts.
The bank has taken the fee already: refusing to book it would only make the books lie,
so the books do what the association must then do (move its own euros to the guarantee
fund), and refuse, saying so, only when the operating account cannot pay the top-up.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from sqlalchemy import Connection

from monnaie_locale.clock import Clock
from monnaie_locale.deployment import (
    ASSOCIATION_OPERATING,
    EXPENSE_BANK_FEES,
    EXPENSE_CARD_FEES,
    INCOME_INTEREST,
    Deployment,
)
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.model import TransferRequest, check_positive
from monnaie_locale.money import EUR
from monnaie_locale.operations.bookings import (
    Booking,
    check_bank_account,
    claimed,
    finished,
    operating,
)
from monnaie_locale.operations.common import ensure_coverage, post_entries
from monnaie_locale.operations.errors import OperatingShort
from monnaie_locale.reserve import position

__all__ = ["book_bank_fee", "book_interest"]

_EXPENSE = {"bank": EXPENSE_BANK_FEES, "card": EXPENSE_CARD_FEES}


def book_bank_fee(
    conn: Connection,
    deployment: Deployment,
    *,
    account: str,
    amount: int,
    fee: Literal["bank", "card"],
    idempotency_key: str,
    clock: Clock,
    on: date | None = None,
) -> Booking:
    """Book a fee of ``amount`` euros the bank charged on ``account``, on the bank's day
    ``on`` when given (a fee seen on last month's statement)."""
    kind = f"{fee}_fee"
    request = f"{kind}|{account}|{amount}" + (f"|{on}" if on else "")
    first = claimed(conn, idempotency_key, request=request, clock=clock)
    if first is not None:
        return first
    check_bank_account(account)
    check_positive(amount)
    if fee not in _EXPENSE:
        raise InvalidRequest(f"a bank cost is a bank or a card fee, not {fee!r}")
    top_up = 0 if account == ASSOCIATION_OPERATING else _top_up(conn, deployment, amount)
    entries = [TransferRequest.simple(_EXPENSE[fee], account, amount, kind=kind, on=on)]
    if top_up:
        available = operating(conn)
        if available < top_up:
            raise OperatingShort(top_up, available, f"keep the reserve covering after a {kind}")
        entries.append(
            TransferRequest.simple(
                account, ASSOCIATION_OPERATING, top_up, kind="reserve_top_up", on=on
            )
        )
    batch = post_entries(conn, entries, key=idempotency_key, clock=clock)
    ensure_coverage(conn, deployment, batch=batch)
    return finished(conn, idempotency_key, Booking(kind, account, amount, EUR.code, top_up, batch))


def _top_up(conn: Connection, deployment: Deployment, fee: int) -> int:
    """What the operating account must add for the reserve to cover after the ``fee``."""
    now = position(conn, deployment)
    short = now.circulation - (now.reserve_total - fee)
    return max(0, min(fee, short))


def book_interest(
    conn: Connection,
    deployment: Deployment,
    *,
    account: str,
    amount: int,
    idempotency_key: str,
    clock: Clock,
    on: date | None = None,
) -> Booking:
    """Book ``amount`` euros of interest the bank paid on ``account`` (on its day ``on``)."""
    request = f"interest|{account}|{amount}" + (f"|{on}" if on else "")
    first = claimed(conn, idempotency_key, request=request, clock=clock)
    if first is not None:
        return first
    check_bank_account(account)
    entry = TransferRequest.simple(account, INCOME_INTEREST, amount, kind="interest", on=on)
    batch = post_entries(conn, [entry], key=idempotency_key, clock=clock)
    ensure_coverage(conn, deployment, batch=batch)
    return finished(conn, idempotency_key, Booking("interest", account, amount, EUR.code, 0, batch))
