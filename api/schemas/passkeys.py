"""Bodies of the passkey routes: WebAuthn answers, as browsers write them in JSON.

The authenticator's answer is checked for shape here, so garbage is a 422 naming the
field: every binary value is base64url text of bounded length. Fields a browser adds
and the service does not read (``clientExtensionResults``, the ``publicKey`` of
``toJSON()``...) are ignored rather than refused, so a page may send what
``PublicKeyCredential.toJSON()`` gives; the body limit bounds them. Whether the answer is
valid is the core's to say.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import TEXT_PATTERN, RequestBody, ResponseBody
from monnaie_locale.acts.passkeys import Passkey

__all__ = [
    "PasskeyOut",
    "PasskeyRegisterIn",
    "PasskeySignInIn",
    "PasskeySignInOptionsIn",
    "WebAuthnOptions",
]


_B64URL = r"^[A-Za-z0-9_-]+={0,2}$"
# A credential id is at most 1023 bytes (WebAuthn 5.1): 1364 characters of base64url.
CredentialId = Annotated[str, Field(min_length=1, max_length=1364, pattern=_B64URL)]
ClientData = Annotated[str, Field(min_length=1, max_length=4096, pattern=_B64URL)]
# A packed attestation with its certificates stays well under 16 KiB.
AttestationObject = Annotated[str, Field(min_length=1, max_length=16384, pattern=_B64URL)]
AuthenticatorData = Annotated[str, Field(min_length=37, max_length=2048, pattern=_B64URL)]
Signature = Annotated[str, Field(min_length=1, max_length=1024, pattern=_B64URL)]
UserHandle = Annotated[str, Field(min_length=1, max_length=128, pattern=_B64URL)]


class _Answer(BaseModel):
    # Ignored, not refused: browsers add fields of their own (see the module's docstring).
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class AttestationResponse(_Answer):
    client_data_json: ClientData = Field(alias="clientDataJSON")
    attestation_object: AttestationObject = Field(alias="attestationObject")
    transports: (
        Annotated[list[Annotated[str, Field(max_length=20)]], Field(max_length=10)] | None
    ) = None


class AssertionResponse(_Answer):
    client_data_json: ClientData = Field(alias="clientDataJSON")
    authenticator_data: AuthenticatorData = Field(alias="authenticatorData")
    signature: Signature
    user_handle: UserHandle | None = Field(default=None, alias="userHandle")


class RegistrationCredential(_Answer):
    id: CredentialId
    raw_id: CredentialId = Field(alias="rawId")
    type: Literal["public-key"]
    response: AttestationResponse
    authenticator_attachment: Literal["platform", "cross-platform"] | None = Field(
        default=None, alias="authenticatorAttachment"
    )


class AuthenticationCredential(_Answer):
    id: CredentialId
    raw_id: CredentialId = Field(alias="rawId")
    type: Literal["public-key"]
    response: AssertionResponse
    authenticator_attachment: Literal["platform", "cross-platform"] | None = Field(
        default=None, alias="authenticatorAttachment"
    )


_CREDENTIAL_EXAMPLE = {
    "id": "3q2-7w",
    "rawId": "3q2-7w",
    "type": "public-key",
}


class PasskeyRegisterIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "my phone",
                    "credential": {
                        **_CREDENTIAL_EXAMPLE,
                        "response": {
                            "clientDataJSON": "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0",
                            "attestationObject": "o2NmbXRkbm9uZQ",
                            "transports": ["internal"],
                        },
                    },
                }
            ]
        },
    )

    name: Annotated[str, Field(min_length=1, max_length=80, pattern=TEXT_PATTERN)]
    credential: RegistrationCredential

    def answer(self) -> dict[str, Any]:
        """The credential as the WebAuthn library reads it."""
        return self.credential.model_dump(by_alias=True, exclude_none=True)


class PasskeySignInIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "credential": {
                        **_CREDENTIAL_EXAMPLE,
                        "response": {
                            "clientDataJSON": "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0",
                            "authenticatorData": "SZYN5YgOjGh0NBcPZHZgW4",
                            "signature": "MEUCIQ",
                            "userHandle": "q83v",
                        },
                    }
                }
            ]
        },
    )

    credential: AuthenticationCredential

    def answer(self) -> dict[str, Any]:
        return self.credential.model_dump(by_alias=True, exclude_none=True)


class PasskeySignInOptionsIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{}, {"username": "alice"}]}
    )

    # Without it, the authenticator offers whichever passkey of this site it holds.
    username: Annotated[str, Field(min_length=1, max_length=80, pattern=TEXT_PATTERN)] | None = None


class WebAuthnOptions(ResponseBody):
    """Options for ``navigator.credentials.create()`` or ``.get()``, binary values in
    base64url: what the page's script (``/assets/checkout/passkeys.js``) converts."""

    model_config = ConfigDict(extra="allow")

    challenge: str = Field(examples=["kRbBp6VJ3Wm3hXTe7oR9vYqkAq0Yk2dD1t9cE4nqWmY"])
    timeout: int = Field(examples=[300000])


class PasskeyOut(ResponseBody):
    id: int
    name: str = Field(examples=["my phone"])
    transports: list[str] = Field(examples=[["internal", "hybrid"]])
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, passkey: Passkey) -> PasskeyOut:
        return cls(
            id=passkey.id,
            name=passkey.name,
            transports=list(passkey.transports),
            created_at=passkey.created_at,
            last_used_at=passkey.last_used_at,
        )
