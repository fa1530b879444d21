"""The deployment every operation command runs under, built in one place by one rule.

Everything comes from the service's :class:`~monnaie_locale.config.Settings` (the unit,
``MLC_CURRENCY_*``; the association's rules, ``MLC_RESERVE_IBAN``, ``MLC_MEMBERSHIP_FEES``
and the rest), so the CLI and the HTTP service always apply the same rules. The exchange
offices are those the settings name together with those whose till the books hold:
``mlc init --office`` and ``mlc offices add`` open them, so a new office works at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection

from cli.context import RunContext
from monnaie_locale.config import load_settings
from monnaie_locale.deployment import Deployment, offices_in_books
from monnaie_locale.deployment import from_settings as build_deployment

__all__ = [
    "build_deployment",
    "load_deployment",
    "offices_in_books",
    "operate",
    "record_json",
]

T = TypeVar("T")


def load_deployment(run: RunContext) -> Deployment:
    """The deployment this run of ``mlc`` works on, with the offices its books hold."""
    offices = run.database().read(offices_in_books)
    return build_deployment(load_settings(), offices=offices)


def operate(run: RunContext, operation: Callable[[Connection, Deployment], T]) -> T:
    """Run ``operation`` under the run's deployment in one write transaction."""
    deployment = load_deployment(run)
    return run.database().write(lambda conn: operation(conn, deployment))


def record_json(record: Any) -> dict[str, Any]:
    """An operation's record (a dataclass) as JSON-ready data: amounts stay minor units."""
    data: dict[str, Any] = dataclasses.asdict(record)
    return data
