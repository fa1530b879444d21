"""What waits for someone at the association: the dashboard's "needs a hand" list.

Each :class:`Need` is a kind of work left undone, with how many and since when:

=====================  ================================================================
Kind                   What waits
=====================  ================================================================
conversion_orders      bank-transfer conversion orders whose euros have not been seen
reconversions          reconversion requests not yet paid (requested, or validated in
                       a payout batch)
bank_lines             bank lines imported and matched to nothing in the books
till_not_counted       an open exchange office whose till was not counted for
                       :data:`TILL_COUNT_DAYS` days (or ever, since it opened)
failed_job             a scheduled job whose last run failed
versement_due          a régie whose versement is due (its encaisse reached its cap, or
                       its period is over), with its encaisse and since its due day
transparency_alarm     transparency alarms nobody acknowledged (an entry the tree
                       refused, a checkpoint it no longer holds, a fork), since the
                       oldest's day
=====================  ================================================================

Only what waits is listed: an empty list means nothing does. What each kind links to is
the edge's to say (the pages that handle it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Connection, func, select

from monnaie_locale.authorities.versements import due_versements
from monnaie_locale.clock import as_utc, day_in
from monnaie_locale.deployment import office_till, offices_in_books
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_jobs import jobs
from monnaie_locale.store.tables_operations import bank_lines, conversions, office_closings
from monnaie_locale.store.tables_operations import reconversions as reconversion_requests
from monnaie_locale.store.tables_transparency import transparency_alarms

__all__ = ["TILL_COUNT_DAYS", "Need", "needs_a_hand"]

# A reconversion requested, or validated into a payout batch, and not yet paid.
_NOT_PAID = ("requested", "batched")

# A till counted less often than this is worth a reminder: cash unchecked for a week.
TILL_COUNT_DAYS = 7


@dataclass(frozen=True, slots=True)
class Need:
    """Work waiting: its kind, how many, their amount (None: not a sum of money), since
    which day (the oldest's, in the deployment's zone), and what it concerns (an office,
    a job) when it is one thing."""

    kind: str
    count: int
    amount: int | None = None
    since: date | None = None
    subject: str | None = None


def needs_a_hand(conn: Connection, *, now: datetime, zone: tzinfo) -> tuple[Need, ...]:
    """Everything that waits at ``now``, in the order the list shows it; days are those
    of ``zone``, the deployment's."""
    orders = conversions.c
    requests = reconversion_requests.c
    return tuple(
        need
        for need in (
            _waiting(conn, "conversion_orders", orders, orders.status == "pending", zone),
            _waiting(conn, "reconversions", requests, requests.status.in_(_NOT_PAID), zone),
            _unmatched_lines(conn),
            *_tills_not_counted(conn, now=now, zone=zone),
            *_failed_jobs(conn, zone),
            *_versements_due(conn, now=now, zone=zone),
            _transparency_alarms(conn, zone),
        )
        if need is not None
    )


def _waiting(
    conn: Connection, kind: str, columns: Any, condition: Any, zone: tzinfo
) -> Need | None:
    count, total, oldest = conn.execute(
        select(func.count(), func.sum(columns.amount), func.min(columns.created_at)).where(
            condition
        )
    ).one()
    if not count:
        return None
    return Need(kind, int(count), int(total or 0), day_in(oldest, zone))


def _unmatched_lines(conn: Connection) -> Need | None:
    count, oldest = conn.execute(
        select(func.count(), func.min(bank_lines.c.booking_date)).where(
            bank_lines.c.matched_kind.is_(None)
        )
    ).one()
    # A bank line is dated by the bank: its booking day, as the bank wrote it.
    return Need("bank_lines", int(count), since=oldest) if count else None


def _tills_not_counted(conn: Connection, *, now: datetime, zone: tzinfo) -> Iterator[Need]:
    limit = now - timedelta(days=TILL_COUNT_DAYS)
    for office in offices_in_books(conn):
        counted = conn.execute(
            select(func.max(office_closings.c.closed_at)).where(office_closings.c.office == office)
        ).scalar()
        if counted is None:
            counted = conn.execute(
                select(accounts.c.created_at).where(accounts.c.code == office_till(office))
            ).scalar_one()
        if as_utc(counted) <= limit:
            yield Need("till_not_counted", 1, since=day_in(counted, zone), subject=office)


def _failed_jobs(conn: Connection, zone: tzinfo) -> Iterator[Need]:
    rows = conn.execute(
        select(jobs.c.name, jobs.c.last_finished_at)
        .where(jobs.c.last_status == "failed")
        .order_by(jobs.c.name)
    ).all()
    for name, finished in rows:
        since = None if finished is None else day_in(finished, zone)
        yield Need("failed_job", 1, since=since, subject=name)


def _versements_due(conn: Connection, *, now: datetime, zone: tzinfo) -> Iterator[Need]:
    today = day_in(now, zone)
    for due in due_versements(conn, today=today, zone=zone):
        # Due by its cap before its day: the day it is due is today.
        since = today if due.due_on is None else min(due.due_on, today)
        yield Need("versement_due", 1, amount=due.encaisse, since=since, subject=due.regie)


def _transparency_alarms(conn: Connection, zone: tzinfo) -> Need | None:
    count, oldest = conn.execute(
        select(func.count(), func.min(transparency_alarms.c.raised_at)).where(
            transparency_alarms.c.acknowledged_at.is_(None)
        )
    ).one()
    return Need("transparency_alarm", int(count), since=day_in(oldest, zone)) if count else None
