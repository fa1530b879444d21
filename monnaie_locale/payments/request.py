"""Signed payment requests: the compact binary form a merchant's QR code carries.

A payment request tells a payer's phone whom to pay, how much, and until when. Unsigned
merchant QR codes can be covered by a fraudster's sticker or edited; here every field is
covered by an Ed25519 signature of the deployment, so a request cannot be forged or altered,
and its random request id lets the server enforce single use against replay.

Two kinds exist. A *dynamic* request is shown on the till for one sale: it carries the
amount, is short-lived and single-use. A *static* request is printed once at the counter:
the payer types the amount, so the payload carries 0.

Binary layout, version 1 (integers big-endian, varints unsigned LEB128, minimal, <= 5 bytes):

    version u8 | kind u8 | deployment u16 | key id 4 bytes | merchant account varint
    | request id 8 bytes | amount cents varint | issued-at u32 unix s | ttl s varint
    | reference length u8 + ASCII (<= 16) || Ed25519 signature (64 bytes, over all before)

The bytes are written as RFC 4648 base32, uppercase and unpadded, inside an uppercase
`HTTPS://HOST/R/<BASE32>` URL: every character is then in the QR alphanumeric set, which
packs 5.5 bits per character, and a maximal request fits QR version 8 at level M.

Exceptions, all raised by `decode_request` (the last also by the constructor)::

    PaymentRequestError
    ├── MalformedRequest   not a well-formed token of a known version
    ├── WrongDeployment    issued by another deployment
    ├── UnknownKey         signed by a key the ring does not hold (or no longer holds)
    ├── BadSignature       the signature does not match the payload
    ├── RequestExpired     outside its validity window
    └── InvalidAmount      amount inconsistent with the kind
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass
from enum import IntEnum

from monnaie_locale.payments.keys import (
    KEY_ID_LENGTH,
    SIGNATURE_LENGTH,
    KeyRing,
    SigningKey,
    verify_signature,
)

FORMAT_VERSION = 1
REQUEST_ID_LENGTH = 8
MAX_REFERENCE_LENGTH = 16
MAX_VARINT = 2**35 - 1  # what 5 LEB128 bytes hold; bounds the payload size
MAX_AMOUNT_CENTS = MAX_VARINT
MAX_MERCHANT_ACCOUNT_ID = MAX_VARINT
MAX_TTL_SECONDS = 10 * 366 * 24 * 3600  # a printed static code may live for years
MAX_DEPLOYMENT_ID = 2**16 - 1
MAX_HOST_LENGTH = 24  # with the longest payload, the URL still fits QR version 8-M
MAX_TEXT_LENGTH = 512  # far above any valid token or URL: refuse absurd input unparsed

_TOKEN = re.compile(r"[A-Z2-7]+")
_URL = re.compile(r"(?i:HTTPS://[A-Z0-9.:-]+)/R/([A-Z2-7]+)")
_HOST = re.compile(r"[A-Z0-9.-]+(:[0-9]+)?")


class RequestKind(IntEnum):
    """Dynamic: one sale, amount set by the merchant. Static: printed, payer types amount."""

    DYNAMIC = 1
    STATIC = 2


class PaymentRequestError(Exception):
    """Root of every refusal of a payment request."""


class MalformedRequest(PaymentRequestError):
    """Raised when the text is not a well-formed request token or URL of a known version."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"malformed payment request: {reason}")
        self.reason = reason


class WrongDeployment(PaymentRequestError):
    """Raised when the request names another deployment, e.g. a QR of another currency."""

    def __init__(self, *, expected: int, found: int) -> None:
        super().__init__(f"request for deployment {found}, this is deployment {expected}")
        self.expected = expected
        self.found = found


class UnknownKey(PaymentRequestError):
    """Raised when the key id is not in the key ring: never ours, or removed since."""

    def __init__(self, key_id: bytes) -> None:
        super().__init__(f"unknown signing key {key_id.hex()}")
        self.key_id = key_id


class BadSignature(PaymentRequestError):
    """Raised when the signature does not verify: the request was altered or forged."""

    def __init__(self, key_id: bytes) -> None:
        super().__init__(f"bad signature for key {key_id.hex()}")
        self.key_id = key_id


class RequestExpired(PaymentRequestError):
    """Raised when `now` is at or past expiry, or before issuance by more than the skew."""

    def __init__(self, *, issued_at: int, expires_at: int, now: int) -> None:
        super().__init__(f"request valid from {issued_at} to {expires_at}, now is {now}")
        self.issued_at = issued_at
        self.expires_at = expires_at
        self.now = now


class InvalidAmount(PaymentRequestError):
    """Raised when a static request carries an amount or a dynamic one carries none."""

    def __init__(self, *, kind: RequestKind, amount_cents: int) -> None:
        super().__init__(f"{kind.name.lower()} request cannot have amount {amount_cents}")
        self.kind = kind
        self.amount_cents = amount_cents


@dataclass(frozen=True, kw_only=True)
class PaymentRequest:
    """What a payment request says; valid by construction (ranges, kind and amount)."""

    kind: RequestKind
    deployment_id: int
    merchant_account_id: int
    request_id: bytes
    amount_cents: int
    issued_at: int
    ttl_seconds: int
    reference: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.kind, RequestKind):
            raise ValueError("kind must be a RequestKind")
        _check_range("deployment_id", self.deployment_id, MAX_DEPLOYMENT_ID)
        _check_range("merchant_account_id", self.merchant_account_id, MAX_MERCHANT_ACCOUNT_ID)
        _check_range("amount_cents", self.amount_cents, MAX_AMOUNT_CENTS)
        _check_range("issued_at", self.issued_at, 2**32 - 1)
        _check_range("ttl_seconds", self.ttl_seconds, MAX_TTL_SECONDS)
        if self.ttl_seconds == 0:
            raise ValueError("ttl_seconds must be positive")
        if len(self.request_id) != REQUEST_ID_LENGTH:
            raise ValueError(f"request_id must be {REQUEST_ID_LENGTH} bytes")
        if len(self.reference) > MAX_REFERENCE_LENGTH or not _printable_ascii(self.reference):
            raise ValueError(f"reference must be <= {MAX_REFERENCE_LENGTH} printable ASCII")
        if (self.kind is RequestKind.STATIC) != (self.amount_cents == 0):
            raise InvalidAmount(kind=self.kind, amount_cents=self.amount_cents)

    @property
    def expires_at(self) -> int:
        return self.issued_at + self.ttl_seconds


def new_request_id() -> bytes:
    """A random request id: 64 bits make a collision between live requests negligible."""
    return secrets.token_bytes(REQUEST_ID_LENGTH)


def encode_request(request: PaymentRequest, *, key: SigningKey) -> str:
    """Sign `request` with `key` and return the base32 token (uppercase, unpadded)."""
    payload = _pack(request, key_id=key.key_id)
    signed = payload + key.sign(payload)
    return base64.b32encode(signed).decode("ascii").rstrip("=")


def request_url(token: str, *, host: str) -> str:
    """Build the `HTTPS://HOST/R/<token>` URL, uppercase so the QR uses alphanumeric mode."""
    upper_host = host.upper()
    if not _HOST.fullmatch(upper_host) or len(upper_host) > MAX_HOST_LENGTH:
        raise ValueError(f"host must be a plain host name of at most {MAX_HOST_LENGTH} chars")
    if not _TOKEN.fullmatch(token):
        raise ValueError("token must be uppercase base32")
    return f"HTTPS://{upper_host}/R/{token}"


def decode_request(
    token_or_url: str,
    *,
    keyring: KeyRing,
    deployment_id: int,
    now: int,
    clock_skew: int = 30,
) -> PaymentRequest:
    """Decode and verify a token or URL; raise a `PaymentRequestError` subclass if refused.

    `now` is the current unix time in seconds. A request is valid from `issued_at` until
    `expires_at`, which is the first second it is refused: the expiry a till shows is
    exact, with no grace. `clock_skew` seconds of tolerance apply before `issued_at` only,
    for servers whose clocks disagree a little (one issues, another verifies); it never
    lengthens a request's life.
    Single use is not checked here: the caller must refuse a `request_id` already paid.
    """
    raw = _base32_decode(_extract_token(token_or_url))
    payload, signature = raw[:-SIGNATURE_LENGTH], raw[-SIGNATURE_LENGTH:]
    fields = _unpack(payload)
    # Checked before the key: a code from another deployment deserves that precise answer.
    if fields.deployment_id != deployment_id:
        raise WrongDeployment(expected=deployment_id, found=fields.deployment_id)
    public_key = keyring.verification_key(fields.key_id)
    if public_key is None:
        raise UnknownKey(fields.key_id)
    if not verify_signature(public_key, signature=signature, message=payload):
        raise BadSignature(fields.key_id)
    request = fields.build()
    if not request.issued_at - clock_skew <= now < request.expires_at:
        raise RequestExpired(issued_at=request.issued_at, expires_at=request.expires_at, now=now)
    return request


def _check_range(name: str, value: int, maximum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise ValueError(f"{name} must be an int in [0, {maximum}]")


def _printable_ascii(text: str) -> bool:
    return all(" " <= char <= "~" for char in text)


# --- the binary codec -------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _Fields:
    """The fields as parsed, before the signature is checked and the ranges validated."""

    kind: int
    deployment_id: int
    key_id: bytes
    merchant_account_id: int
    request_id: bytes
    amount_cents: int
    issued_at: int
    ttl_seconds: int
    reference: str

    def build(self) -> PaymentRequest:
        try:
            kind = RequestKind(self.kind)
        except ValueError as exc:
            raise MalformedRequest(f"unknown kind {self.kind}") from exc
        try:
            return PaymentRequest(
                kind=kind,
                deployment_id=self.deployment_id,
                merchant_account_id=self.merchant_account_id,
                request_id=self.request_id,
                amount_cents=self.amount_cents,
                issued_at=self.issued_at,
                ttl_seconds=self.ttl_seconds,
                reference=self.reference,
            )
        except ValueError as exc:
            raise MalformedRequest(str(exc)) from exc


def _pack(request: PaymentRequest, *, key_id: bytes) -> bytes:
    reference = request.reference.encode("ascii")
    return b"".join(
        [
            bytes([FORMAT_VERSION, request.kind]),
            request.deployment_id.to_bytes(2, "big"),
            key_id,
            _varint(request.merchant_account_id),
            request.request_id,
            _varint(request.amount_cents),
            request.issued_at.to_bytes(4, "big"),
            _varint(request.ttl_seconds),
            bytes([len(reference)]),
            reference,
        ]
    )


def _unpack(payload: bytes) -> _Fields:
    reader = _Reader(payload)
    version = reader.take(1)[0]
    if version != FORMAT_VERSION:
        raise MalformedRequest(f"unknown format version {version}")
    kind = reader.take(1)[0]
    deployment_id = int.from_bytes(reader.take(2), "big")
    key_id = reader.take(KEY_ID_LENGTH)
    merchant_account_id = reader.varint()
    request_id = reader.take(REQUEST_ID_LENGTH)
    amount_cents = reader.varint()
    issued_at = int.from_bytes(reader.take(4), "big")
    ttl_seconds = reader.varint()
    reference = reader.take(reader.take(1)[0])
    if not reader.at_end():
        raise MalformedRequest("trailing bytes after the reference")
    return _Fields(
        kind=kind,
        deployment_id=deployment_id,
        key_id=key_id,
        merchant_account_id=merchant_account_id,
        request_id=request_id,
        amount_cents=amount_cents,
        issued_at=issued_at,
        ttl_seconds=ttl_seconds,
        reference=reference.decode("latin-1"),  # never fails; the range check refuses non-ASCII
    )


class _Reader:
    """A cursor over the payload that turns every overrun into `MalformedRequest`."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._offset = 0

    def take(self, count: int) -> bytes:
        end = self._offset + count
        if end > len(self._data):
            raise MalformedRequest("payload too short")
        chunk = self._data[self._offset : end]
        self._offset = end
        return chunk

    def varint(self) -> int:
        value = 0
        for index in range(5):
            byte = self.take(1)[0]
            value |= (byte & 0x7F) << (7 * index)
            if not byte & 0x80:
                # One byte string per value: a padded varint (a trailing 0 group) is refused.
                if byte == 0 and index > 0:
                    raise MalformedRequest("non-minimal varint")
                return value
        raise MalformedRequest("varint longer than 5 bytes")

    def at_end(self) -> bool:
        return self._offset == len(self._data)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _extract_token(text: str) -> str:
    if len(text) > MAX_TEXT_LENGTH:
        raise MalformedRequest("too long")
    url = _URL.fullmatch(text)
    token = url.group(1) if url else text
    if not _TOKEN.fullmatch(token):
        raise MalformedRequest("not an uppercase base32 token or request URL")
    return token


def _base32_decode(token: str) -> bytes:
    try:
        raw = base64.b32decode(token + "=" * (-len(token) % 8))
    except binascii.Error as exc:
        raise MalformedRequest("invalid base32 length") from exc
    # Unused trailing bits must be zero, so that a request has exactly one token.
    if base64.b32encode(raw).decode("ascii").rstrip("=") != token:
        raise MalformedRequest("non-canonical base32")
    if len(raw) <= SIGNATURE_LENGTH:
        raise MalformedRequest("shorter than a signature")
    return raw
