"""Amounts at the edge: decimal strings in both directions, never JSON numbers.

A request's amount is a string such as ``"12.50"`` or ``"12,50"``, parsed by the core's
one constructor into minor units. A JSON number is refused outright: a client that sends
``12.5`` has already passed money through a float. Responses carry signed decimal
strings, ``"-12.50"``.

Each kind of amount has one pattern, and the pattern the OpenAPI document shows is the
one the server checks, with ``re.fullmatch``: nothing around the digits (not even the
final line break that Python's ``$`` would let through), no leading zero, at most 13
digits of units (within the core's ``MAX_AMOUNT``), and a positive amount is above zero.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from pydantic import BeforeValidator, Field, WithJsonSchema

from monnaie_locale.errors import InvalidAmount
from monnaie_locale.money import format_amount, parse_amount

__all__ = [
    "AMOUNT_PATTERN",
    "COUNTED_PATTERN",
    "SIGNED_PATTERN",
    "AmountIn",
    "AmountOut",
    "CountedAmountIn",
    "SignedAmountIn",
    "amount_out",
    "optional_amount_out",
]

_UNITS = "(0|[1-9][0-9]{0,12})"
_CENTS = "([.,][0-9]{1,2})?"
# Above zero: units from 1, or 0 and cents that are not all zeros.
AMOUNT_PATTERN = r"^([1-9][0-9]{0,12}([.,][0-9]{1,2})?|0[.,](0[1-9]|[1-9][0-9]?))$"
COUNTED_PATTERN = f"^{_UNITS}{_CENTS}$"
SIGNED_PATTERN = f"^-?{_UNITS}{_CENTS}$"


def _reason(value: str) -> str:
    if value != value.strip():
        return "an amount has no spaces or line breaks around it"
    try:
        if parse_amount(value) == 0:
            return "the amount must be greater than zero"
    except InvalidAmount as exc:
        return exc.reason
    return "write the amount without leading zeros and with at most 13 digits before the point"


def _parser(pattern: str, example: str) -> Callable[[object], int]:
    shape = re.compile(pattern)

    def minor_units(value: object) -> int:
        if not isinstance(value, str):
            raise ValueError(f'amounts are strings such as "{example}", never JSON numbers')
        if shape.fullmatch(value) is None:
            raise ValueError(_reason(value.removeprefix("-")))
        negative = value.startswith("-")
        amount = parse_amount(value.removeprefix("-"))
        return -amount if negative else amount

    return minor_units


def _documented(pattern: str, *, description: str, example: str) -> WithJsonSchema:
    return WithJsonSchema(
        {"type": "string", "pattern": pattern, "description": description, "examples": [example]}
    )


AmountIn = Annotated[
    int,
    BeforeValidator(_parser(AMOUNT_PATTERN, "12.50")),
    _documented(
        AMOUNT_PATTERN,
        description="An amount above zero, with at most two decimals, as a string.",
        example="12.50",
    ),
]
CountedAmountIn = Annotated[
    int,
    BeforeValidator(_parser(COUNTED_PATTERN, "312.40")),
    _documented(
        COUNTED_PATTERN,
        description="An amount of zero or more, with at most two decimals, as a string.",
        example="312.40",
    ),
]
SignedAmountIn = Annotated[
    int,
    BeforeValidator(_parser(SIGNED_PATTERN, "-50.00")),
    _documented(
        SIGNED_PATTERN,
        description="A balance, possibly negative, with at most two decimals, as a string.",
        example="-50.00",
    ),
]

AmountOut = Annotated[
    str,
    Field(
        pattern=r"^-?[0-9]+\.[0-9]{2}$",
        description="A signed decimal amount, as a string.",
        examples=["12.50"],
    ),
]


def amount_out(minor_units: int) -> str:
    return format_amount(minor_units)


def optional_amount_out(minor_units: int | None) -> str | None:
    return None if minor_units is None else format_amount(minor_units)
