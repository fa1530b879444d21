"""Bodies of opening a holder account."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from api.schemas.common import TEXT_PATTERN, AccountCode, RequestBody
from monnaie_locale.model import MAX_DISPLAY_NAME

__all__ = ["AccountOpenIn"]

DisplayName = Annotated[str, Field(min_length=1, max_length=MAX_DISPLAY_NAME, pattern=TEXT_PATTERN)]
OwnerRef = Annotated[str, Field(min_length=1, max_length=120, pattern=TEXT_PATTERN)]
Category = Annotated[str, Field(min_length=1, max_length=40, pattern=TEXT_PATTERN)]


class AccountOpenIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"code": "carol", "kind": "member", "owner_ref": "M-0042"},
                {
                    "code": "epicerie",
                    "kind": "business",
                    "display_name": "Épicerie du marché",
                    "category": "business_reduced",
                },
            ]
        },
    )

    code: AccountCode
    kind: Literal["member", "business", "authority"] = Field(
        description="Who holds it; the deployment sets its upper limit."
    )
    display_name: DisplayName | None = Field(
        default=None, description="The name payers are shown; without it, the code."
    )
    owner_ref: OwnerRef | None = Field(
        default=None, description="The holder's reference, such as a member number."
    )
    category: Category | None = Field(
        default=None,
        description="A reconversion fee category other than the kind's; one the deployment prices.",
    )
