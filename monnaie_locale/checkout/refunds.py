"""Refunds: the merchant pays a customer back, linked to the original payment.

A refund moves money from the merchant's account back to the account that paid, names the
payment it belongs to, and can never take the refunds of a payment above what was paid:
the payment row's ``refunded`` total is raised by a conditional ``UPDATE ... WHERE
refunded + amount <= amount paid`` (concurrent refunds queue on that row and each re-checks
the sum), and a CHECK constraint holds the same line in the schema. A cashier may refund up
to a limit per refund (``actor_limit``); a larger one needs the owner. Like a payment, a
refund is idempotent per key, writes a signed receipt, and appears in the merchant's feed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from monnaie_locale.checkout.directory import account_by_id
from monnaie_locale.checkout.errors import RefundExceedsPayment, RefundLimitExceeded
from monnaie_locale.checkout.events import record_event
from monnaie_locale.checkout.idempotency import checked_key, ledger_key
from monnaie_locale.checkout.payment_records import get_payment
from monnaie_locale.checkout.receipts import receipt_json, signed_receipt
from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.errors import IdempotencyConflict
from monnaie_locale.ledger.posting import load_transaction
from monnaie_locale.ledger.service import post_transfer
from monnaie_locale.model import Leg, Transaction, TransferRequest, check_positive
from monnaie_locale.payments.keys import KeyRing
from monnaie_locale.store.tables_checkout import checkout_payments, checkout_refunds

__all__ = ["REFUND_KIND", "Refund", "refund", "refunds_of"]

REFUND_KIND = "qr_refund"


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
    actor_limit: int | None = None,
) -> Refund:
    """Refund ``amount`` of payment ``payment_id`` to its payer, once per key."""
    check_positive(amount)
    checked_key(idempotency_key)
    previous = _replay(conn, idempotency_key, payment_id=payment_id, amount=amount)
    if previous is not None:
        return previous
    if actor_limit is not None and amount > actor_limit:
        raise RefundLimitExceeded(amount=amount, limit=actor_limit)
    payment = get_payment(conn, payment_id)
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
    now = clock()
    transaction = post_transfer(
        conn,
        TransferRequest(
            legs=(Leg(payment.merchant_account, -amount), Leg(payment.payer_account, amount)),
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
