"""Bodies of user administration and of changing one's own password."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field

from api.schemas.common import AccountCode, RequestBody, ResponseBody
from monnaie_locale.auth import Role, UserSummary
from monnaie_locale.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH

__all__ = [
    "USERNAME_PATTERN",
    "LinkAccountIn",
    "PasswordChangeIn",
    "PasswordResetIn",
    "TokensRevokedOut",
    "UserIn",
    "UserOut",
    "UserPage",
]

# The core's rule (monnaie_locale.auth.users), so a bad name is refused before any work.
USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._@-]{1,79}$"
Username = Annotated[str, Field(pattern=USERNAME_PATTERN, examples=["paul"])]
# A new password follows the core's length rule (monnaie_locale.auth.passwords), shown in
# the document; the current one is only checked, and no password is longer.
NewPassword = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)]
CurrentPassword = Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)]


class PasswordChangeIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "current_password": "the passphrase I used so far",
                    "new_password": "a new and longer passphrase",
                }
            ]
        },
    )

    current_password: CurrentPassword
    new_password: NewPassword


class PasswordResetIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"password": "a passphrase to change soon"}]},
    )

    password: NewPassword


class UserIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "username": "paul",
                    "role": "office_operator",
                    "password": "a passphrase to change soon",
                    "accounts": ["office:gare:till", "notes:office:gare"],
                }
            ]
        },
    )

    username: Username
    role: Role
    password: NewPassword
    accounts: list[AccountCode] = Field(
        default_factory=list,
        max_length=20,
        description="Accounts the user holds from the start; all must exist.",
    )


class LinkAccountIn(RequestBody):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"account": "bob"}]})

    account: AccountCode


class UserOut(ResponseBody):
    username: str = Field(examples=["paul"])
    role: Role
    active: bool = Field(description="False once disabled: the user cannot sign in.")
    locked_until: datetime | None = Field(
        description="Set after repeated failed sign-ins: no sign-in before this moment."
    )
    accounts: list[str] = Field(examples=[["office:gare:till"]])

    @classmethod
    def of(cls, user: UserSummary) -> UserOut:
        return cls(
            username=user.username,
            role=user.role,
            active=user.active,
            locked_until=user.locked_until,
            accounts=sorted(user.accounts),
        )


class UserPage(ResponseBody):
    items: list[UserOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page.")


class TokensRevokedOut(ResponseBody):
    username: str = Field(examples=["paul"])
    revoked: int = Field(description="How many live sign-in tokens were revoked.", examples=[2])
