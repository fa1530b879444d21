"""Bodies of sign-in, the caller's profile and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from api.schemas.common import TEXT_PATTERN, AccountCode, RequestBody, ResponseBody
from monnaie_locale.auth import ApiKey, Role

__all__ = ["ApiKeyCreated", "ApiKeyIn", "ApiKeyOut", "LoginIn", "Me", "TokenOut"]


class LoginIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"username": "alice", "password": "a long passphrase"}]},
    )

    username: Annotated[str, Field(min_length=1, max_length=80, pattern=TEXT_PATTERN)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class TokenOut(ResponseBody):
    token: str = Field(examples=["mlt_4Vv0..."])
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


class Me(ResponseBody):
    name: str = Field(examples=["alice"])
    role: Role
    accounts: list[str] = Field(examples=[["alice"]])


class ApiKeyIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"account": "bakery", "label": "counter terminal"}]},
    )

    account: AccountCode
    label: Annotated[str, Field(max_length=200, pattern=TEXT_PATTERN)] = ""


class ApiKeyOut(ResponseBody):
    id: int
    prefix: str = Field(examples=["mlk_Q2x9aB0c"])
    label: str
    account: str
    role: Role
    revoked: bool

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyOut:
        return cls(
            id=key.id,
            prefix=key.prefix,
            label=key.label,
            account=key.account,
            role=key.role,
            revoked=key.revoked,
        )


class ApiKeyCreated(ApiKeyOut):
    secret: str = Field(description="Shown this once; store it in the terminal now.")
