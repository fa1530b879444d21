"""A software authenticator: valid WebAuthn registration and sign-in answers, made in
Python, so that passkeys are tested without a browser.

It holds one EC P-256 key (COSE algorithm -7), attests with the ``none`` format and
counts its signatures, as a security key does; ``origin`` and ``counter`` can be forced
to play a phishing site or a cloned authenticator.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

__all__ = ["SoftAuthenticator", "b64url", "from_b64url"]

_UP, _UV, _AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    """One passkey, for the relying party ``rp_id``, used from ``origin``."""

    def __init__(self, rp_id: str, origin: str) -> None:
        self.rp_id = rp_id
        self.origin = origin
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.counter = 0
        self.user_handle = b""

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,  # kty: EC2
                3: -7,  # alg: ES256
                -1: 1,  # crv: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _client_data(self, kind: str, options: dict[str, Any], origin: str | None) -> bytes:
        return json.dumps(
            {
                "type": kind,
                "challenge": options["challenge"],
                "origin": origin or self.origin,
                "crossOrigin": False,
            }
        ).encode()

    def create(self, options: dict[str, Any], *, origin: str | None = None) -> dict[str, Any]:
        """The answer of ``navigator.credentials.create(options)``, as the browser's JSON."""
        self.user_handle = from_b64url(options["user"]["id"])
        client_data = self._client_data("webauthn.create", options, origin)
        auth_data = (
            hashlib.sha256(self.rp_id.encode()).digest()
            + bytes([_UP | _UV | _AT])
            + self.counter.to_bytes(4, "big")
            + bytes(16)  # AAGUID: none said
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + self._cose_key()
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def get(
        self,
        options: dict[str, Any],
        *,
        origin: str | None = None,
        counter: int | None = None,
    ) -> dict[str, Any]:
        """The answer of ``navigator.credentials.get(options)``, signed; the counter goes
        up by one unless ``counter`` is given."""
        self.counter = self.counter + 1 if counter is None else counter
        client_data = self._client_data("webauthn.get", options, origin)
        auth_data = (
            hashlib.sha256(self.rp_id.encode()).digest()
            + bytes([_UP | _UV])
            + self.counter.to_bytes(4, "big")
        )
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = self.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        response = {
            "clientDataJSON": b64url(client_data),
            "authenticatorData": b64url(auth_data),
            "signature": b64url(signature),
        }
        if self.user_handle:  # a passkey never registered has none to give
            response["userHandle"] = b64url(self.user_handle)
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": response,
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }
