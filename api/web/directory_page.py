"""The public directory: the businesses that accept the currency and the exchange offices.

================================  ======================================================
Page                              Who may open it
================================  ======================================================
``GET /annuaire``                 anyone: listed businesses by name, category or town
                                  (accents and case aside), and the offices with their
                                  address and opening hours
================================  ======================================================

It is what the wallet's "send" and the pay page rely on to name a business: the shown
name is the account's own, never text a visitor typed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.deps import Public
from api.web.home import optional_user
from api.web.rendering import PageRoute, render
from monnaie_locale.acts import directory

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Public], route_class=PageRoute)

Text = Annotated[str, Query(max_length=80)]


@router.get("/annuaire", response_class=Response)
async def directory_page(
    request: Request, q: Text = "", ville: Text = "", categorie: Text = ""
) -> Response:
    database = request.app.state.database
    businesses = directory.search_businesses(
        database, q, town=ville or None, category=categorie or None, limit=100
    )
    return render(
        request,
        "web/directory.html",
        {
            "q": q,
            "town": ville,
            "category": categorie,
            "businesses": businesses,
            "offices": directory.list_office_places(database),
        },
        user=await optional_user(request),
    )
