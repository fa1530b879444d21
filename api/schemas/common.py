"""What every request shares: unknown fields are refused; account codes, dates and
moments have one shape each."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from fastapi import Path
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from monnaie_locale.model import NOT_PLAIN_CHARACTERS

__all__ = [
    "ACCOUNT_CODE_PATTERN",
    "MAX_ROW_ID",
    "TEXT_PATTERN",
    "AccountCode",
    "IsoDate",
    "IsoMoment",
    "JsonInt",
    "Memo",
    "RequestBody",
    "ResponseBody",
    "RowId",
    "RowIdInPath",
]

# The core's plain-text rule (monnaie_locale.model), refused here already, at the edge:
# no control characters, line separators or reordering marks in names, codes or memos.
TEXT_PATTERN = f"^[^{NOT_PLAIN_CHARACTERS}]*$"
# And an account code has no outer spaces.
ACCOUNT_CODE_PATTERN = (
    f"^[^\\s{NOT_PLAIN_CHARACTERS}]([^{NOT_PLAIN_CHARACTERS}]*[^\\s{NOT_PLAIN_CHARACTERS}])?$"
)


class RequestBody(BaseModel):
    """A request body: an unknown field is an error, not something silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ResponseBody(BaseModel):
    model_config = ConfigDict(frozen=True)


AccountCode = Annotated[
    str, Field(min_length=1, max_length=120, pattern=ACCOUNT_CODE_PATTERN, examples=["alice"])
]
Memo = Annotated[
    str, Field(max_length=500, pattern=TEXT_PATTERN, examples=["bread and croissants"])
]


# Dates and moments are strings, as the document says (format date, date-time), never a
# number: pydantic would otherwise read 0 or "0.5" as seconds since 1970.
_DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
DATE_PATTERN = f"^{_DATE}$"
_TIME = "[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})?"
_OFFSET = "([Zz]|[+-][0-9]{2}:[0-9]{2})"
MOMENT_PATTERN = f"^{_DATE}[Tt]{_TIME}{_OFFSET}$"


def _string_like(pattern: str, what: str) -> BeforeValidator:
    shape = re.compile(pattern)

    def check(value: object) -> object:
        if not isinstance(value, str) or shape.fullmatch(value) is None:
            raise ValueError(f"{what} is a string such as {_EXAMPLES[what]}")
        return value

    return BeforeValidator(check)


_EXAMPLES = {"a date": "2026-11-02", "a moment": "2026-11-02T09:00:00+01:00"}
IsoDate = Annotated[
    date, _string_like(DATE_PATTERN, "a date"), Field(json_schema_extra={"pattern": DATE_PATTERN})
]
IsoMoment = Annotated[
    AwareDatetime,
    _string_like(MOMENT_PATTERN, "a moment"),
    Field(json_schema_extra={"pattern": MOMENT_PATTERN}),
]


def _json_integer(value: object) -> object:
    # JSON Schema's integer: a number without a fractional part (7, or 7.0), never a
    # string of digits or a boolean, which pydantic would otherwise take for one.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("a whole number, written as a JSON number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("a whole number, without a fractional part")
        return int(value)
    return value


JsonInt = Annotated[int, BeforeValidator(_json_integer)]
# A row's id in a body. Bounded by the largest integer a JSON double holds exactly
# (JavaScript's Number.MAX_SAFE_INTEGER): a client could not send a larger id exactly.
MAX_ROW_ID = 2**53 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID), BeforeValidator(_json_integer)]
# The same in a path (where it is digits, so not strict).
RowIdInPath = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
