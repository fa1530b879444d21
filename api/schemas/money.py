"""Amounts at the edge: decimal strings in both directions, never JSON numbers.

A request's amount is a string such as ``"12.50"`` or ``"12,50"`` (at most two decimals,
no sign), parsed by the core's one constructor into minor units. A JSON number is refused
outright: a client that sends ``12.5`` has already passed money through a float.
Responses carry signed decimal strings, ``"-12.50"``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, WithJsonSchema

from monnaie_locale.errors import InvalidAmount
from monnaie_locale.money import format_amount, parse_amount

__all__ = ["AmountIn", "AmountOut", "amount_out", "optional_amount_out"]

AMOUNT_PATTERN = r"^[0-9]+([.,][0-9]{1,2})?$"


def _minor_units(value: object) -> int:
    if not isinstance(value, str):
        raise ValueError('amounts are strings such as "12.50", never JSON numbers')
    try:
        amount = parse_amount(value)
    except InvalidAmount as exc:
        raise ValueError(exc.reason) from exc
    if amount == 0:
        raise ValueError("the amount must be greater than zero")
    return amount


AmountIn = Annotated[
    int,
    BeforeValidator(_minor_units),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": AMOUNT_PATTERN,
            "description": "A positive amount with at most two decimals, as a string.",
            "examples": ["12.50"],
        }
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
