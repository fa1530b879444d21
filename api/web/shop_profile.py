"""The merchant's space: the shop as the directory shows it.

The owner writes the shop's category, town, description and address, and whether it is
listed; its name is the account's own, shown but not written here.

==========================  ======================================================
Page                        Who may open it
==========================  ======================================================
``GET /commerce/profil``    the shop's owner: the shop's directory profile
``POST /commerce/profil``   the same: write it, every field at once
==========================  ======================================================
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response

from api.web.rendering import PageRoute, redirect, render
from api.web.session import CheckedForm
from api.web.shop import Ok, form_text, shop_of, staff_of
from monnaie_locale.acting import Context
from monnaie_locale.acts import directory

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/commerce/profil", response_class=Response)
def profile_page(
    request: Request,
    ctx: Annotated[Context, staff_of(directory.get_business_profile)],
    ok: Ok = None,
) -> Response:
    try:
        profile = directory.get_business_profile(ctx, shop_of(ctx))
    except directory.NoProfile:
        profile = None  # not in the directory yet: the form starts empty
    return render(
        request,
        "web/shop_profile.html",
        {"profile": profile, "ok": ok == "saved"},
        user=ctx.actor,
    )


@router.post("/commerce/profil", response_class=Response)
def save_profile(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, staff_of(directory.set_business_profile)],
) -> Response:
    directory.set_business_profile(
        ctx,
        shop_of(ctx),
        category=form_text(form, "category", limit=5000),
        town=form_text(form, "town", limit=5000),
        description=form_text(form, "description", limit=5000) or None,
        address=form_text(form, "address", limit=5000) or None,
        listed=form.get("listed") == "on",
    )
    return redirect(request, "/commerce/profil?ok=saved")
