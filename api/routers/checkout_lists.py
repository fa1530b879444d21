"""A shop's payments and payment requests, listed newest first, in pages.

``GET /v1/checkout/payments?account=...`` lists what the shop was paid, by QR codes of
the till and by its printed counter code alike, each with its signed receipt and what was
refunded of it; ``GET /v1/checkout/requests?account=...`` lists the requests it issued
and what became of each (open, paid, cancelled, or expired). The caller must hold the
account, or have a role that reads every account (office and association operators,
auditors, administrators), as :mod:`monnaie_locale.acts.checkout` decides. A page is
continued with the ``next_cursor`` of the previous one, so what comes in meanwhile never
shifts the pages being read.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.checkout_runtime import CheckoutDep
from api.cursors import Cursor, decode_cursor, encode_cursor
from api.deps import acting
from api.problems import problem_responses
from api.schemas.checkout import (
    AccountQuery,
    PaymentLineOut,
    PaymentPage,
    RequestOut,
    RequestPage,
)
from monnaie_locale.acting import Context
from monnaie_locale.acts import checkout
from monnaie_locale.checkout.listings import MAX_PAGE

__all__ = ["router"]

router = APIRouter(prefix="/v1/checkout", tags=["checkout"])

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE - 1, description="Lines per page.")]
_PAYMENTS, _REQUESTS = "p", "q"


@router.get(
    "/payments",
    summary="The shop's payments, newest first, in pages: counter code and till alike",
    responses=problem_responses(401, 403, 404, 422),
)
def list_payments(
    account: AccountQuery,
    ctx: Annotated[Context, acting(checkout.list_payments)],
    cursor: Cursor = None,
    limit: Limit = 50,
) -> PaymentPage:
    before = decode_cursor(_PAYMENTS, cursor) or None
    # One line more than the page: whether there is a next page, without counting.
    found = checkout.list_payments(ctx, account, before_id=before, limit=limit + 1)
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
    ctx: Annotated[Context, acting(checkout.list_requests)],
    runtime: CheckoutDep,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> RequestPage:
    before = decode_cursor(_REQUESTS, cursor) or None
    found = checkout.list_requests(ctx, account, before_id=before, limit=limit + 1)
    page, more = found[:limit], len(found) > limit
    now = ctx.clock()
    return RequestPage(
        items=[RequestOut.of(issued, host=runtime.public_host, now=now) for issued in page],
        next_cursor=encode_cursor(_REQUESTS, page[-1].id) if more else None,
    )
