"""A shop's payments and payment requests, newest first, a page at a time.

A merchant checks what came in during the day, what a counter code took, what a request
became; an auditor reads the same. Both lists go by row id, newest first: a page is read
after the last id of the previous one, so rows written meanwhile never shift the pages
being read. A payment is listed with its signed receipt and what was refunded of it, read
in one statement; a request as :func:`~monnaie_locale.checkout.requests.get_request` reads
it. Who may read which shop is decided by the acts (:mod:`monnaie_locale.acts.checkout`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import aliased

from monnaie_locale.checkout.requests import IssuedRequest, requests_where
from monnaie_locale.clock import as_utc
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.payments.request import RequestKind
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_checkout import (
    checkout_events,
    checkout_payments,
    payment_requests,
)

__all__ = ["MAX_PAGE", "PaymentLine", "payments_of", "requests_of"]

MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class PaymentLine:
    """A payment to the shop as its list shows it."""

    id: int
    request_id: str
    kind: RequestKind
    payer_account: str
    amount: int
    refunded: int
    transaction_id: int
    event_id: int
    receipt: dict[str, Any]
    created_at: datetime


def payments_of(
    conn: Connection, merchant_account: str, *, before_id: int | None = None, limit: int = 50
) -> list[PaymentLine]:
    """Up to ``limit`` payments to ``merchant_account``, newest first, below ``before_id``."""
    _check_limit(limit)
    merchant = get_account(conn, merchant_account)
    payer = aliased(accounts, name="payer")
    query = (
        select(
            checkout_payments,
            payment_requests.c.request_id,
            payment_requests.c.kind,
            payer.c.code.label("payer_code"),
            checkout_events.c.id.label("event_id"),
        )
        .join(payment_requests, payment_requests.c.id == checkout_payments.c.request_row_id)
        .join(payer, payer.c.id == checkout_payments.c.payer_account_id)
        .join(
            checkout_events,
            (checkout_events.c.payment_id == checkout_payments.c.id)
            & (checkout_events.c.kind == "payment"),
        )
        .where(checkout_payments.c.merchant_account_id == merchant.id)
    )
    if before_id is not None:
        query = query.where(checkout_payments.c.id < before_id)
    rows = conn.execute(query.order_by(checkout_payments.c.id.desc()).limit(limit)).all()
    return [_line(row) for row in rows]


def requests_of(
    conn: Connection, merchant_account: str, *, before_id: int | None = None, limit: int = 50
) -> list[IssuedRequest]:
    """Up to ``limit`` requests issued for ``merchant_account``, newest first."""
    _check_limit(limit)
    merchant = get_account(conn, merchant_account)
    condition = payment_requests.c.merchant_account_id == merchant.id
    if before_id is not None:
        condition = condition & (payment_requests.c.id < before_id)
    return requests_where(conn, condition, newest_first=True, limit=limit)


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidRequest(f"ask for 1 to {MAX_PAGE} at a time")


def _line(row: Any) -> PaymentLine:
    return PaymentLine(
        id=row.id,
        request_id=row.request_id,
        kind=RequestKind.DYNAMIC if row.kind == "dynamic" else RequestKind.STATIC,
        payer_account=row.payer_code,
        amount=row.amount,
        refunded=row.refunded,
        transaction_id=row.transaction_id,
        event_id=row.event_id,
        receipt=json.loads(row.receipt),
        created_at=as_utc(row.created_at),
    )
