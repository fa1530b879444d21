"""A holder who leaves the association, or dies: the account is settled and closed for good.

The balance is settled one of two ways, and the reason (``left``, ``deceased``) is kept
with the closure in ``account_closures``:

* ``refund``: the units are paid out in euros, to the member or to the heirs, at par and
  without a fee (the reconversion path, with its fee and its batches, is for businesses'
  takings, not for a last settlement): unit Dr the account / Cr ``issuance``; EUR Dr
  ``external`` / Cr ``reserve:digital``. ``paid_to`` says to whom (a name, an IBAN);
* ``donate``: the member gives the balance, or the heirs do not claim it: a donation in
  units (see :mod:`monnaie_locale.operations.gifts`).

Then the account is closed (:func:`~monnaie_locale.ledger.accounts.set_status`): a
closed account refuses every payment, to it or from it, and closing is final. A frozen
account (frozen when the death was reported) is settled and closed alike. An account
with money on hold (a payment or a reconversion under way) is refused: settle those first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection, insert, select

from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.deployment import EXTERNAL, ISSUANCE, RESERVE_DIGITAL, Deployment
from monnaie_locale.errors import AccountNotEmpty, InvalidRequest
from monnaie_locale.ledger.accounts import get_account, set_status
from monnaie_locale.model import AccountStatus, Leg, TransferRequest, check_plain_text
from monnaie_locale.operations.common import (
    claim_operation,
    ensure_coverage,
    finish_operation,
    holder_account,
    post_entries,
)
from monnaie_locale.operations.gifts import donation_entries
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_flows import account_closures

__all__ = ["Closure", "close_for_good", "load_closure"]

Reason = Literal["left", "deceased"]
Settlement = Literal["refund", "donate"]


@dataclass(frozen=True, slots=True)
class Closure:
    """An account closed because its holder left or died, and how its balance went."""

    account: str
    reason: str
    settlement: str
    amount: int
    paid_to: str
    transaction_batch: str | None
    closed_at: datetime


def close_for_good(
    conn: Connection,
    deployment: Deployment,
    *,
    account: str,
    reason: Reason,
    settlement: Settlement,
    paid_to: str = "",
    idempotency_key: str,
    clock: Clock,
) -> Closure:
    """Settle ``account``'s balance as ``settlement`` says, then close it for ``reason``."""
    request = f"close|{account}|{reason}|{settlement}|{paid_to}"
    first = claim_operation(conn, idempotency_key, request=request, clock=clock)
    if first is not None:
        return load_closure(conn, account)
    if reason not in ("left", "deceased"):
        raise InvalidRequest("the reason is left or deceased")
    if settlement not in ("refund", "donate"):
        raise InvalidRequest("the balance is settled by refund or donate")
    check_plain_text(paid_to, "payee", max_length=200)
    if settlement == "refund" and not paid_to.strip():
        raise InvalidRequest("a refund says to whom it is paid (the member, the heirs)")
    found = get_account(conn, account)
    if found.status is AccountStatus.FROZEN:
        # Frozen when the death was reported: active again for its last settlement only.
        set_status(conn, account, AccountStatus.ACTIVE)
    holder = holder_account(conn, deployment, account)
    if holder.held or holder.balance < 0:
        raise AccountNotEmpty(account, holder.balance, holder.held)
    batch = None
    if holder.balance:
        if settlement == "donate":
            entry = donation_entries(account, holder.balance, kind="donation_units")
        else:
            entry = TransferRequest(
                legs=(
                    Leg(account, -holder.balance),
                    Leg(ISSUANCE, holder.balance),
                    Leg(EXTERNAL, -holder.balance),
                    Leg(RESERVE_DIGITAL, holder.balance),
                ),
                kind="closing_refund",
                memo=f"paid to {paid_to}",
            )
        batch = post_entries(conn, [entry], key=idempotency_key, clock=clock)
    set_status(conn, account, AccountStatus.CLOSED)
    conn.execute(
        insert(account_closures).values(
            account_id=holder.id,
            reason=reason,
            settlement=settlement,
            amount=holder.balance,
            paid_to=paid_to,
            transaction_batch=batch,
            closed_at=clock(),
        )
    )
    if batch is not None:
        ensure_coverage(conn, deployment, batch=batch)
    finish_operation(conn, idempotency_key, f"closure:{holder.id}")
    return load_closure(conn, account)


def load_closure(conn: Connection, account: str) -> Closure:
    """The closure of ``account``."""
    found = get_account(conn, account)
    row = conn.execute(
        select(account_closures, accounts.c.code)
        .join(accounts, accounts.c.id == account_closures.c.account_id)
        .where(account_closures.c.account_id == found.id)
    ).one()
    return Closure(
        account=row.code,
        reason=row.reason,
        settlement=row.settlement,
        amount=row.amount,
        paid_to=row.paid_to,
        transaction_batch=row.transaction_batch,
        closed_at=as_utc(row.closed_at),
    )
