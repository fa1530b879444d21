"""What every body shares: unknown fields are refused, and account codes have one shape."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ACCOUNT_CODE_PATTERN",
    "TEXT_PATTERN",
    "AccountCode",
    "Memo",
    "RequestBody",
    "ResponseBody",
]

# Control characters have no place in names or memos, and PostgreSQL refuses NUL outright.
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"
# Like the core's rule: no outer spaces; and no control characters anywhere.
ACCOUNT_CODE_PATTERN = r"^[^\s\x00-\x1f\x7f]([^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f])?$"


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
