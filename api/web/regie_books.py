"""What a régie collected: the day's quittances, and one quittance again.

The quittances of a day are those issued on that day in the books' zone, with the day's
totals in units and in euros; any of them prints again, as it was issued.

==============================================  =========================================
Page                                            Who may open it
==============================================  =========================================
``GET /regie/{code}/quittances``                the régie's people: the day's quittances
                                                (``?jour=2026-12-31``, today by default)
``GET /regie/{code}/quittances/{year}/{no}``    the same: one quittance, to print again
==============================================  =========================================
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.web.fields import optional_day
from api.web.regie_space import RegieCode, regie_page, regie_people_of
from api.web.rendering import PageRoute
from monnaie_locale.acting import Context
from monnaie_locale.acts import authorities, regie_counter

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

Day = Annotated[str | None, Query(max_length=10)]
Year = Annotated[int, Path(ge=2000, le=9998)]
Number = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/regie/{code}/quittances", response_class=Response)
def day_quittances(
    request: Request,
    code: RegieCode,
    ctx: Annotated[Context, regie_people_of(regie_counter.list_quittances)],
    jour: Day = None,
) -> Response:
    regie = authorities.get_regie(ctx, code)
    day = optional_day(jour) or ctx.deployment.today(ctx.clock())
    found = regie_counter.list_quittances(ctx, regie.code, start=day, end=day)
    totals = {
        "count": len(found),
        "units": sum(q.units for q in found),
        "euros": sum(q.euros for q in found),
    }
    return regie_page(
        request,
        ctx,
        "web/regie_quittances.html",
        regie,
        {"on": day, "quittances": found, "totals": totals},
    )


@router.get("/regie/{code}/quittances/{year}/{number}", response_class=Response)
def one_quittance(
    request: Request,
    code: RegieCode,
    year: Year,
    number: Number,
    ctx: Annotated[Context, regie_people_of(regie_counter.get_quittance)],
) -> Response:
    regie = authorities.get_regie(ctx, code)
    quittance = regie_counter.get_quittance(ctx, regie.code, year, number)
    return regie_page(request, ctx, "web/regie_quittance.html", regie, {"quittance": quittance})
