"""Accounting periods: operation dates, the closing checklist, and closing the books.

Two days per transaction. ``created_at`` is when it was recorded (the FEC's
``ValidDate``), never changed. The *operation date* is the day it happened: given when
the act is told (a bank's booking day, a conversion taken at an office yesterday), else
the day it was recorded in the books' zone (``MLC_TIME_ZONE``). Exports date entries by
it (the FEC's ``EcritureDate``, the plain-text journal).

Closing. The books are closed through a day once the closing checklist passes
(:func:`checklist`): the journal verifies, the reserve covers at least 100 % of the
circulation, and the bank reconciliation shows no difference. A closing is refused
otherwise, and there is no forcing it: fix what the checklist shows, then close. Only a
past day can be closed (the day must be over in the books' zone), so an undated
operation, recorded today, always lands in the open period; a dated one inside a closed
period is refused by the posting path and by the database
(:mod:`monnaie_locale.ledger.periods`). To correct an entry of a closed period, reverse
it: the reversal is recorded, and dated, today.

A year-end closing (``year_end``) marks the end of an exercice: the FEC of the next one
opens with the balances carried forward (see :mod:`monnaie_locale.exports.fec`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, text

from monnaie_locale.clock import as_utc
from monnaie_locale.deployment import Deployment
from monnaie_locale.errors import ChecklistFailed, PeriodClosed, PeriodNotOver
from monnaie_locale.journal_verify import verify
from monnaie_locale.ledger.periods import check_open, closed_through
from monnaie_locale.money import format_amount
from monnaie_locale.operations import bank_reconciliation
from monnaie_locale.reserve import reserve_report
from monnaie_locale.store.tables_periods import closed_periods

__all__ = [
    "Check",
    "ClosedPeriod",
    "check_open",
    "checklist",
    "close_period",
    "closed_through",
    "list_periods",
    "reconciliation_differences",
]


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the closing checklist: what was checked, whether it passed, and why."""

    name: str  # "journal", "coverage", "reconciliation"
    passed: bool
    detail: str


@dataclass(frozen=True, slots=True)
class ClosedPeriod:
    """A closing of the books through ``closed_through`` (inclusive)."""

    closed_through: date
    year_end: bool
    closed_at: datetime
    closed_by: str
    note: str


def end_of(day: date, deployment: Deployment) -> datetime:
    """The last moment of ``day`` in the books' zone."""
    return datetime.combine(day + timedelta(days=1), time.min, deployment.zone) - timedelta(
        microseconds=1
    )


def reconciliation_differences(
    conn: Connection, deployment: Deployment, as_of: date
) -> dict[str, int]:
    """Books minus bank, per bank account's ledger account, at the reconciliation as of
    ``as_of``: each account's latest statement closing on or before that day (or undated),
    reconciled as :mod:`monnaie_locale.operations.bank_reconciliation` does (the books at
    the statement's closing date, matches booked later counted at the bank's date). An
    account without a statement has nothing to reconcile.
    """
    return {
        item.ledger_account: -item.difference
        for item in bank_reconciliation.latest_reconciliations(conn, through=as_of)
        if item.difference is not None
    }


def _journal_check(conn: Connection) -> Check:
    found = verify(conn)
    if found.ok:
        return Check("journal", True, f"{found.entries} entries verified")
    first = found.first
    assert first is not None
    return Check("journal", False, f"{len(found.discrepancies)} discrepancies: {first.reason}")


def _coverage_check(conn: Connection, deployment: Deployment, through: date) -> Check:
    report = reserve_report(conn, deployment, as_of=end_of(through, deployment))
    percent = report.coverage_percent
    if percent is None:
        return Check("coverage", True, "nothing in circulation")
    return Check("coverage", percent >= 100, f"{percent} %")


def _reconciliation_check(conn: Connection, deployment: Deployment, through: date) -> Check:
    differences = reconciliation_differences(conn, deployment, through)
    if not differences:
        return Check("reconciliation", True, "no bank statement to reconcile")
    shown = ", ".join(f"{code} {format_amount(gap)}" for code, gap in sorted(differences.items()))
    return Check("reconciliation", not any(differences.values()), shown)


def checklist(conn: Connection, deployment: Deployment, *, through: date) -> list[Check]:
    """The closing checklist of the period ending ``through``, every check run."""
    return [
        _journal_check(conn),
        _coverage_check(conn, deployment, through),
        _reconciliation_check(conn, deployment, through),
    ]


def close_period(
    conn: Connection,
    deployment: Deployment,
    *,
    through: date,
    by: str,
    now: datetime,
    year_end: bool = False,
    note: str = "",
) -> ClosedPeriod:
    """Close the books through ``through`` if it is past and the checklist passes.

    Refused with :class:`PeriodNotOver` for today or a later day, :class:`PeriodClosed`
    for a day already closed, :class:`ChecklistFailed` when a check fails.
    """
    today = deployment.today(now)
    if through >= today:
        raise PeriodNotOver(through.isoformat(), today.isoformat())
    last = closed_through(conn)
    if last is not None and through <= last:
        raise PeriodClosed(through.isoformat(), last.isoformat())
    checks = checklist(conn, deployment, through=through)
    failed = [check.name for check in checks if not check.passed]
    if failed:
        raise ChecklistFailed(failed)
    if conn.dialect.name == "postgresql":
        # Waits for the writes under way, and holds new ones until this commits: no
        # transaction dated inside the period can commit beside its closing.
        conn.execute(text("LOCK TABLE transactions IN SHARE MODE"))
    values: dict[str, Any] = {
        "closed_through": through,
        "year_end": int(year_end),
        "closed_at": now,
        "closed_by": by,
        "note": note,
    }
    conn.execute(insert(closed_periods).values(**values))
    return ClosedPeriod(through, year_end, now, by, note)


def list_periods(conn: Connection) -> list[ClosedPeriod]:
    """Every closing, oldest first."""
    rows = conn.execute(select(closed_periods).order_by(closed_periods.c.closed_through)).all()
    return [
        ClosedPeriod(
            row.closed_through, bool(row.year_end), as_utc(row.closed_at), row.closed_by, row.note
        )
        for row in rows
    ]
