"""What the pages read from their forms and write back: a day, a period, euros.

Every page that takes a day (``2026-12-31``) or a period refuses the same malformed input
with the same message, and writes the euros of a transfer or a payout the same way, in
the visitor's language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi import Request

from api.typography import money
from api.web.rendering import language_of
from monnaie_locale.errors import InvalidRequest

__all__ = ["euros_of", "optional_day", "period"]


def optional_day(text: str | None) -> date | None:
    """A day of a form's date field (``2026-12-31``); left empty, None."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidRequest(f"{text!r} is not a day; write it as 2026-12-31") from None


def period(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    """The days of a period's two fields, each side open when left empty; refused when
    it starts after it ends."""
    first, last = optional_day(start), optional_day(end)
    if first is not None and last is not None and first > last:
        raise InvalidRequest(f"the period starts ({first}) after it ends ({last})")
    return first, last


def euros_of(request: Request) -> Callable[[int], str]:
    """How a page writes euros (a transfer's, a payout's), in the visitor's language."""
    language = language_of(request)
    return lambda cents: money(cents, language, "€")
