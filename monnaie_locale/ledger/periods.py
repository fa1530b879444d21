"""The posting path's view of closed periods: the last closed day, and the refusal.

Only dated transactions are checked here (one indexed ``max`` per dated transaction): an
undated one is dated the day it is recorded, and a period can only be closed once its
last day is over (see :mod:`monnaie_locale.periods`), so it always lands in the open
period. The database refuses the same dates again (migration ``0016_periods``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, func, select

from monnaie_locale.errors import PeriodClosed
from monnaie_locale.store.tables_periods import closed_periods

__all__ = ["check_open", "closed_through", "open_day"]


def closed_through(
    conn: Connection, *, year_end: bool = False, before: date | None = None
) -> date | None:
    """The last day of the books' closed periods, or ``None`` if none is closed.

    ``year_end``: of the year-end closings only; ``before``: of those before that day.
    """
    query = select(func.max(closed_periods.c.closed_through))
    if year_end:
        query = query.where(closed_periods.c.year_end == 1)
    if before is not None:
        query = query.where(closed_periods.c.closed_through < before)
    found = conn.execute(query).scalar()
    if found is None or isinstance(found, date):
        return found
    return date.fromisoformat(str(found))  # max() of a DATE on SQLite gives its text


def check_open(conn: Connection, on: date) -> None:
    """Refuse (:class:`PeriodClosed`) an operation dated ``on`` inside a closed period."""
    last = closed_through(conn)
    if last is not None and on <= last:
        raise PeriodClosed(on.isoformat(), last.isoformat())


def open_day(conn: Connection, day: date) -> date | None:
    """``day`` if it is in the open period, else ``None`` (the day of recording).

    For what the service books from someone else's record, a bank line say: a line
    booked by the bank inside a period already closed lands in the open one.
    """
    last = closed_through(conn)
    return day if last is None or day > last else None
