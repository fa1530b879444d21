"""Membership fees: each account kind pays its fee per year or per month, in euros or units.

Membership is mandatory, and the association must know who is up to date. Either way the
fee is income of the association (``income:membership``, 756 in the chart of accounts):

* in euros: EUR Dr ``association:operating`` / Cr ``income:membership``; the association's
  own money, which is what funds conversion bonuses and replaces lost cash;
* in units: unit Dr the account / Cr ``association:fees`` (the units stay in circulation,
  still backed), and EUR Dr ``external`` / Cr ``income:membership``: the association
  holding its own units is a debt extinguished, which the euro pair books as income (see
  :mod:`monnaie_locale.exports.account_map`).
 A period is written ``2026`` for a
yearly fee and ``2026-11`` for a monthly one, and is paid once per account.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import Connection, insert, select

from monnaie_locale.clock import Clock
from monnaie_locale.deployment import (
    ASSOCIATION_FEES,
    ASSOCIATION_OPERATING,
    EXTERNAL,
    HOLDER_KINDS,
    INCOME_MEMBERSHIP,
    Deployment,
    MembershipFee,
)
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.model import AccountKind, Leg, TransferRequest
from monnaie_locale.operations.common import (
    claim_operation,
    ensure_coverage,
    finish_operation,
    holder_account,
    post_entries,
)
from monnaie_locale.operations.errors import OperationNotAllowed, WrongState
from monnaie_locale.rules import in_force
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_operations import membership_fees

__all__ = [
    "FeePayment",
    "MembershipStatus",
    "OwnFee",
    "fee_of",
    "membership_status",
    "pay_membership_fee",
    "period_of",
]

_PERIOD = {"year": re.compile(r"[0-9]{4}"), "month": re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")}


@dataclass(frozen=True, slots=True)
class MembershipStatus:
    """Whether an account has paid the period its kind owes."""

    account: str
    kind: str
    period: str
    paid: bool


@dataclass(frozen=True, slots=True)
class FeePayment:
    """A fee paid: its amount in ``currency`` (the unit's code when paid in units, else
    EUR), and the ledger batch that booked it."""

    account: str
    period: str
    amount: int
    currency: str
    transaction_batch: str


def period_of(rule: MembershipFee, day: date) -> str:
    """The period containing ``day`` for a fee charged by year or by month."""
    return f"{day.year}" if rule.period == "year" else f"{day.year}-{day.month:02d}"


def _rule(deployment: Deployment, code: str, kind: AccountKind) -> MembershipFee:
    rule = deployment.membership_fees.get(kind)
    if rule is None:
        raise OperationNotAllowed(code, "pay a membership fee", f"{kind} accounts owe none")
    return rule


def pay_membership_fee(
    conn: Connection,
    deployment: Deployment,
    *,
    account: str,
    period: str,
    paid_in: Literal["units", "euros"],
    idempotency_key: str,
    clock: Clock,
    on: date | None = None,
) -> FeePayment:
    """Record ``account``'s fee for ``period``, once per ``idempotency_key``.

    ``on`` is the day it was paid, when not today.
    """
    request = f"membership|{account}|{period}|{paid_in}"
    if on is not None:
        request += f"|on:{on.isoformat()}"
    first = claim_operation(conn, idempotency_key, request=request, clock=clock)
    if first is not None:
        return _payment(conn, first.removeprefix("membership:"))
    deployment = in_force(conn, deployment, on=clock().date())
    holder = holder_account(conn, deployment, account)
    rule = _rule(deployment, account, holder.kind)
    if not _PERIOD[rule.period].fullmatch(period):
        example = "2026" if rule.period == "year" else "2026-11"
        raise InvalidRequest(f"{holder.kind} fees are paid per {rule.period}, such as {example}")
    if _paid(conn, holder.id, period):
        raise WrongState("membership fee", f"{account} {period}", "paid", "unpaid")
    if paid_in == "units":
        entry = TransferRequest(
            legs=(
                Leg(account, -rule.amount),
                Leg(ASSOCIATION_FEES, rule.amount),
                Leg(EXTERNAL, -rule.amount),
                Leg(INCOME_MEMBERSHIP, rule.amount),
            ),
            kind="membership_fee",
        )
        currency = deployment.unit.code
    else:
        entry = TransferRequest.simple(
            ASSOCIATION_OPERATING, INCOME_MEMBERSHIP, rule.amount, kind="membership_fee"
        )
        currency = "EUR"
    batch = post_entries(conn, [entry], key=idempotency_key, clock=clock, on=on)
    conn.execute(
        insert(membership_fees).values(
            account_id=holder.id,
            period=period,
            amount=rule.amount,
            currency=currency,
            transaction_batch=batch,
            paid_at=clock(),
        )
    )
    ensure_coverage(conn, deployment, batch=batch)
    finish_operation(conn, idempotency_key, f"membership:{batch}")
    return FeePayment(account, period, rule.amount, currency, batch)


def _payment(conn: Connection, batch: str) -> FeePayment:
    row = conn.execute(
        select(accounts.c.code, membership_fees)
        .join(accounts, accounts.c.id == membership_fees.c.account_id)
        .where(membership_fees.c.transaction_batch == batch)
    ).one()
    return FeePayment(row.code, row.period, row.amount, row.currency, batch)


def _paid(conn: Connection, account_id: int, period: str) -> bool:
    found = conn.execute(
        select(membership_fees.c.id).where(
            membership_fees.c.account_id == account_id, membership_fees.c.period == period
        )
    ).first()
    return found is not None


def membership_status(
    conn: Connection, deployment: Deployment, *, on: date
) -> list[MembershipStatus]:
    """Every holder account owing a fee, and whether it paid the period containing ``on``."""
    deployment = in_force(conn, deployment, on=on)
    result: list[MembershipStatus] = []
    for kind, rule in sorted(deployment.membership_fees.items()):
        if kind not in HOLDER_KINDS:
            continue
        period = period_of(rule, on)
        paid_ids = select(membership_fees.c.account_id).where(membership_fees.c.period == period)
        rows = conn.execute(
            select(accounts.c.code, accounts.c.id.in_(paid_ids).label("paid"))
            .where(accounts.c.kind == str(kind), accounts.c.currency == deployment.unit.code)
            .order_by(accounts.c.code)
        ).all()
        result.extend(MembershipStatus(row.code, str(kind), period, bool(row.paid)) for row in rows)
    return result


@dataclass(frozen=True, slots=True)
class OwnFee:
    """What one account owes: its fee and period, and whether the current one is paid.

    ``amount`` and ``period`` are None when its kind owes no fee.
    """

    account: str
    kind: str
    amount: int | None
    per: Literal["year", "month"] | None
    period: str | None
    paid: bool


def fee_of(conn: Connection, deployment: Deployment, account: str, *, on: date) -> OwnFee:
    """``account``'s fee under the rules in force ``on``, and whether its period is paid."""
    deployment = in_force(conn, deployment, on=on)
    holder = get_account(conn, account)
    rule = deployment.membership_fees.get(holder.kind)
    if rule is None or holder.kind not in HOLDER_KINDS:
        return OwnFee(account, str(holder.kind), None, None, None, False)
    period = period_of(rule, on)
    return OwnFee(
        account, str(holder.kind), rule.amount, rule.period, period, _paid(conn, holder.id, period)
    )
