"""What every body shares: unknown fields are refused, and account codes have one shape."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from monnaie_locale.model import NOT_PLAIN_CHARACTERS

__all__ = [
    "ACCOUNT_CODE_PATTERN",
    "TEXT_PATTERN",
    "AccountCode",
    "Memo",
    "RequestBody",
    "ResponseBody",
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
