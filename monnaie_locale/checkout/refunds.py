"""Refunds: the merchant pays a customer back, linked to the original payment.

A refund moves money from the merchant's account back to the account that paid, names the
payment it belongs to, and can never take the refunds of a payment above what was paid:
the payment row's ``refunded`` total is raised by a conditional ``UPDATE ... WHERE
refunded + amount <= amount paid`` (concurrent refunds queue on that row and each re-checks
the sum), and a CHECK constraint holds the same line in the schema. Like a payment, a
refund is idempotent per key, writes a signed receipt, and appears in the merchant's feed.

The cashier's limit. A cashier refunds alone up to a limit *per credential and per day*
of the deployment's zone (:class:`CashierAllowance`): the sum of what one cashier's
sign-in, or one terminal's API key, refunded since midnight there (``MLC_TIME_ZONE``,
Europe/Paris by default), this refund included, may not pass it; above it the
shop's owner refunds. A limit per refund would let a cashier split one large refund into
several small ones. The sum is a counter row per credential and day, raised in the
refund's transaction the same way as the payment's total (``UPDATE ... WHERE refunded +
amount <= limit``), so concurrent refunds cannot all pass, and a refund refused later in
its transaction (funds, what remains of the payment) rolls its share back. A retry under
the same idempotency key returns the first refund and is not counted again. The day is
the shop's own: a refund at 00:30 in Paris counts on the new day, as the cashier sees it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from monnaie_locale.checkout.directory import account_by_id
from monnaie_locale.checkout.errors import RefundExceedsPayment, RefundLimitExceeded
from monnaie_locale.checkout.events import record_event
from monnaie_locale.checkout.idempotency import checked_key, ledger_key
from monnaie_locale.checkout.payment_records import get_payment
from monnaie_locale.checkout.receipts import receipt_json, signed_receipt
from monnaie_locale.clock import Clock, as_utc, day_in
from monnaie_locale.errors import IdempotencyConflict
from monnaie_locale.ledger.posting import load_transaction
from monnaie_locale.ledger.service import post_transfer
from monnaie_locale.model import Transaction, TransferRequest, check_positive
from monnaie_locale.payments.keys import KeyRing
from monnaie_locale.store.tables_checkout import (
    cashier_refund_days,
    checkout_payments,
    checkout_refunds,
)

__all__ = ["REFUND_KIND", "CashierAllowance", "Refund", "refund", "refunds_of"]

REFUND_KIND = "qr_refund"


@dataclass(frozen=True, slots=True)
class CashierAllowance:
    """What a cashier may refund alone: ``daily_limit`` minor units per day in ``zone``
    (the deployment's), summed over the refunds of the credential ``subject``."""

    subject: str  # "user:12" for a cashier's sign-in, "key:3" for a terminal's API key
    daily_limit: int
    zone: tzinfo = UTC


@dataclass(frozen=True, slots=True)
class Refund:
    """A booked refund of (part of) a payment."""

    id: int
    payment_id: int
    merchant_account_id: int  # whose feed the refund appears in: publish to it after commit
    amount: int
    transaction: Transaction
    receipt: dict[str, Any]
    created_at: datetime
    replayed: bool = False


def refund(
    conn: Connection,
    payment_id: int,
    *,
    amount: int,
    idempotency_key: str,
    keyring: KeyRing,
    clock: Clock,
    cashier: CashierAllowance | None = None,
) -> Refund:
    """Refund ``amount`` of payment ``payment_id`` to its payer, once per key; a
    ``cashier`` only within what its daily allowance has left."""
    check_positive(amount)
    checked_key(idempotency_key)
    previous = _replay(conn, idempotency_key, payment_id=payment_id, amount=amount)
    if previous is not None:
        return previous
    now = clock()
    payment = get_payment(conn, payment_id)
    if cashier is not None:
        _charge_allowance(conn, cashier, amount=amount, day=day_in(now, cashier.zone))
    raised = conn.execute(
        update(checkout_payments)
        .where(
            checkout_payments.c.id == payment_id,
            checkout_payments.c.refunded + amount <= checkout_payments.c.amount,
        )
        .values(refunded=checkout_payments.c.refunded + amount)
        .returning(checkout_payments.c.id)
    ).first()
    if raised is None:
        current = get_payment(conn, payment_id)
        raise RefundExceedsPayment(payment_id, amount=amount, refundable=current.refundable)
    transaction = post_transfer(
        conn,
        TransferRequest.simple(
            payment.merchant_account,
            payment.payer_account,
            amount,
            kind=REFUND_KIND,
            memo=f"refund of QR payment {payment_id}",
            reference=f"payment:{payment_id}",
        ),
        idempotency_key=ledger_key("refund", idempotency_key),
        clock=clock,
    )
    receipt = signed_receipt(
        conn,
        transaction=transaction,
        request_id=payment.request_id,
        payer=account_by_id(conn, payment.merchant_account_id),
        payee=account_by_id(conn, payment.payer_account_id),
        amount=amount,
        keyring=keyring,
        now=now,
    )
    data = receipt_json(receipt)
    refund_id = conn.execute(
        insert(checkout_refunds)
        .values(
            payment_id=payment_id,
            amount=amount,
            transaction_id=transaction.id,
            idempotency_key=idempotency_key,
            receipt=data,
            created_at=now,
        )
        .returning(checkout_refunds.c.id)
    ).scalar_one()
    record_event(
        conn,
        merchant_account_id=payment.merchant_account_id,
        kind="refund",
        payment_id=payment_id,
        refund_id=refund_id,
        transaction_id=transaction.id,
        data=data,
        now=now,
    )
    return _load(conn, checkout_refunds.c.id == refund_id, replayed=False)[0]


def _charge_allowance(
    conn: Connection, cashier: CashierAllowance, *, amount: int, day: date
) -> None:
    """Add ``amount`` to what the cashier refunded on ``day``, or refuse past its limit."""
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(
        dialect_insert(cashier_refund_days)
        .values(subject=cashier.subject, day=day, refunded=0)
        .on_conflict_do_nothing(index_elements=["subject", "day"])
    )
    row = (cashier_refund_days.c.subject == cashier.subject) & (cashier_refund_days.c.day == day)
    # Conditional: a concurrent refund of the same cashier waits for this row, then
    # re-checks the sum it committed.
    raised = conn.execute(
        update(cashier_refund_days)
        .where(row, cashier_refund_days.c.refunded + amount <= cashier.daily_limit)
        .values(refunded=cashier_refund_days.c.refunded + amount)
        .returning(cashier_refund_days.c.refunded)
    ).first()
    if raised is None:
        refunded = conn.execute(select(cashier_refund_days.c.refunded).where(row)).scalar_one()
        raise RefundLimitExceeded(amount=amount, limit=cashier.daily_limit, refunded=refunded)


def refunds_of(conn: Connection, payment_id: int) -> list[Refund]:
    """The refunds of a payment, oldest first."""
    return _load(conn, checkout_refunds.c.payment_id == payment_id, replayed=False)


def _replay(conn: Connection, key: str, *, payment_id: int, amount: int) -> Refund | None:
    found = _load(conn, checkout_refunds.c.idempotency_key == key, replayed=True)
    if not found:
        return None
    if found[0].payment_id != payment_id or found[0].amount != amount:
        raise IdempotencyConflict(key)
    return found[0]


def _load(conn: Connection, condition: Any, *, replayed: bool) -> list[Refund]:
    rows = conn.execute(
        select(checkout_refunds, checkout_payments.c.merchant_account_id)
        .join(checkout_payments, checkout_payments.c.id == checkout_refunds.c.payment_id)
        .where(condition)
        .order_by(checkout_refunds.c.id)
    ).all()
    return [
        Refund(
            id=row.id,
            payment_id=row.payment_id,
            merchant_account_id=row.merchant_account_id,
            amount=row.amount,
            transaction=load_transaction(conn, row.transaction_id),
            receipt=json.loads(row.receipt),
            created_at=as_utc(row.created_at),
            replayed=replayed,
        )
        for row in rows
    ]
