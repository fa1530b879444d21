"""Time in the ledger: always timezone-aware UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["Clock", "as_utc", "utc_now"]

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(stamp: datetime) -> datetime:
    """A stored timestamp in UTC: SQLite hands them back without a zone (they were
    written in UTC), PostgreSQL in the session's zone."""
    return stamp.astimezone(UTC) if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)
