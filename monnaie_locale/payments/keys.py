"""Ed25519 signing keys, their short ids, and the key ring that rotates them.

The deployment signs payment requests and receipts with one *active* Ed25519 key. Every key
is named by a 4-byte key id, the first bytes of SHA-256 of its raw public key: short enough
to ride inside a small QR code, derived from the key itself so it can never be assigned to
the wrong key by mistake.

Keys rotate. When a new key becomes active the previous one stays in the `KeyRing` as a
*verification-only* key, so QR codes already printed or displayed keep working; removing it
from the ring is how an operator revokes every code it signed.

Private keys are stored as PKCS#8 PEM, encrypted when a passphrase is given. Public keys are
published as JWK (RFC 8037, `kty` "OKP", `crv` "Ed25519") so that anyone, a merchant's
till for instance, can verify a receipt without talking to the ledger.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_ID_LENGTH = 4
SIGNATURE_LENGTH = 64
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def key_id_of(public_key: Ed25519PublicKey) -> bytes:
    """Return the 4-byte id of `public_key`: the first bytes of SHA-256 of its raw form."""
    return hashlib.sha256(_raw_public(public_key)).digest()[:KEY_ID_LENGTH]


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key together with its key id."""

    private_key: Ed25519PrivateKey = field(repr=False)

    @classmethod
    def generate(cls) -> SigningKey:
        """Create a fresh random key."""
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_pem(cls, data: bytes, *, passphrase: bytes | None = None) -> SigningKey:
        """Load a PKCS#8 PEM private key; `passphrase` is required if the PEM is encrypted."""
        key = serialization.load_pem_private_key(data, password=passphrase)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the PEM does not hold an Ed25519 private key")
        return cls(key)

    def to_pem(self, *, passphrase: bytes | None = None) -> bytes:
        """Serialize as PKCS#8 PEM, encrypted with `passphrase` when one is given."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase)
            if passphrase is not None
            else serialization.NoEncryption()
        )
        return self.private_key.private_bytes(
            encoding=serialization.Encoding.PEM,
            format=serialization.PrivateFormat.PKCS8,
            encryption_algorithm=encryption,
        )

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def key_id(self) -> bytes:
        return key_id_of(self.public_key)

    def sign(self, message: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of `message`."""
        return self.private_key.sign(message)


def verify_signature(public_key: Ed25519PublicKey, *, signature: bytes, message: bytes) -> bool:
    """Tell whether `signature` is a valid signature of `message` by `public_key`."""
    try:
        public_key.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    """Export `public_key` as a JWK dict (RFC 8037) ready to be served as JSON."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url_encode(_raw_public(public_key)),
        "kid": key_id_of(public_key).hex(),
        "alg": "EdDSA",
        "use": "sig",
    }


def public_key_from_jwk(jwk: Mapping[str, str]) -> Ed25519PublicKey:
    """Load a public key from its JWK form; refuse a JWK whose `kid` does not match its key."""
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise ValueError("not an Ed25519 OKP JWK")
    raw = b64url_decode(jwk.get("x", ""))
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    key = Ed25519PublicKey.from_public_bytes(raw)
    # A kid that disagrees with the key would let a stale id select the wrong key.
    if "kid" in jwk and jwk["kid"] != key_id_of(key).hex():
        raise ValueError("the JWK kid does not match its key")
    return key


class KeyRing:
    """One active signing key plus older keys kept to verify what they already signed."""

    def __init__(
        self, active: SigningKey, *, verification_only: Iterable[Ed25519PublicKey] = ()
    ) -> None:
        self._active = active
        self._retired: dict[bytes, Ed25519PublicKey] = {}
        for key in verification_only:
            self.add_verification_key(key)

    @property
    def active(self) -> SigningKey:
        return self._active

    def add_verification_key(self, public_key: Ed25519PublicKey) -> None:
        """Keep `public_key` to verify old signatures; it never signs anything new."""
        kid = key_id_of(public_key)
        known = self.verification_key(kid)
        # Two different keys sharing a 4-byte id would make the id ambiguous: refuse.
        if known is not None and _raw_public(known) != _raw_public(public_key):
            raise ValueError(f"key id {kid.hex()} already names another key")
        if kid != self._active.key_id:
            self._retired[kid] = public_key

    def rotate(self, new_key: SigningKey) -> None:
        """Make `new_key` the active key; the previous one becomes verification-only."""
        previous = self._active
        if self.verification_key(new_key.key_id) is not None:
            raise ValueError(f"key id {new_key.key_id.hex()} is already in the ring")
        self._active = new_key
        self._retired[previous.key_id] = previous.public_key

    def remove(self, key_id: bytes) -> None:
        """Revoke a verification-only key: everything it signed stops verifying."""
        if key_id == self._active.key_id:
            raise ValueError("the active key cannot be removed; rotate first")
        del self._retired[key_id]

    def verification_key(self, key_id: bytes) -> Ed25519PublicKey | None:
        """Return the public key named `key_id`, or None if the ring does not hold it."""
        if key_id == self._active.key_id:
            return self._active.public_key
        return self._retired.get(key_id)

    def key_ids(self) -> list[bytes]:
        """The ids of every key that verifies, the active one first."""
        return [self._active.key_id, *self._retired]

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The JWK Set of every verifying key, to publish at a well-known URL."""
        keys = [self._active.public_key, *self._retired.values()]
        return {"keys": [public_jwk(key) for key in keys]}


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(
        encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
    )


def b64url_encode(data: bytes) -> str:
    """Encode as unpadded base64url (RFC 4648 section 5), the JOSE convention."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url, refusing any character outside its alphabet."""
    # The standard decoder silently skips stray characters; a signature must not.
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("invalid base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
