"""Payments as stored: the row, its request, both accounts, its transaction and receipt.

Read back by :func:`get_payment` (a receipt page, a refund), and by the payment flow itself
when a retry under the same idempotency key must return the first payment unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import aliased

from monnaie_locale.checkout.errors import UnknownPayment
from monnaie_locale.ledger.posting import load_transaction
from monnaie_locale.model import Transaction
from monnaie_locale.payments.request import RequestKind
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_checkout import (
    checkout_events,
    checkout_payments,
    payment_requests,
)

__all__ = ["Payment", "get_payment", "payment_by_key", "payment_from_row"]


@dataclass(frozen=True, slots=True)
class Payment:
    """A booked QR payment, with the ledger transaction and the signed receipt."""

    id: int
    request_id: str
    kind: RequestKind
    merchant_account: str
    merchant_account_id: int
    merchant_name: str  # from the account table: its display name, else its code
    payer_account: str
    payer_account_id: int
    amount: int
    refunded: int
    transaction: Transaction
    receipt: dict[str, Any]  # the signed receipt, as sent to the till
    event_id: int
    replayed: bool = False  # True when a retry got the first payment back

    @property
    def refundable(self) -> int:
        return self.amount - self.refunded


def get_payment(conn: Connection, payment_id: int, *, replayed: bool = False) -> Payment:
    """The payment ``payment_id``; :class:`UnknownPayment` if there is none."""
    row = conn.execute(_select_payments().where(checkout_payments.c.id == payment_id)).first()
    if row is None:
        raise UnknownPayment(payment_id)
    return payment_from_row(conn, row, replayed=replayed)


def payment_by_key(conn: Connection, key: str) -> Any:
    """The stored row of the payment made under idempotency ``key``, or None."""
    return conn.execute(
        _select_payments().where(checkout_payments.c.idempotency_key == key)
    ).first()


_payer = aliased(accounts, name="payer")
_merchant = aliased(accounts, name="merchant")


def _select_payments() -> Any:
    return (
        select(
            checkout_payments,
            payment_requests.c.request_id,
            payment_requests.c.kind,
            payment_requests.c.token,
            _payer.c.code.label("payer_code"),
            _merchant.c.code.label("merchant_code"),
            _merchant.c.display_name.label("merchant_display_name"),
        )
        .join(payment_requests, payment_requests.c.id == checkout_payments.c.request_row_id)
        .join(_payer, _payer.c.id == checkout_payments.c.payer_account_id)
        .join(_merchant, _merchant.c.id == checkout_payments.c.merchant_account_id)
    )


def payment_from_row(conn: Connection, row: Any, *, replayed: bool) -> Payment:
    """The payment of a row read by :func:`payment_by_key`."""
    event_id = conn.execute(
        select(checkout_events.c.id).where(
            checkout_events.c.payment_id == row.id, checkout_events.c.kind == "payment"
        )
    ).scalar_one()
    return Payment(
        id=row.id,
        request_id=row.request_id,
        kind=RequestKind.DYNAMIC if row.kind == "dynamic" else RequestKind.STATIC,
        merchant_account=row.merchant_code,
        merchant_account_id=row.merchant_account_id,
        merchant_name=row.merchant_display_name or row.merchant_code,
        payer_account=row.payer_code,
        payer_account_id=row.payer_account_id,
        amount=row.amount,
        refunded=row.refunded,
        transaction=load_transaction(conn, row.transaction_id),
        receipt=json.loads(row.receipt),
        event_id=int(event_id),
        replayed=replayed,
    )
