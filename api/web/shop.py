"""The merchant's space: the shop's home, its payments and refunds, its printed counter code.

The shop is the business account the signed-in owner or cashier holds. Each page admits
the merchant's staff (who work the till, :func:`~monnaie_locale.acts.checkout.issue_request`)
among the roles of the act it calls, as the API admits an act's roles: a cashier is
refused what only the owner may do, and the act itself checks the rest (a cashier's
refund limit, a payment of another shop).

================================================  ==========================================
Page                                              Who may open it
================================================  ==========================================
``GET /commerce``                                 the shop's owner and cashiers: the till,
                                                  the day's and month's takings, the pages
``GET /commerce/paiements``                       the same: the shop's payments, newest
                                                  first, each with a refund form
``POST /commerce/paiements/{id}/rembourser``      the same: pay (part of) a payment back; a
                                                  cashier within the daily limit
``GET /commerce/qr``                              the shop's owner: the counter code's A6
                                                  sheet, to print
================================================  ==========================================

Webhooks, reconversions and statements are in :mod:`api.web.shop_settings` and
:mod:`api.web.shop_money`.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from markupsafe import Markup

from api.checkout_runtime import CheckoutDep
from api.rate_limit import AttemptLimiter
from api.web.rendering import PageRoute, redirect, render
from api.web.session import CheckedForm, PageContext, form_field
from monnaie_locale.acting import Act, Context
from monnaie_locale.acts import checkout, takings
from monnaie_locale.auth.errors import RoleForbidden
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.money import parse_amount

__all__ = [
    "Ok",
    "count_attempt",
    "form_key",
    "form_text",
    "new_key",
    "router",
    "shop_of",
    "staff_of",
]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

# The merchant's staff: whoever may work the shop's till.
_STAFF = checkout.issue_request.roles
# What a page says after a form's success, by the ``ok`` the form redirects with.
Ok = Annotated[str | None, Query(max_length=40)]
PaymentId = Annotated[int, Path(ge=1, le=2**63 - 1)]
# The counter code a shop's pages print: one per owner, found again on every visit.
_SHEET_KEY = "web:commerce:qr"


def staff_of(act: Act[Any, Any]) -> Any:
    """A page's context for ``act``: admitted are the merchant's staff among the act's roles.

    As the API's :func:`api.deps.acting`: others are refused (403) before any field of
    the form is read; the act checks them again, and everything else, itself.
    """
    allowed = act.roles & _STAFF

    async def context(ctx: PageContext) -> Context:
        if ctx.actor.role not in allowed:
            raise RoleForbidden(str(ctx.actor.role))
        return ctx

    return Depends(context)


def shop_of(ctx: Context) -> str:
    """The shop's account: the one the owner or cashier holds (an act refuses any other)."""
    return min(ctx.actor.accounts, default="")


def form_text(form: Any, name: str, *, limit: int = 200) -> str:
    return form_field(form, name, limit=limit)


def form_key(form: Any) -> str:
    """The idempotency key the form was rendered with: a double submit is one operation."""
    key = form_text(form, "key", limit=101)
    if not key or len(key) > 100 or not key.isascii() or not key.isprintable() or " " in key:
        raise InvalidRequest("the form has expired; reload the page and try again")
    return key


def new_key() -> str:
    return secrets.token_urlsafe(16)


def count_attempt(request: Request, ctx: Context) -> None:
    """Count a form that may move money against the actor's payment attempts, as the API
    counts its calls (:mod:`api.payment_limit`): refused (429) over the limit."""
    limiter: AttemptLimiter = request.app.state.payment_limiter
    limiter.hit(ctx.actor.subject, now=ctx.clock())


@router.get("/commerce", response_class=Response)
def shop_home(request: Request, ctx: Annotated[Context, staff_of(takings.takings)]) -> Response:
    # Today and this month, in the deployment's days: the takings act counts them.
    found = takings.takings(ctx, shop_of(ctx))
    return render(request, "web/shop_home.html", {"takings": found}, user=ctx.actor)


@router.get("/commerce/paiements", response_class=Response)
def payments_page(
    request: Request,
    ctx: Annotated[Context, staff_of(checkout.list_payments)],
    ok: Ok = None,
) -> Response:
    payments = checkout.list_payments(ctx, shop_of(ctx), limit=100)
    return render(
        request,
        "web/shop_payments.html",
        {"payments": payments, "key": new_key(), "ok": ok == "refunded"},
        user=ctx.actor,
    )


@router.post("/commerce/paiements/{payment_id}/rembourser", response_class=Response)
def refund(
    request: Request,
    payment_id: PaymentId,
    form: CheckedForm,
    ctx: Annotated[Context, staff_of(checkout.refund)],
    runtime: CheckoutDep,
) -> Response:
    count_attempt(request, ctx)
    amount = parse_amount(form_text(form, "amount", limit=40))
    checkout.refund(ctx, payment_id, amount, key=form_key(form), services=runtime)
    return redirect(request, "/commerce/paiements?ok=refunded")


@router.get("/commerce/qr", response_class=Response)
def counter_sheet(
    request: Request,
    ctx: Annotated[Context, staff_of(checkout.issue_static_code)],
    runtime: CheckoutDep,
) -> Response:
    # The first visit issues the shop's counter code; every later one finds the same code
    # under the same key, so a reprinted sheet is the one already on the counter.
    code = checkout.issue_static_code(ctx, shop_of(ctx), key=_SHEET_KEY, services=runtime)
    settings = request.app.state.settings
    return render(
        request,
        "web/shop_qr.html",
        {
            "merchant": code.merchant_name,
            "currency_name": settings.currency_name,
            # The core's SVG of the code: the same modules as the API's PNG and sheet.
            "qr": Markup(code.svg(host=runtime.public_host)),
            "url": code.url(host=runtime.public_host),
        },
        user=ctx.actor,
    )
