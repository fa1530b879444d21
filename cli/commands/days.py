"""Days and time zones as people type them on the command line (``2026-11-30``,
``Europe/Paris``), read once for every command that takes them."""

from __future__ import annotations

from datetime import date, tzinfo
from typing import TYPE_CHECKING

from cli.errors import UsageProblem

if TYPE_CHECKING:
    from cli.context import RunContext

__all__ = ["day", "day_or_none", "zone_or_deployment"]


def day(run: RunContext, text: str) -> date:
    """The day ``text`` names (YYYY-MM-DD), else a usage error saying how to write it."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise UsageProblem(run.messages("export.bad_date", value=text)) from exc


def day_or_none(run: RunContext, text: str | None) -> date | None:
    """:func:`day`, or None when no day was given."""
    return None if text is None else day(run, text)


def zone_or_deployment(run: RunContext, name: str | None) -> tzinfo:
    """The zone named, else the deployment's (MLC_TIME_ZONE)."""
    if name is None:
        return run.context().deployment.zone
    # The zone database is read when a command runs, not for its help.
    from monnaie_locale.clock import zone_named

    try:
        return zone_named(name)
    except ValueError as exc:
        raise UsageProblem(run.messages("export.bad_timezone", zone=name)) from exc
