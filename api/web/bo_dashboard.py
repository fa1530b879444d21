"""The association's dashboard: where its operators, its administrators and the auditor
land after signing in.

The coverage of the circulation by the reserve, in large type (green when the reserve
covers it all, red with the shortfall when not); circulation and reserve over the last
30, 90 or 365 days; conversions and reconversions month by month; open and active
members and businesses; and what waits for someone, each item a link to the page that
handles it. Everything comes from the dashboard's acts
(:mod:`monnaie_locale.acts.dashboard`); the charts are SVG images drawn here
(:mod:`api.web.bo_charts`), each beside a table of its figures.

==============================================  =========================================
Page                                            Who may open it
==============================================  =========================================
``GET /gestion?periode=30|90|365``              the association's operators and
                                                administrators, the auditor
``GET /gestion/graphique/circulation.svg``      the same: circulation and reserve over
                                                ``?periode=`` days, as an image
``GET /gestion/graphique/conversions.svg``      the same: the last twelve months' flows
==============================================  =========================================
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api import i18n
from api.typography import money
from api.web.back_office import back_office_of
from api.web.bo_charts import SVG_CSP, circulation_chart, flows_chart
from api.web.rendering import PageRoute, language_of, render
from monnaie_locale.acting import Context
from monnaie_locale.acts import dashboard
from monnaie_locale.dashboard import PERIODS
from monnaie_locale.i18n import Language
from monnaie_locale.money import format_amount

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

# The history's period, in days; the act refuses any other than PERIODS' (400).
Period = Annotated[int, Query(alias="periode", ge=1, le=3660)]
DEFAULT_PERIOD = 90
# Where each kind of waiting work is handled.
NEED_PAGES = {
    "conversion_orders": "/gestion/conversions",
    "reconversions": "/gestion/reconversions",
    "bank_lines": "/gestion/banque/rapprochement",
    "till_not_counted": "/guichet",
    "failed_job": "/gestion",
    # The régies' pages, where the régisseur (or the association) prepares the versement.
    "versement_due": "/regie",
    # Read and acknowledged with mlc transparency alarms, or the API; the journal's page
    # says what the journal holds.
    "transparency_alarm": "/audit/journal",
}
_EURO = "€"


def percent(value: Decimal, language: Language) -> str:
    """``100.00`` as "100,00 %" in French (a narrow no-break space), "100.00%" in English."""
    if language == "fr":
        return f"{value:.2f}".replace(".", ",") + "\u202f%"
    return f"{value:.2f}%"


def _day_label(day: date, language: Language) -> str:
    return day.strftime("%d/%m" if language == "fr" else "%m-%d")


def _month_label(month: date, language: Language) -> str:
    if language == "fr":
        return f"{month.month:02d}/{month.year:04d}"
    return f"{month.year:04d}-{month.month:02d}"


@router.get("/gestion", response_class=Response)
def dashboard_page(
    request: Request,
    ctx: Annotated[Context, back_office_of(dashboard.dashboard)],
    periode: Period = DEFAULT_PERIOD,
) -> Response:
    found = dashboard.dashboard(ctx, days=periode)
    language = language_of(request)
    report = found.report
    return render(
        request,
        "web/bo_dashboard.html",
        {
            "found": found,
            "period": periode,
            "periods": tuple(PERIODS),
            "covered": report.coverage is not None and report.coverage >= 1,
            "shortfall": max(0, report.position.circulation - report.position.reserve_total),
            "coverage": None
            if report.coverage_percent is None
            else percent(report.coverage_percent, language),
            "need_pages": NEED_PAGES,
            "euros": lambda minor: money(minor, language, _EURO),
            "month_label": lambda month: _month_label(month, language),
        },
        user=ctx.actor,
    )


def _svg(svg: str) -> Response:
    """An image of the dashboard's: its own policy lets its inline styles apply."""
    return Response(
        svg,
        media_type="image/svg+xml",
        headers={
            "Content-Security-Policy": SVG_CSP,
            "Cache-Control": "no-store",
            "Vary": "Cookie, Accept-Language",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _writer(language: Language) -> Callable[[int], str]:
    """How a chart's axis writes an amount: units and euros alike (one for one), so no
    symbol; the legend says which is which."""
    separator = "," if language == "fr" else "."
    return lambda minor: format_amount(minor, decimal_separator=separator)


@router.get("/gestion/graphique/circulation.svg", response_class=Response)
def circulation_image(
    request: Request,
    ctx: Annotated[Context, back_office_of(dashboard.circulation_history)],
    periode: Period = DEFAULT_PERIOD,
) -> Response:
    history = dashboard.circulation_history(ctx, days=periode)
    language = language_of(request)
    texts = i18n.texts(language)
    today = history.points[-1]
    svg = circulation_chart(
        history.points,
        labels=[_day_label(point.day, language) for point in history.points],
        names=(texts["dash_circulation"], texts["dash_reserve"]),
        covered=today.reserve >= today.circulation,
        write=_writer(language),
    )
    return _svg(svg)


@router.get("/gestion/graphique/conversions.svg", response_class=Response)
def flows_image(
    request: Request, ctx: Annotated[Context, back_office_of(dashboard.monthly_flows)]
) -> Response:
    flows = dashboard.monthly_flows(ctx)
    language = language_of(request)
    texts = i18n.texts(language)
    svg = flows_chart(
        flows,
        labels=[_month_label(month.month, language) for month in flows],
        names=(texts["dash_converted"], texts["dash_reconverted"]),
        write=_writer(language),
    )
    return _svg(svg)
