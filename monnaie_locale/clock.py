"""Time in the ledger: always timezone-aware UTC, shown in the deployment's zone.

The books store instants in UTC. People read and type days: a statement from the 1st to
the 31st, a reserve report "as of 2026-10-31", a cashier's refunds of the day. Those
days are the deployment's, in one zone (``MLC_TIME_ZONE``, Europe/Paris by default),
the same for the CLI, the API and every export: :func:`zone_named` reads it,
:func:`day_in` and :func:`end_of_day` turn instants and days into each other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DEFAULT_TIME_ZONE",
    "Clock",
    "as_utc",
    "day_in",
    "end_of_day",
    "utc_now",
    "zone_named",
]

DEFAULT_TIME_ZONE = "Europe/Paris"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(stamp: datetime) -> datetime:
    """A stored timestamp in UTC: SQLite hands them back without a zone (they were
    written in UTC), PostgreSQL in the session's zone."""
    return stamp.astimezone(UTC) if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


def zone_named(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``Europe/Paris``); ValueError for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {name!r}; give an IANA name such as Europe/Paris"
        ) from exc


def day_in(stamp: datetime, zone: tzinfo) -> date:
    """The day ``stamp`` falls on in ``zone``."""
    return as_utc(stamp).astimezone(zone).date()


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """The instant ``day`` ends in ``zone`` (the next day's midnight there), in UTC."""
    return datetime.combine(day + timedelta(days=1), time.min, zone).astimezone(UTC)
