"""Conversion: euros come in, the same number of units is issued.

Three ways in, one set of entries (DOMAIN entries 1 and 2):

* bank transfer: an *order* is recorded first with a reference the member writes on the
  transfer; nothing is issued until the money is seen on the bank statement, then the order
  is credited (by hand or by the bank reconciliation);
* card or online payment: credited at once, recorded with the payment provider's reference
  (which may be used once);
* cash at an exchange office: the euros go into the office's till.

Entries: EUR Dr reserve (or till) / Cr external; unit Dr issuance / Cr the account. A bonus
is a second, linked transaction: EUR Dr reserve:digital / Cr association:operating and unit
Dr issuance / Cr the account, so the association's own euros back every bonus unit and the
coverage stays at exactly 100 %. ``association:operating`` cannot go below zero euros: a
bonus the association cannot fund is refused. The bonus also carries its cost: EUR Dr
expense:bonus / Cr external, the units given with no euros from outside; in the chart of
accounts ``external`` and ``issuance`` share one liaison account, so the FEC shows the
bonus as an expense (657) against the member's account (467), and the euros moving from
the operating account to the reserve (see :mod:`monnaie_locale.exports.account_map`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.deployment import (
    ASSOCIATION_OPERATING,
    EXPENSE_BONUS,
    EXTERNAL,
    ISSUANCE,
    RESERVE_DIGITAL,
    Deployment,
    office_till,
)
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.model import (
    MAX_REFERENCE,
    Account,
    Leg,
    TransferRequest,
    check_plain_text,
    check_positive,
)
from monnaie_locale.operations.common import (
    claim_operation,
    ensure_coverage,
    finish_operation,
    holder_account,
    post_entries,
)
from monnaie_locale.operations.errors import (
    AmountMismatch,
    ConversionLimitExceeded,
    UnknownRecord,
    WrongState,
)
from monnaie_locale.rules import in_force
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_operations import conversions

__all__ = [
    "Conversion",
    "cancel_conversion_order",
    "conversion_orders_of",
    "convert_by_card",
    "convert_cash",
    "credit_conversion_order",
    "load_conversion",
    "order_by_reference",
    "order_conversion",
    "pending_conversion_orders",
]

# No 0/O or 1/I: people copy the reference by hand into their bank's transfer form.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_REFERENCE_LENGTH = 6


@dataclass(frozen=True, slots=True)
class Conversion:
    """A conversion as recorded; ``transaction_batch`` links it to its ledger entries."""

    id: int
    account: str
    method: str
    amount: int
    bonus: int
    status: str
    reference: str | None
    payment_reference: str | None
    office: str | None
    bank_reference: str | None
    transaction_batch: str | None
    created_at: datetime
    settled_at: datetime | None
    # The rule change whose bonus applied (see monnaie_locale.rules); None: the settings'.
    bonus_rule: int | None = None


def _check_amount(deployment: Deployment, account: Account, amount: int) -> None:
    check_positive(amount)
    limit = deployment.max_conversion.get(account.kind)
    if limit is not None and amount > limit:
        raise ConversionLimitExceeded(account.code, amount, limit)


def _entries(
    deployment: Deployment, *, account: str, source: str, amount: int, reference: str
) -> list[TransferRequest]:
    issued = TransferRequest(
        legs=(
            Leg(source, -amount),
            Leg(EXTERNAL, amount),
            Leg(ISSUANCE, -amount),
            Leg(account, amount),
        ),
        kind="conversion",
        reference=reference,
    )
    bonus = deployment.bonus_for(amount)
    if not bonus:
        return [issued]
    funded = TransferRequest(
        legs=(
            Leg(RESERVE_DIGITAL, -bonus),
            Leg(ASSOCIATION_OPERATING, bonus),
            Leg(ISSUANCE, -bonus),
            Leg(account, bonus),
            Leg(EXPENSE_BONUS, -bonus),
            Leg(EXTERNAL, bonus),
        ),
        kind="conversion_bonus",
        reference=reference,
    )
    return [issued, funded]


def _insert(conn: Connection, **values: Any) -> int:
    return int(
        conn.execute(insert(conversions).values(**values).returning(conversions.c.id)).scalar_one()
    )


def _new_reference(conn: Connection, deployment: Deployment, **values: Any) -> int:
    """Insert an order under a fresh random reference, drawing again on a collision."""
    for _ in range(10):
        code = "".join(secrets.choice(_ALPHABET) for _ in range(_REFERENCE_LENGTH))
        try:
            with conn.begin_nested():
                return _insert(conn, reference=f"{deployment.unit.code}-{code}", **values)
        except IntegrityError:
            continue
    raise InvalidRequest("could not draw a free conversion reference; try again")


def order_conversion(
    conn: Connection,
    deployment: Deployment,
    *,
    account: str,
    amount: int,
    idempotency_key: str,
    clock: Clock,
) -> Conversion:
    """Record a bank-transfer conversion order; its ``reference`` goes on the transfer."""
    first = claim_operation(conn, idempotency_key, request=f"order|{account}|{amount}", clock=clock)
    if first is not None:
        return load_conversion(conn, int(first.removeprefix("conversion:")))
    deployment = in_force(conn, deployment, on=clock().date())
    holder = holder_account(conn, deployment, account)
    _check_amount(deployment, holder, amount)
    conversion_id = _new_reference(
        conn,
        deployment,
        account_id=holder.id,
        method="transfer",
        amount=amount,
        bonus=deployment.bonus_for(amount),
        bonus_rule=deployment.rule_versions.get("conversion_bonus"),
        status="pending",
        created_at=clock(),
    )
    finish_operation(conn, idempotency_key, f"conversion:{conversion_id}")
    return load_conversion(conn, conversion_id)


def credit_conversion_order(
    conn: Connection,
    deployment: Deployment,
    *,
    reference: str,
    amount: int,
    bank_reference: str,
    clock: Clock,
    on: date | None = None,
) -> Conversion:
    """Issue the units of a pending order once its ``amount`` is seen at the bank.

    ``on`` is the bank's booking day, when not today.

    Crediting again with the same ``bank_reference`` returns the credited order and moves
    nothing; any other second credit is refused.
    """
    check_plain_text(bank_reference, "bank reference", max_length=MAX_REFERENCE)
    order = order_by_reference(conn, reference)
    if order.status == "credited" and order.bank_reference == bank_reference:
        return order
    if order.status != "pending":
        raise WrongState("conversion order", reference, order.status, "pending")
    if amount != order.amount:
        raise AmountMismatch(f"conversion order {reference}", order.amount, amount)
    # The bonus of the day the order was placed, as the order recorded it.
    deployment = in_force(conn, deployment, on=order.created_at.date())
    batch = post_entries(
        conn,
        _entries(
            deployment,
            account=order.account,
            source=RESERVE_DIGITAL,
            amount=order.amount,
            reference=reference,
        ),
        key=f"conversion:{order.id}:credit",
        clock=clock,
        on=on,
    )
    _settle(
        conn,
        order,
        status="credited",
        now=clock(),
        bank_reference=bank_reference,
        batch=batch,
        bonus=(
            deployment.bonus_for(order.amount),
            deployment.rule_versions.get("conversion_bonus"),
        ),
    )
    ensure_coverage(conn, deployment, batch=batch)
    return load_conversion(conn, order.id)


def cancel_conversion_order(conn: Connection, *, reference: str, clock: Clock) -> Conversion:
    """Cancel a pending order (the transfer never came, or came back)."""
    order = order_by_reference(conn, reference)
    if order.status != "pending":
        raise WrongState("conversion order", reference, order.status, "pending")
    _settle(conn, order, status="cancelled", now=clock())
    return load_conversion(conn, order.id)


def _settle(
    conn: Connection,
    order: Conversion,
    *,
    status: str,
    now: datetime,
    bank_reference: str | None = None,
    batch: str | None = None,
    bonus: tuple[int, int | None] | None = None,
) -> None:
    # The bonus credited and its rule, recorded as they applied.
    applied = {} if bonus is None else {"bonus": bonus[0], "bonus_rule": bonus[1]}
    # Conditional on "pending", so two concurrent credits cannot both go through.
    changed = conn.execute(
        update(conversions)
        .where(conversions.c.id == order.id, conversions.c.status == "pending")
        .values(
            status=status,
            settled_at=now,
            bank_reference=bank_reference,
            transaction_batch=batch,
            **applied,
        )
    ).rowcount
    if changed != 1:
        current = load_conversion(conn, order.id)
        raise WrongState("conversion order", order.reference, current.status, "pending")


def convert_by_card(
    conn: Connection,
    deployment: Deployment,
    *,
    account: str,
    amount: int,
    payment_reference: str,
    idempotency_key: str,
    clock: Clock,
    on: date | None = None,
) -> Conversion:
    """Issue units paid by card or online; ``payment_reference`` may be used only once."""
    if not payment_reference.strip() or len(payment_reference) > 120:
        raise InvalidRequest("a card payment needs its reference, 1 to 120 characters")
    check_plain_text(payment_reference, "card payment reference", max_length=120)
    return _convert_now(
        conn,
        deployment,
        account=account,
        amount=amount,
        method="card",
        source=RESERVE_DIGITAL,
        idempotency_key=idempotency_key,
        clock=clock,
        payment_reference=payment_reference,
        on=on,
    )


def convert_cash(
    conn: Connection,
    deployment: Deployment,
    *,
    office: str,
    account: str,
    amount: int,
    idempotency_key: str,
    clock: Clock,
    on: date | None = None,
) -> Conversion:
    """Issue units for cash paid at an exchange office; the euros go into its till.

    ``on`` is the day the cash was taken, when not today (a conversion taken at an
    office yesterday and entered now).
    """
    till = get_account(conn, office_till(office))
    return _convert_now(
        conn,
        deployment,
        account=account,
        amount=amount,
        method="cash",
        source=till.code,
        idempotency_key=idempotency_key,
        clock=clock,
        office=office,
        on=on,
    )


def _convert_now(
    conn: Connection,
    deployment: Deployment,
    *,
    account: str,
    amount: int,
    method: str,
    source: str,
    idempotency_key: str,
    clock: Clock,
    payment_reference: str | None = None,
    office: str | None = None,
    on: date | None = None,
) -> Conversion:
    request = f"{method}|{account}|{amount}|{payment_reference}|{office}"
    if on is not None:
        request += f"|on:{on.isoformat()}"
    first = claim_operation(conn, idempotency_key, request=request, clock=clock)
    if first is not None:
        return load_conversion(conn, int(first.removeprefix("conversion:")))
    deployment = in_force(conn, deployment, on=clock().date())
    holder = holder_account(conn, deployment, account)
    _check_amount(deployment, holder, amount)
    if payment_reference is not None and _payment_used(conn, payment_reference):
        raise WrongState("card payment", payment_reference, "already used", "unused")
    now = clock()
    conversion_id = _insert(
        conn,
        account_id=holder.id,
        method=method,
        amount=amount,
        bonus=deployment.bonus_for(amount),
        bonus_rule=deployment.rule_versions.get("conversion_bonus"),
        status="credited",
        payment_reference=payment_reference,
        office=office,
        created_at=now,
        settled_at=now,
    )
    reference = f"{deployment.unit.code}-C{conversion_id}"
    batch = post_entries(
        conn,
        _entries(deployment, account=account, source=source, amount=amount, reference=reference),
        key=idempotency_key,
        clock=clock,
        on=on,
    )
    conn.execute(
        update(conversions)
        .where(conversions.c.id == conversion_id)
        .values(transaction_batch=batch, reference=reference)
    )
    ensure_coverage(conn, deployment, batch=batch)
    finish_operation(conn, idempotency_key, f"conversion:{conversion_id}")
    return load_conversion(conn, conversion_id)


def _payment_used(conn: Connection, payment_reference: str) -> bool:
    found = conn.execute(
        select(conversions.c.id).where(conversions.c.payment_reference == payment_reference)
    ).first()
    return found is not None


_COLUMNS = (conversions, accounts.c.code.label("account_code"))


def load_conversion(conn: Connection, conversion_id: int) -> Conversion:
    row = conn.execute(
        select(*_COLUMNS)
        .join(accounts, accounts.c.id == conversions.c.account_id)
        .where(conversions.c.id == conversion_id)
    ).first()
    if row is None:
        raise UnknownRecord("conversion", conversion_id)
    return _from_row(row)


def order_by_reference(conn: Connection, reference: str) -> Conversion:
    """The bank-transfer order carrying ``reference``."""
    row = conn.execute(
        select(*_COLUMNS)
        .join(accounts, accounts.c.id == conversions.c.account_id)
        .where(conversions.c.reference == reference, conversions.c.method == "transfer")
    ).first()
    if row is None:
        raise UnknownRecord("conversion order", reference)
    return _from_row(row)


def pending_conversion_orders(conn: Connection) -> list[Conversion]:
    """Bank-transfer orders still waiting for their money, oldest first."""
    rows = conn.execute(
        select(*_COLUMNS)
        .join(accounts, accounts.c.id == conversions.c.account_id)
        .where(conversions.c.status == "pending")
        .order_by(conversions.c.id)
    ).all()
    return [_from_row(row) for row in rows]


def _from_row(row: Any) -> Conversion:
    return Conversion(
        id=row.id,
        account=row.account_code,
        method=row.method,
        amount=row.amount,
        bonus=row.bonus,
        status=row.status,
        reference=row.reference,
        payment_reference=row.payment_reference,
        office=row.office,
        bank_reference=row.bank_reference,
        transaction_batch=row.transaction_batch,
        created_at=as_utc(row.created_at),
        settled_at=as_utc(row.settled_at) if row.settled_at else None,
        bonus_rule=row.bonus_rule,
    )


def conversion_orders_of(conn: Connection, account: str, *, limit: int = 20) -> list[Conversion]:
    """The account's latest bank-transfer orders, newest first, whatever their status."""
    rows = conn.execute(
        select(*_COLUMNS)
        .join(accounts, accounts.c.id == conversions.c.account_id)
        .where(accounts.c.code == account, conversions.c.method == "transfer")
        .order_by(conversions.c.id.desc())
        .limit(limit)
    ).all()
    return [_from_row(row) for row in rows]
