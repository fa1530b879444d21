"""The association's dashboard in figures: circulation and reserve over time, the money
that came in and went out month by month, the accounts that live.

Circulation and reserve are those of the reserve report (:mod:`monnaie_locale.reserve`):
the units the public holds, digital and paper, and the euros kept for them. Their history
is read in one pass over the period's postings: the report's position as of the period's
start, then each day's (or week's) postings summed by what their account stands for, in
the database, and added up point after point. Each point is the books at the end of its
day in the deployment's zone (the last one: now), so a point reads what the report would
read as of that moment.

Months and days are the deployment's (``MLC_TIME_ZONE``): their bounds are computed here,
in UTC, and the database only compares timestamps with them, so SQLite and PostgreSQL
group alike without a time-zone function (as :mod:`monnaie_locale.acts.takings` does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, case, func, select

from monnaie_locale.clock import end_of_day
from monnaie_locale.deployment import (
    NOTES_CIRCULATION,
    RECONVERSION_PENDING,
    RESERVE_DIGITAL,
    RESERVE_NOTES,
    TRANSIT,
    Deployment,
)
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.model import AccountKind
from monnaie_locale.money import EUR
from monnaie_locale.reserve import position
from monnaie_locale.store.tables import accounts, postings
from monnaie_locale.store.tables_operations import conversions, reconversions

__all__ = [
    "PERIODS",
    "Activity",
    "MonthFlows",
    "Point",
    "Series",
    "activity",
    "circulation_series",
    "monthly_flows",
]

# The periods the history is drawn over, in days, and the days between two points.
PERIODS = {30: 1, 90: 1, 365: 7}
# How many months of conversions and reconversions, this one included.
MONTHS = 12
# An account is active when a posting moved it within this many days.
ACTIVE_DAYS = 90

_HOLDERS = (str(AccountKind.MEMBER), str(AccountKind.BUSINESS), str(AccountKind.AUTHORITY))
_RESERVE_CODES = (RESERVE_DIGITAL, RESERVE_NOTES, TRANSIT)
# A conversion credited once: reversed or charged back later, its euros still came in.
_CREDITED = ("credited", "reversed", "charged_back")


@dataclass(frozen=True, slots=True)
class Point:
    """The books at the end of ``day`` (or now, for today): units held and euros kept."""

    day: date
    digital: int
    paper: int
    reserve: int

    @property
    def circulation(self) -> int:
        return self.digital + self.paper


@dataclass(frozen=True, slots=True)
class Series:
    """Circulation and reserve over the last ``days`` days, a point every ``step`` days."""

    days: int
    step: int
    points: tuple[Point, ...]


@dataclass(frozen=True, slots=True)
class MonthFlows:
    """What a month saw: conversions credited and reconversions paid, counts and units."""

    month: date
    conversions: int = 0
    converted: int = 0
    reconversions: int = 0
    reconverted: int = 0


@dataclass(frozen=True, slots=True)
class Activity:
    """Members and businesses: how many accounts are open, how many moved lately."""

    days: int
    open_members: int
    open_businesses: int
    active_members: int
    active_businesses: int


def circulation_series(
    conn: Connection, deployment: Deployment, *, now: datetime, days: int
) -> Series:
    """Circulation and reserve at the end of each day (or week) of the last ``days``."""
    if days not in PERIODS:
        raise InvalidRequest(f"the history covers {', '.join(map(str, PERIODS))} days, not {days}")
    step = PERIODS[days]
    today = deployment.today(now)
    shown = [today - timedelta(days=step * n) for n in range(days // step, -1, -1)]
    moments = [min(end_of_day(day, deployment.zone), now) for day in shown]
    start = position(conn, deployment, as_of=moments[0])
    totals = [start.digital_total, start.paper, start.reserve_total]
    changes = _changes(conn, deployment, moments)
    points = []
    for index, day in enumerate(shown):
        for part, amount in enumerate(changes.get(index, (0, 0, 0))):
            totals[part] += amount
        points.append(Point(day, *totals))
    return Series(days=days, step=step, points=tuple(points))


def _bucket(stamp: Any, bounds: Sequence[datetime]) -> Any:
    """The index of the first bound ``stamp`` is at or before (the last: any later)."""
    return case(
        *((stamp <= bound, index) for index, bound in enumerate(bounds[:-1])),
        else_=len(bounds) - 1,
    )


def _changes(
    conn: Connection, deployment: Deployment, moments: Sequence[datetime]
) -> dict[int, tuple[int, int, int]]:
    """{point: (digital, paper, reserve) moved after the previous point, up to its own}."""
    unit = deployment.unit.code
    # Holders' accounts are many and all alike: summed by kind, not one by one.
    code = case((accounts.c.kind.in_(_HOLDERS), ""), else_=accounts.c.code)
    point = _bucket(postings.c.created_at, moments[1:]) + 1
    # Grouped outside: PostgreSQL would not see a CASE with parameters, written twice,
    # as one expression.
    moved = (
        select(
            point.label("point"),
            accounts.c.kind,
            accounts.c.currency,
            code.label("code"),
            postings.c.amount,
        )
        .join(accounts, accounts.c.id == postings.c.account_id)
        .where(postings.c.created_at > moments[0], postings.c.created_at <= moments[-1])
        .subquery()
    )
    parts = (moved.c.point, moved.c.kind, moved.c.currency, moved.c.code)
    rows = conn.execute(select(*parts, func.sum(moved.c.amount)).group_by(*parts)).all()
    found: dict[int, list[int]] = {}
    for index, kind, currency, name, amount in rows:
        part = _part(str(kind), str(currency), str(name), unit)
        if part is not None:
            sums = found.setdefault(int(index), [0, 0, 0])
            # Euro assets read negative in the ledger: the reserve grows as they fall.
            sums[part] += -int(amount) if part == 2 else int(amount)
    return {index: (d, p, r) for index, (d, p, r) in found.items()}


def _part(kind: str, currency: str, code: str, unit: str) -> int | None:
    """Which of digital (0), paper (1) and reserve (2) an account counts in, as the
    reserve report sorts it (:func:`monnaie_locale.reserve.position`); None: neither."""
    if currency == EUR.code:
        till = kind == AccountKind.EXCHANGE_OFFICE and code.startswith("office:")
        return 2 if code in _RESERVE_CODES or till else None
    if currency != unit:
        return None
    if kind in _HOLDERS or kind == AccountKind.ASSOCIATION or code == RECONVERSION_PENDING:
        return 0
    return 1 if code == NOTES_CIRCULATION else None


def _month_starts(deployment: Deployment, now: datetime, months: int) -> list[date]:
    first = deployment.today(now).replace(day=1)
    starts = [first]
    for _ in range(months - 1):
        starts.insert(0, (starts[0] - timedelta(days=1)).replace(day=1))
    return starts


def monthly_flows(
    conn: Connection, deployment: Deployment, *, now: datetime, months: int = MONTHS
) -> tuple[MonthFlows, ...]:
    """Conversions credited and reconversions paid in each of the last ``months`` months
    (this one included), oldest first, months without any included."""
    if not 1 <= months <= 120:
        raise InvalidRequest("give between 1 and 120 months")
    firsts = _month_starts(deployment, now, months)
    following = (firsts[-1] + timedelta(days=32)).replace(day=1)
    bounds = [
        datetime.combine(first, time.min, deployment.zone).astimezone(UTC)
        for first in [*firsts, following]
    ]
    came_in = _by_month(conn, conversions, bounds, conversions.c.status.in_(_CREDITED))
    went_out = _by_month(conn, reconversions, bounds, reconversions.c.status == "paid")
    return tuple(
        MonthFlows(first, *came_in.get(index, (0, 0)), *went_out.get(index, (0, 0)))
        for index, first in enumerate(firsts)
    )


def _by_month(
    conn: Connection, table: Any, bounds: Sequence[datetime], settled: Any
) -> dict[int, tuple[int, int]]:
    """{month's index: (how many, units)} of ``table``'s rows settled in each month."""
    stamp = table.c.settled_at
    # Month i runs from bounds[i] (included) to bounds[i + 1] (excluded).
    month = case(
        *((stamp < bound, index) for index, bound in enumerate(bounds[1:-1])),
        else_=len(bounds) - 2,
    )
    settled_rows = (
        select(month.label("month"), table.c.amount)
        .where(settled, stamp >= bounds[0], stamp < bounds[-1])
        .subquery()
    )
    rows = conn.execute(
        select(settled_rows.c.month, func.count(), func.sum(settled_rows.c.amount)).group_by(
            settled_rows.c.month
        )
    ).all()
    return {int(index): (int(count), int(total or 0)) for index, count, total in rows}


def activity(conn: Connection, deployment: Deployment, *, now: datetime) -> Activity:
    """Open member and business accounts, and those a posting moved in the last 90 days."""
    kinds = (str(AccountKind.MEMBER), str(AccountKind.BUSINESS))
    holders = (accounts.c.kind.in_(kinds), accounts.c.currency == deployment.unit.code)
    opened: dict[str, int] = dict(
        conn.execute(
            select(accounts.c.kind, func.count())
            .where(*holders, accounts.c.status != "closed")
            .group_by(accounts.c.kind)
        ).all()
    )
    moved = (
        select(accounts.c.kind, accounts.c.id)
        .join(postings, postings.c.account_id == accounts.c.id)
        .where(*holders, postings.c.created_at > now - timedelta(days=ACTIVE_DAYS))
        .distinct()
        .subquery()
    )
    active: dict[str, int] = dict(
        conn.execute(select(moved.c.kind, func.count()).group_by(moved.c.kind)).all()
    )
    member, business = kinds
    return Activity(
        days=ACTIVE_DAYS,
        open_members=int(opened.get(member, 0)),
        open_businesses=int(opened.get(business, 0)),
        active_members=int(active.get(member, 0)),
        active_businesses=int(active.get(business, 0)),
    )
