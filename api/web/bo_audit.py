"""The back-office's audit pages: the reserve at any past day, the journal verified, the
books exported, and the log of administrative acts.

Every page reads only: it calls one of the acts the report readers may do (the
auditor, the association's operators and administrators), and writes nothing. The
downloads are the API's files (:mod:`api.routers.exports`), for a period of whole days
in the deployment's zone.

=================================  ==============================================
Page                               Who may open it
=================================  ==============================================
``GET /audit``                     the auditor, the association's operators and
                                   administrators: the audit's pages
``GET /audit/reserve``             the same: the reserve report now, or at the end
                                   of a past day (``?date=YYYY-MM-DD``)
``GET /audit/journal``             the same: the journal verified (hashes, marks,
                                   head, balances), its first break if any
``GET /audit/exports``             the same: the forms of the downloads below
``GET /audit/exports/fec.txt``     the same: the FEC of a period
``GET /audit/exports/journal.txt`` the same: the plain-text journal (hledger)
``GET /audit/exports/releve.csv``  the same: an account's statement of a period
                                   (without an account, the form that names one)
``GET /audit/actes``               the same: the administrative acts, newest first,
                                   by actor and by act, a page at a time
=================================  ==============================================
"""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.web import statement_files
from api.web.back_office import back_office_of
from api.web.fields import euros_of, optional_day, period
from api.web.rendering import PageRoute, redirect, render
from monnaie_locale import admin_log, exports
from monnaie_locale.acting import Context
from monnaie_locale.acts import audit, reserve
from monnaie_locale.acts import exports as exporting
from monnaie_locale.clock import end_of_day
from monnaie_locale.errors import InvalidRequest

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

Day = Annotated[str | None, Query(max_length=10)]
Text = Annotated[str | None, Query(max_length=200)]
# The acts page's cursor: the rows older than this one.
Before = Annotated[int | None, Query(ge=1, le=2**63 - 1)]
PAGE = 50
LISTED_DISCREPANCIES = 20


@router.get("/audit", response_class=Response)
def audit_home(
    request: Request, ctx: Annotated[Context, back_office_of(audit.verify_journal)]
) -> Response:
    return render(request, "web/bo_audit_home.html", user=ctx.actor)


@router.get("/audit/reserve", response_class=Response)
def reserve_page(
    request: Request,
    ctx: Annotated[Context, back_office_of(reserve.reserve_report)],
    chosen: Annotated[str | None, Query(alias="date", max_length=10)] = None,
) -> Response:
    today = ctx.deployment.today(ctx.clock())
    day = optional_day(chosen)
    if day is not None and day > today:
        raise InvalidRequest(f"{day} is after today ({today}): the reserve has no future")
    # Today, or no day: the running balances, as the report is now.
    as_of = None if day is None or day == today else end_of_day(day, ctx.deployment.zone)
    report = reserve.reserve_report(ctx, as_of)
    return render(
        request,
        "web/bo_audit_reserve.html",
        {
            "report": report,
            "shown_day": day or today,
            "today": today,
            "now": as_of is None,
            "euros": euros_of(request),
        },
        user=ctx.actor,
    )


@router.get("/audit/journal", response_class=Response)
def journal_page(
    request: Request, ctx: Annotated[Context, back_office_of(audit.verify_journal)]
) -> Response:
    # Read-only: what the service queued and has not sealed yet is counted, not sealed.
    result = audit.verify_journal(ctx)
    return render(
        request,
        "web/bo_audit_journal.html",
        {
            "result": result,
            "listed": result.discrepancies[:LISTED_DISCREPANCIES],
        },
        user=ctx.actor,
    )


@router.get("/audit/exports", response_class=Response)
def exports_page(
    request: Request, ctx: Annotated[Context, back_office_of(exporting.write_fec)]
) -> Response:
    return render(request, "web/bo_audit_exports.html", user=ctx.actor)


@router.get("/audit/exports/fec.txt", response_class=Response)
def fec_file(
    ctx: Annotated[Context, back_office_of(exporting.write_fec)],
    du: Day = None,
    au: Day = None,
) -> Response:
    start, end = period(du, au)
    out = io.BytesIO()
    exporting.write_fec(
        ctx,
        out,
        separator="|",
        zone=ctx.deployment.zone,
        start=start,
        end=end,
        account_map=exports.AccountMap(),
    )
    name = exports.fec_file_name(ctx.deployment.siren, end)
    return Response(
        out.getvalue(),
        media_type=f"text/plain; charset={exports.FEC_ENCODING}",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/audit/exports/journal.txt", response_class=Response)
def journal_file(ctx: Annotated[Context, back_office_of(exporting.write_journal)]) -> Response:
    out = io.StringIO()
    exporting.write_journal(ctx, out, assertions=True, zone=ctx.deployment.zone)
    return Response(
        out.getvalue(),
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="journal.ledger"'},
    )


@router.get("/audit/exports/releve.csv", response_class=Response)
def statement_file(
    request: Request,
    # Any account, for those who read every account: the report readers.
    ctx: Annotated[Context, back_office_of(exporting.write_fec)],
    compte: Text = None,
    du: Day = None,
    au: Day = None,
) -> Response:
    if not compte:
        # The address opened bare: the form that names the account.
        return redirect(request, "/audit/exports#statement")
    start, end = period(du, au)
    return statement_files.statement_csv(request, ctx, compte, start, end)


@router.get("/audit/actes", response_class=Response)
def acts_page(
    request: Request,
    ctx: Annotated[Context, back_office_of(audit.administrative_acts)],
    acteur: Text = None,
    acte: Text = None,
    avant: Before = None,
) -> Response:
    actor, act = (acteur or "").strip() or None, (acte or "").strip() or None
    found = audit.administrative_acts(
        ctx, before_id=avant, limit=PAGE + 1, actor=actor, act=act, newest_first=True
    )
    rows = found[:PAGE]
    older = rows[-1].id if len(found) > PAGE else None
    return render(
        request,
        "web/bo_audit_acts.html",
        {
            "rows": rows,
            "older": older,
            "actor": actor or "",
            "act": act or "",
            "acts": sorted(admin_log.LOGGED_ACTS),
            "first_page": avant is None,
        },
        user=ctx.actor,
    )
