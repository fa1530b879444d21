"""The merchant's space: the shop's cashiers, as its owner manages them.

A shop's owner adds a cashier (who may sign in at once), disables one (their sessions end
at once), lets them back in, and sets a new password for one who forgot theirs.

==================================================  ========================================
Page                                                Who may open it
==================================================  ========================================
``GET /commerce/caissiers``                         the shop's owner: its cashiers
``POST /commerce/caissiers``                        the same: add a cashier
``POST /commerce/caissiers/{username}/desactiver``  the same: stop a cashier signing in
``POST /commerce/caissiers/{username}/reactiver``   the same: let them sign in again
``POST /commerce/caissiers/{username}/mot-de-passe``  the same: a new password
==================================================  ========================================
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from api.web.rendering import PageRoute, redirect, render
from api.web.session import CheckedForm
from api.web.shop import Ok, form_text, shop_of, staff_of
from monnaie_locale.acting import Context
from monnaie_locale.acts import cashiers

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

Username = Annotated[str, Path(min_length=1, max_length=150)]
_OK = ("added", "disabled", "enabled", "password")


@router.get("/commerce/caissiers", response_class=Response)
def cashiers_page(
    request: Request,
    ctx: Annotated[Context, staff_of(cashiers.list_cashiers)],
    ok: Ok = None,
) -> Response:
    found = cashiers.list_cashiers(ctx, shop_of(ctx))
    return render(
        request,
        "web/shop_cashiers.html",
        {"cashiers": found, "ok": ok if ok in _OK else None},
        user=ctx.actor,
    )


@router.post("/commerce/caissiers", response_class=Response)
def add_cashier(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, staff_of(cashiers.add_cashier)],
) -> Response:
    cashiers.add_cashier(
        ctx,
        shop_of(ctx),
        form_text(form, "username", limit=151),
        str(form.get("password", ""))[:1000],
    )
    return redirect(request, "/commerce/caissiers?ok=added")


@router.post("/commerce/caissiers/{username}/desactiver", response_class=Response)
def disable_cashier(
    request: Request,
    username: Username,
    form: CheckedForm,
    ctx: Annotated[Context, staff_of(cashiers.disable_cashier)],
) -> Response:
    cashiers.disable_cashier(ctx, shop_of(ctx), username)
    return redirect(request, "/commerce/caissiers?ok=disabled")


@router.post("/commerce/caissiers/{username}/reactiver", response_class=Response)
def enable_cashier(
    request: Request,
    username: Username,
    form: CheckedForm,
    ctx: Annotated[Context, staff_of(cashiers.enable_cashier)],
) -> Response:
    cashiers.enable_cashier(ctx, shop_of(ctx), username)
    return redirect(request, "/commerce/caissiers?ok=enabled")


@router.post("/commerce/caissiers/{username}/mot-de-passe", response_class=Response)
def reset_password(
    request: Request,
    username: Username,
    form: CheckedForm,
    ctx: Annotated[Context, staff_of(cashiers.reset_cashier_password)],
) -> Response:
    password = str(form.get("password", ""))[:1000]
    cashiers.reset_cashier_password(ctx, shop_of(ctx), username, password)
    return redirect(request, "/commerce/caissiers?ok=password")
