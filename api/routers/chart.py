"""The association's books: its chart of accounts, income statement and balance sheet.

Each route calls one act of :mod:`monnaie_locale.acts.chart`, which says who may. The
chart's rules are the association's own (``mlc chart set``), tried before the built-in
chart; no money moves, so no Idempotency-Key: setting a rule twice leaves it as set once.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import acting
from api.problems import problem_responses
from api.routers.exports import TimeZone, check_zone
from api.schemas.chart import (
    BalanceSheetOut,
    ChartOut,
    ChartRuleIn,
    ChartRuleOut,
    IncomeStatementOut,
)
from api.schemas.common import IsoDate
from monnaie_locale.acting import Context
from monnaie_locale.acts import chart
from monnaie_locale.books_report import Books

__all__ = ["router"]

router = APIRouter(tags=["books"])

Start = Annotated[
    IsoDate | None, Query(alias="from", description="First day (inclusive), YYYY-MM-DD.")
]
End = Annotated[IsoDate | None, Query(alias="to", description="Last day (inclusive), YYYY-MM-DD.")]
Pattern = Annotated[str, Query(min_length=1, max_length=120, description="The rule's pattern.")]
Currency = Annotated[
    str | None,
    Query(pattern=r"^[A-Z][A-Z0-9]{2,9}$", description="The rule's currency, if it has one."),
]


@router.get(
    "/v1/chart",
    summary="The chart of accounts: the association's rules and each account's number",
    responses=problem_responses(401, 403),
)
def get_chart(ctx: Annotated[Context, acting(chart.show_chart)]) -> ChartOut:
    return ChartOut.of(chart.show_chart(ctx))


@router.put(
    "/v1/chart/rules",
    summary="Add or replace a rule of the association's chart of accounts",
    description="Tried before the built-in chart; an exact code before a pattern, a rule "
    "of one currency before one of any, a longer pattern before a shorter.",
    responses=problem_responses(400, 401, 403, 422),
)
def put_rule(
    body: ChartRuleIn, ctx: Annotated[Context, acting(chart.set_chart_rule)]
) -> ChartRuleOut:
    rule = chart.set_chart_rule(
        ctx,
        body.pattern,
        body.number,
        body.label,
        auxiliary=body.auxiliary,
        currency=body.currency,
    )
    return ChartRuleOut.of(rule)


@router.delete(
    "/v1/chart/rules",
    summary="Remove a rule of the association: the built-in chart applies again",
    status_code=204,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 422),
)
def delete_rule(
    ctx: Annotated[Context, acting(chart.unset_chart_rule)],
    pattern: Pattern,
    currency: Currency = None,
) -> Response:
    chart.unset_chart_rule(ctx, pattern, currency=currency)
    return Response(status_code=204)


Readers = Annotated[Context, acting(chart.books_report_for)]


def _books(ctx: Context, start: date | None, end: date | None, zone_name: str | None) -> Books:
    zone = check_zone(zone_name) or ctx.deployment.zone
    return chart.books_report_for(ctx, start=start, end=end, zone=zone)


@router.get(
    "/v1/reports/income-statement",
    summary="The income statement of a period, by chart account (classes 7 and 6)",
    description="The result equals the FEC's classes 7 - 6 over the same days.",
    responses=problem_responses(401, 403, 422),
)
def income_statement(
    ctx: Readers, start: Start = None, end: End = None, zone_name: TimeZone = None
) -> IncomeStatementOut:
    return IncomeStatementOut.of(_books(ctx, start, end, zone_name).income_statement)


@router.get(
    "/v1/reports/balance-sheet",
    summary="The balance sheet at the end of a day, by chart account",
    description="With from, the funds split into the results before it and the period's.",
    responses=problem_responses(401, 403, 422),
)
def balance_sheet(
    ctx: Readers, start: Start = None, end: End = None, zone_name: TimeZone = None
) -> BalanceSheetOut:
    return BalanceSheetOut.of(_books(ctx, start, end, zone_name).balance_sheet)
