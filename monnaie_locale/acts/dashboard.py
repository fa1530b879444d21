"""The association's dashboard: the reserve's coverage now and over time, the month's
flows, the accounts that live, and what waits for someone.

Everything is read, nothing written; each act reads in one transaction, so the figures of
one answer agree with each other, on the standby when there is one. The figures are those
of :mod:`monnaie_locale.dashboard` and :mod:`monnaie_locale.dashboard_needs`; the
coverage is the reserve report's.

===================  ======================================================================
Act                  Who may do it
===================  ======================================================================
dashboard            those who read the association's reports (auditors, operators,
                     administrators)
circulation_history  the same: circulation and reserve over 30, 90 or 365 days
monthly_flows        the same: conversions and reconversions, month by month
===================  ======================================================================
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from monnaie_locale import dashboard as figures
from monnaie_locale import reserve
from monnaie_locale.acting import Context, act
from monnaie_locale.auth.roles import REPORT_READERS
from monnaie_locale.dashboard import Activity, MonthFlows, Series
from monnaie_locale.dashboard_needs import Need, needs_a_hand
from monnaie_locale.reserve import ReserveReport

__all__ = ["Dashboard", "circulation_history", "dashboard", "monthly_flows"]


@dataclass(frozen=True, slots=True)
class Dashboard:
    """What the association's dashboard shows, read at one moment."""

    report: ReserveReport
    history: Series
    flows: tuple[MonthFlows, ...]
    activity: Activity
    needs: tuple[Need, ...]


@act(*REPORT_READERS)
def dashboard(ctx: Context, *, days: int = 90) -> Dashboard:
    """The coverage now, its history over ``days`` (30, 90 or 365), the last twelve
    months' flows, the accounts' activity and what waits for someone."""
    now = ctx.clock()
    deployment = ctx.deployment

    def read(conn: Connection) -> Dashboard:
        return Dashboard(
            report=reserve.reserve_report(conn, deployment),
            history=figures.circulation_series(conn, deployment, now=now, days=days),
            flows=figures.monthly_flows(conn, deployment, now=now),
            activity=figures.activity(conn, deployment, now=now),
            needs=needs_a_hand(conn, now=now, zone=deployment.zone),
        )

    return ctx.read(read, replica=True)


@act(*REPORT_READERS)
def circulation_history(ctx: Context, *, days: int = 90) -> Series:
    """Circulation and reserve at the end of each day of the last 30 or 90 days, or of
    each week of the last 365."""
    now = ctx.clock()
    return ctx.read(
        lambda conn: figures.circulation_series(conn, ctx.deployment, now=now, days=days),
        replica=True,
    )


@act(*REPORT_READERS)
def monthly_flows(ctx: Context, *, months: int = figures.MONTHS) -> tuple[MonthFlows, ...]:
    """Conversions credited and reconversions paid in each of the last ``months`` months."""
    now = ctx.clock()
    return ctx.read(
        lambda conn: figures.monthly_flows(conn, ctx.deployment, now=now, months=months),
        replica=True,
    )
