"""The deployment every operation command runs under, built in one place by one rule.

Everything comes from the service's :class:`~monnaie_locale.config.Settings` (the unit,
``MLC_CURRENCY_*``, ``MLC_RESERVE_IBAN`` and the rest), so the CLI and the HTTP service
always work alike. The currency's rules (bonus, fees, limits) in it are only the base:
once ``mlc init`` recorded them, each operation applies the rules the database holds for
its day (:func:`monnaie_locale.rules.in_force`). The exchange
offices are those the settings name together with those whose till the books hold:
``mlc init --office`` and ``mlc offices add`` open them, so a new office works at once.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from cli.context import RunContext
from cli.lazy import lazy

if TYPE_CHECKING:
    from monnaie_locale import config, deployment
    from monnaie_locale.acts import offices
    from monnaie_locale.deployment import Deployment
else:
    config = lazy("monnaie_locale.config")
    deployment = lazy("monnaie_locale.deployment")
    offices = lazy("monnaie_locale.acts.offices")

__all__ = [
    "load_deployment",
    "record_json",
]


def load_deployment(run: RunContext) -> Deployment:
    """The deployment this run of ``mlc`` works on, with the offices its books hold."""
    held = offices.open_offices(run.database())
    return deployment.from_settings(config.load_settings(), offices=held)


def record_json(record: Any) -> dict[str, Any]:
    """An operation's record (a dataclass) as JSON-ready data: amounts stay minor units."""
    data: dict[str, Any] = dataclasses.asdict(record)
    return data
