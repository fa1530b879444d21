"""Errors of a régie's counter and its quittances, in the core's error tree.

MonnaieLocaleError
├── NotFound
│   └── UnknownQuittance     no quittance of this régie has this year and number
└── Conflict
    └── NoSigningKey         the process has no signing key, and the act must sign
"""

from __future__ import annotations

from monnaie_locale.errors import Conflict, NotFound

__all__ = ["NoSigningKey", "UnknownQuittance"]


class UnknownQuittance(NotFound):
    """Raised when a régie has no quittance with this year and number."""

    code = "unknown_quittance"

    def __init__(self, regie: str, year: int, number: int) -> None:
        super().__init__(
            f"the régie {regie} has no quittance {year}-{number:06d}; "
            f"`mlc quittance list {regie}` lists them"
        )
        self.regie = regie
        self.year = year
        self.number = number


class NoSigningKey(Conflict):
    """Raised when an act must sign (a counter's payment request) and the process was
    given no signing key."""

    code = "no_signing_key"

    def __init__(self) -> None:
        super().__init__(
            "no signing key is configured here: set MLC_SIGNING_KEY_FILE "
            "(`mlc keys generate` makes one), or prepare the sale through the service"
        )
