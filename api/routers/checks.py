"""Checks shared by the routes that move money."""

from __future__ import annotations

from monnaie_locale.auth import Principal

__all__ = ["scoped_key"]


def scoped_key(principal: Principal, key: str) -> str:
    """Keep each caller's idempotency keys apart, so one cannot replay another's result."""
    return f"{principal.subject}|{key}"
