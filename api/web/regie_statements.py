"""The régie's yearly statements: what the public accountant reconciles, to download.

A year's statement lists the régie's quittances and versements and their totals, with the
opening and closing balances of its account; it downloads as CSV or PDF, written in the
visitor's language (a French CSV has ";" and decimal commas).

=========================================  ==============================================
Page                                       Who may open it
=========================================  ==============================================
``GET /regie/{code}/releves``              the régie's people: the years to download
``GET /regie/{code}/releves/{year}.csv``   the régisseur, the authority's finance officer
                                           and accountant: the year's statement as CSV
``GET /regie/{code}/releves/{year}.pdf``   the same: as PDF
=========================================  ==============================================
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from api.web.regie_space import RegieCode, regie_page, regie_people_of
from api.web.rendering import PageRoute, language_of
from monnaie_locale.acting import Context
from monnaie_locale.acts import authorities, authority_statements

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

Year = Annotated[int, Path(ge=2000, le=9998)]
# How many years back the page offers.
_YEARS = 5


@router.get("/regie/{code}/releves", response_class=Response)
def statements(
    request: Request,
    code: RegieCode,
    ctx: Annotated[Context, regie_people_of(authority_statements.regie_statement)],
) -> Response:
    regie = authorities.get_regie(ctx, code)
    this_year = ctx.deployment.today(ctx.clock()).year
    years = list(range(this_year, this_year - _YEARS, -1))
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
