"""The wallet's other pages: topping it up, the membership, the profile.

A top-up by bank transfer is an order (:func:`monnaie_locale.acts.conversions.
order_conversion`): the page gives the reference to write on the transfer and the
reserve's IBAN, and the units come once the association sees the euros. Notes and units
are also sold at the exchange offices' counters, listed here. Changing the password
revokes every session, this one included: the page keeps the browser signed in with the
fresh token the change returns.

=====================================  ==================================================
Page                                   Who may open it
=====================================  ==================================================
``GET/POST /portefeuille/recharger``   a member or an authority's agent holding one
                                       account: order a conversion, see the orders
``GET /portefeuille/adhesion``         the same: the membership fee and whether it is
                                       paid for the current period
``GET/POST /portefeuille/profil``      the same: name and role, change the password,
                                       sign out on every device
=====================================  ==================================================
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.routers.auth import login_policy
from api.web.rendering import PageRoute, redirect, render
from api.web.session import CheckedForm, PageContext, start_session
from api.web.wallet import form_refusal, new_key
from monnaie_locale.acts import conversions, directory, membership, sessions, wallet
from monnaie_locale.errors import MonnaieLocaleError
from monnaie_locale.money import parse_amount

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

Done = Annotated[str | None, Query(max_length=40)]


def _top_up_page(
    request: Request,
    ctx: PageContext,
    *,
    amount: str = "",
    error: str = "",
    status: int = 200,
    ordered: str | None = None,
) -> Response:
    account = wallet.own_account(ctx)
    orders = wallet.orders(ctx)
    deployment = ctx.deployment
    return render(
        request,
        "web/wallet_topup.html",
        {
            "account": account,
            "orders": orders,
            # Only a reference of the member's own orders is repeated on the page.
            "ordered": next((o for o in orders if o.reference == ordered), None),
            "iban": deployment.reserve_iban,
            "bic": deployment.reserve_bic,
            "association": deployment.association_name,
            # Where notes and units are sold: the public directory's places and hours.
            "offices": directory.list_office_places(ctx.database),
            "amount": amount,
            "key": new_key(),
            "error": error,
        },
        status=status,
        user=ctx.actor,
    )


@router.get("/portefeuille/recharger", response_class=Response)
def top_up_page(request: Request, ctx: PageContext, reference: Done = None) -> Response:
    return _top_up_page(request, ctx, ordered=reference)


@router.post("/portefeuille/recharger", response_class=Response)
def top_up(request: Request, form: CheckedForm, ctx: PageContext) -> Response:
    account = wallet.own_account(ctx)
    typed = str(form.get("amount", ""))[:40]
    key = str(form.get("key", ""))[:64] or new_key()
    try:
        order = conversions.order_conversion(ctx, account.code, parse_amount(typed), key=key)
    except MonnaieLocaleError as error:
        detail, status = form_refusal(request, error)
        return _top_up_page(request, ctx, amount=typed, error=detail, status=status)
    return redirect(request, f"/portefeuille/recharger?reference={order.reference or ''}")


@router.get("/portefeuille/adhesion", response_class=Response)
def membership_page(request: Request, ctx: PageContext) -> Response:
    account = wallet.own_account(ctx)
    fee = membership.account_fee(ctx, account.code)
    return render(
        request,
        "web/wallet_membership.html",
        {"account": account, "fee": fee},
        user=ctx.actor,
    )


def _profile_page(
    request: Request, ctx: PageContext, *, error: str = "", ok: bool = False, status: int = 200
) -> Response:
    account = wallet.own_account(ctx)
    return render(
        request,
        "web/wallet_profile.html",
        {"account": account, "error": error, "ok": ok},
        status=status,
        user=ctx.actor,
    )


@router.get("/portefeuille/profil", response_class=Response)
def profile_page(request: Request, ctx: PageContext, ok: Done = None) -> Response:
    return _profile_page(request, ctx, ok=ok == "mot-de-passe")


@router.post("/portefeuille/profil", response_class=Response)
def change_password(request: Request, form: CheckedForm, ctx: PageContext) -> Response:
    wallet.own_account(ctx)
    settings = request.app.state.settings
    try:
        issued = sessions.change_password(
            ctx,
            current=str(form.get("current", ""))[:1000],
            new=str(form.get("new", ""))[:1000],
            policy=login_policy(settings),
        )
    except MonnaieLocaleError as error:
        detail, status = form_refusal(request, error)
        return _profile_page(request, ctx, error=detail, status=status)
    response = redirect(request, "/portefeuille/profil?ok=mot-de-passe")
    start_session(
        response, issued.token, expires_at=issued.expires_at, settings=settings, now=ctx.clock()
    )
    return response
