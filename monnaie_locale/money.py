"""Money as integer minor units.

Every amount in the ledger is an ``int`` of minor units (cents): 12.50 is ``1250``.
Floats never come near money. Text typed by people ("12,50", "12.50", "12") is turned
into minor units by :func:`parse_amount`, the one constructor for amounts read from
outside; :func:`format_amount` turns them back into text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monnaie_locale.errors import InvalidAmount

__all__ = ["EUR", "Currency", "format_amount", "parse_amount"]

# Digits, then optionally a comma or a dot and one or two digits. Nothing else: no sign,
# no exponent, no thousands separator, no spaces inside.
_AMOUNT = re.compile(r"(?P<units>[0-9]+)(?:[.,](?P<cents>[0-9]{1,2}))?")

# Large enough for any real ledger, small enough to stay within a signed 64-bit column
# after summing many postings.
MAX_AMOUNT = 10**15


@dataclass(frozen=True, slots=True)
class Currency:
    """A currency of the ledger: the euro, or the deployment's local unit."""

    code: str
    name: str
    symbol: str
    exponent: int = 2

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z][A-Z0-9]{2,9}", self.code):
            raise ValueError(f"currency code must be 3 to 10 upper-case letters: {self.code!r}")
        if self.exponent != 2:
            raise ValueError("only two-decimal currencies are supported")


EUR = Currency(code="EUR", name="euro", symbol="€")


def parse_amount(text: str) -> int:
    """Parse a non-negative decimal amount into minor units.

    Accepts "12", "12.5", "12.50" and "12,50". Refuses anything else ("12,505", "-3",
    "1e3", "", "NaN", "1 000") with :class:`InvalidAmount` saying what is expected.
    """
    cleaned = text.strip()
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        raise InvalidAmount(
            text,
            "write a positive amount with at most two decimals, such as 12,50 or 12.50",
        )
    cents = (match["cents"] or "0").ljust(2, "0")
    value = int(match["units"]) * 100 + int(cents)
    if value > MAX_AMOUNT:
        raise InvalidAmount(text, f"amounts are limited to {MAX_AMOUNT // 100} units")
    return value


def format_amount(minor_units: int, *, decimal_separator: str = ".") -> str:
    """Format minor units as a decimal string: ``1250`` -> ``"12.50"``, ``-5`` -> ``"-0.05"``."""
    sign = "-" if minor_units < 0 else ""
    units, cents = divmod(abs(minor_units), 100)
    return f"{sign}{units}{decimal_separator}{cents:02d}"
