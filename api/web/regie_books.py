"""What a régie collected: the day's quittances, one quittance again, the yearly statement.

The quittances of a day are those issued on that day in the books' zone, with the day's
totals in units and in euros; any of them prints again, as it was issued. The yearly
statement is what the public accountant reconciles (the quittances, the versements, the
totals), downloaded as CSV or PDF.

==============================================  =========================================
Page                                            Who may open it
==============================================  =========================================
``GET /regie/{code}/quittances``                the régie's people: the day's quittances
                                                (``?jour=2026-12-31``, today by default)
``GET /regie/{code}/quittances/{year}/{no}``    the same: one quittance, to print again
``GET /regie/{code}/releves``                   the same: the years to download
``GET /regie/{code}/releves/{year}.csv``        the same: the year's statement as CSV
``GET /regie/{code}/releves/{year}.pdf``        the same: as PDF
==============================================  =========================================
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.web.fields import optional_day
from api.web.regie_space import RegieCode, regie_page, regie_people_of
from api.web.rendering import PageRoute, language_of
from monnaie_locale.acting import Context
from monnaie_locale.acts import authorities, authority_statements, regie_counter

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


@router.get("/regie/{code}/releves", response_class=Response)
def statements(
    request: Request,
    code: RegieCode,
    ctx: Annotated[Context, regie_people_of(authority_statements.regie_statement)],
) -> Response:
    regie = authorities.get_regie(ctx, code)
    this_year = ctx.deployment.today(ctx.clock()).year
    years = list(range(this_year, this_year - 5, -1))
    return regie_page(request, ctx, "web/regie_statements.html", regie, {"years": years})


def _statement_file(request: Request, ctx: Context, code: str, year: int, suffix: str) -> Response:
    # Written in the visitor's language: a French CSV has ";" and decimal commas.
    language = language_of(request)
    statement = authority_statements.regie_statement(ctx, code, year)
    if suffix == "csv":
        body = authority_statements.statement_csv(statement, style=language)
        media = "text/csv; charset=utf-8"
    else:
        body = authority_statements.statement_pdf(statement, lang=language)
        media = "application/pdf"
    name = f"releve-{code}-{year}.{suffix}"
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/regie/{code}/releves/{year}.csv", response_class=Response)
def statement_csv(
    request: Request,
    code: RegieCode,
    year: Year,
    ctx: Annotated[Context, regie_people_of(authority_statements.regie_statement)],
) -> Response:
    return _statement_file(request, ctx, code, year, "csv")


@router.get("/regie/{code}/releves/{year}.pdf", response_class=Response)
def statement_pdf(
    request: Request,
    code: RegieCode,
    year: Year,
    ctx: Annotated[Context, regie_people_of(authority_statements.regie_statement)],
) -> Response:
    return _statement_file(request, ctx, code, year, "pdf")
