"""A shop's payments and payment requests, listed newest first, in pages.

``GET /v1/checkout/payments?account=...`` lists what the shop was paid, by QR codes of
the till and by its printed counter code alike, each with its signed receipt and what was
refunded of it; ``GET /v1/checkout/requests?account=...`` lists the requests it issued
and what became of each (open, paid, cancelled, or expired). The caller must hold the
account, or have a role that reads every account (office and association operators,
auditors, administrators). A page is continued with the ``next_cursor`` of the previous
one, so what comes in meanwhile never shifts the pages being read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.access import EVERYONE
from api.checkout_runtime import CheckoutDep
from api.cursors import Cursor, decode_cursor, encode_cursor
from api.deps import ClockDep, DatabaseDep, require
from api.problems import problem_responses
from api.schemas.checkout import (
    AccountQuery,
    PaymentLineOut,
    PaymentPage,
    RequestOut,
    RequestPage,
)
from monnaie_locale import checkout
from monnaie_locale.auth import Principal
from monnaie_locale.checkout.listings import MAX_PAGE

__all__ = ["router"]

router = APIRouter(prefix="/v1/checkout", tags=["checkout"])

# Every role may ask; what it may read is the accounts it holds, or all for those that
# see all (Principal.check_read).
Reader = Annotated[Principal, require(*EVERYONE)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE - 1, description="Lines per page.")]
_PAYMENTS, _REQUESTS = "p", "q"


@router.get(
    "/payments",
    summary="The shop's payments, newest first, in pages: counter code and till alike",
    responses=problem_responses(401, 403, 404, 422),
)
def list_payments(
    account: AccountQuery,
    principal: Reader,
    database: DatabaseDep,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> PaymentPage:
    principal.check_read(account)
    before = decode_cursor(_PAYMENTS, cursor) or None
    found = database.read(
        lambda conn: checkout.payments_of(conn, account, before_id=before, limit=limit + 1)
    )
    page, more = found[:limit], len(found) > limit
    return PaymentPage(
        items=[PaymentLineOut.of(line) for line in page],
        next_cursor=encode_cursor(_PAYMENTS, page[-1].id) if more else None,
    )


@router.get(
    "/requests",
    summary="The shop's payment requests, newest first, in pages, with what became of each",
    responses=problem_responses(401, 403, 404, 422),
)
def list_requests(
    account: AccountQuery,
    principal: Reader,
    database: DatabaseDep,
    runtime: CheckoutDep,
    clock: ClockDep,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> RequestPage:
    principal.check_read(account)
    before = decode_cursor(_REQUESTS, cursor) or None
    found = database.read(
        lambda conn: checkout.requests_of(conn, account, before_id=before, limit=limit + 1)
    )
    page, more = found[:limit], len(found) > limit
    now = clock()
    return RequestPage(
        items=[RequestOut.of(issued, host=runtime.public_host, now=now) for issued in page],
        next_cursor=encode_cursor(_REQUESTS, page[-1].id) if more else None,
    )
