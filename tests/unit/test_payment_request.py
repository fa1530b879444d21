"""Payment requests: round trips, every tampering refused, expiry, deployments, key rotation."""

from __future__ import annotations

import base64
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monnaie_locale.payments import (
    BadSignature,
    InvalidAmount,
    KeyRing,
    MalformedRequest,
    PaymentRequest,
    PaymentRequestError,
    RequestExpired,
    RequestKind,
    SigningKey,
    UnknownKey,
    WrongDeployment,
    decode_request,
    encode_request,
    key_id_of,
    new_request_id,
    public_jwk,
    public_key_from_jwk,
    request_url,
)
from monnaie_locale.payments.request import (
    MAX_AMOUNT_CENTS,
    MAX_MERCHANT_ACCOUNT_ID,
    MAX_TTL_SECONDS,
)

NOW = 1_790_000_000
DEPLOYMENT = 7
KEY = SigningKey.generate()
RING = KeyRing(KEY)
KIND_OFFSET = 1  # the layout: version u8, then kind u8


def dynamic(**changes: object) -> PaymentRequest:
    request = PaymentRequest(
        kind=RequestKind.DYNAMIC,
        deployment_id=DEPLOYMENT,
        merchant_account_id=4242,
        request_id=bytes.fromhex("0011223344556677"),
        amount_cents=1250,
        issued_at=NOW,
        ttl_seconds=300,
        reference="FACT-2026-001",
    )
    return replace(request, **changes)  # type: ignore[arg-type]


def static() -> PaymentRequest:
    return dynamic(kind=RequestKind.STATIC, amount_cents=0, ttl_seconds=3 * 365 * 86400)


def decode(token: str, *, now: int = NOW, ring: KeyRing = RING) -> PaymentRequest:
    return decode_request(token, keyring=ring, deployment_id=DEPLOYMENT, now=now)


def raw(token: str) -> bytes:
    return base64.b32decode(token + "=" * (-len(token) % 8))


def token_of(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def resigned(token: str, *, change: int, value: int, key: SigningKey = KEY) -> str:
    """Set payload byte `change` to `value` and sign again: a well-signed, odd request."""
    payload = bytearray(raw(token)[:-64])
    payload[change] = value
    return token_of(bytes(payload) + key.sign(bytes(payload)))


# --- round trips -------------------------------------------------------------------------


def test_dynamic_request_round_trips_through_token_and_url() -> None:
    request = dynamic()
    token = encode_request(request, key=KEY)
    assert decode(token) == request
    assert decode(request_url(token, host="pay.eusko.eus")) == request


def test_static_request_round_trips_with_zero_amount() -> None:
    request = static()
    assert decode(encode_request(request, key=KEY)) == request


def test_token_is_uppercase_unpadded_base32_and_url_is_uppercase() -> None:
    token = encode_request(dynamic(), key=KEY)
    url = request_url(token, host="pay.eusko.eus")
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert url == f"HTTPS://PAY.EUSKO.EUS/R/{token}"


def test_new_request_ids_are_random_8_bytes() -> None:
    ids = {new_request_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(request_id) == 8 for request_id in ids)


requests = st.builds(
    PaymentRequest,
    kind=st.just(RequestKind.DYNAMIC),
    deployment_id=st.just(DEPLOYMENT),
    merchant_account_id=st.integers(0, MAX_MERCHANT_ACCOUNT_ID),
    request_id=st.binary(min_size=8, max_size=8),
    amount_cents=st.integers(1, MAX_AMOUNT_CENTS),
    issued_at=st.just(NOW),
    ttl_seconds=st.integers(1, MAX_TTL_SECONDS),
    reference=st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=16),
)


@given(requests)
def test_any_valid_request_round_trips(request: PaymentRequest) -> None:
    assert decode(encode_request(request, key=KEY)) == request


# --- tampering ---------------------------------------------------------------------------


@settings(max_examples=300)
@given(requests, st.data())
def test_any_single_bit_flip_of_the_bytes_is_refused(
    request: PaymentRequest, data: st.DataObject
) -> None:
    original = raw(encode_request(request, key=KEY))
    bit = data.draw(st.integers(0, len(original) * 8 - 1))
    flipped = bytearray(original)
    flipped[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(PaymentRequestError):
        decode(token_of(bytes(flipped)))


def test_every_single_bit_flip_of_one_token_is_refused() -> None:
    original = raw(encode_request(dynamic(), key=KEY))
    accepted = []
    for bit in range(len(original) * 8):
        flipped = bytearray(original)
        flipped[bit // 8] ^= 1 << (bit % 8)
        try:
            decode(token_of(bytes(flipped)))
        except PaymentRequestError:
            continue
        accepted.append(bit)
    assert accepted == []


@pytest.mark.parametrize(
    "forged", [dynamic(amount_cents=125000), dynamic(merchant_account_id=666)], ids=str
)
def test_changed_field_with_the_old_signature_is_refused(forged: PaymentRequest) -> None:
    genuine_signature = raw(encode_request(dynamic(), key=KEY))[-64:]
    forged_payload = raw(encode_request(forged, key=KEY))[:-64]
    with pytest.raises(BadSignature):
        decode(token_of(forged_payload + genuine_signature))


def test_signature_by_another_key_under_our_key_id_is_refused() -> None:
    payload = raw(encode_request(dynamic(), key=KEY))[:-64]
    forged = token_of(payload + SigningKey.generate().sign(payload))
    with pytest.raises(BadSignature) as refused:
        decode(forged)
    assert refused.value.key_id == KEY.key_id


def test_request_signed_by_an_unknown_key_is_refused() -> None:
    stranger = SigningKey.generate()
    with pytest.raises(UnknownKey) as refused:
        decode(encode_request(dynamic(), key=stranger))
    assert refused.value.key_id == stranger.key_id


def test_request_of_another_deployment_is_refused() -> None:
    token = encode_request(dynamic(deployment_id=DEPLOYMENT + 1), key=KEY)
    with pytest.raises(WrongDeployment) as refused:
        decode(token)
    assert (refused.value.expected, refused.value.found) == (DEPLOYMENT, DEPLOYMENT + 1)


def test_signed_static_request_carrying_an_amount_is_refused() -> None:
    token = resigned(encode_request(dynamic(), key=KEY), change=KIND_OFFSET, value=2)
    with pytest.raises(InvalidAmount) as refused:
        decode(token)
    assert (refused.value.kind, refused.value.amount_cents) == (RequestKind.STATIC, 1250)


def test_signed_dynamic_request_with_zero_amount_is_refused() -> None:
    token = resigned(encode_request(static(), key=KEY), change=KIND_OFFSET, value=1)
    with pytest.raises(InvalidAmount) as refused:
        decode(token)
    assert refused.value.kind is RequestKind.DYNAMIC


@pytest.mark.parametrize("value", [0, 3, 255])
def test_signed_request_of_unknown_kind_is_malformed(value: int) -> None:
    with pytest.raises(MalformedRequest):
        decode(resigned(encode_request(dynamic(), key=KEY), change=KIND_OFFSET, value=value))


def test_signed_request_of_unknown_version_is_malformed() -> None:
    with pytest.raises(MalformedRequest, match="version"):
        decode(resigned(encode_request(dynamic(), key=KEY), change=0, value=2))


def test_signed_payload_with_trailing_bytes_is_malformed() -> None:
    payload = raw(encode_request(dynamic(), key=KEY))[:-64] + b"\x00"
    with pytest.raises(MalformedRequest, match="trailing"):
        decode(token_of(payload + KEY.sign(payload)))


def test_constructor_refuses_amount_inconsistent_with_kind() -> None:
    with pytest.raises(InvalidAmount):
        dynamic(kind=RequestKind.STATIC)
    with pytest.raises(InvalidAmount):
        dynamic(amount_cents=0)


@pytest.mark.parametrize(
    "changes",
    [
        {"amount_cents": -1},
        {"amount_cents": 12.5},
        {"merchant_account_id": MAX_MERCHANT_ACCOUNT_ID + 1},
        {"request_id": b"short"},
        {"ttl_seconds": 0},
        {"reference": "x" * 17},
        {"reference": "café"},
        {"deployment_id": 70000},
    ],
    ids=str,
)
def test_constructor_refuses_out_of_range_fields(changes: dict[str, object]) -> None:
    with pytest.raises((ValueError, InvalidAmount)):
        dynamic(**changes)


@pytest.mark.parametrize("cut", [1, 2, 8, 50, 100])
def test_truncated_token_is_refused(cut: int) -> None:
    token = encode_request(dynamic(), key=KEY)
    with pytest.raises(PaymentRequestError):
        decode(token[:-cut])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "HELLO",
        "!!!!",
        "0189",  # not in the base32 alphabet
        "A" * 1000,
        "HTTPS://PAY.EUSKO.EUS/X/AAAA",
        "javascript:alert(1)",
    ],
)
def test_garbage_is_malformed(text: str) -> None:
    with pytest.raises(MalformedRequest):
        decode(text)


def test_lowercase_token_is_refused() -> None:
    token = encode_request(dynamic(), key=KEY)
    with pytest.raises(MalformedRequest):
        decode(token.lower())
    with pytest.raises(MalformedRequest):
        decode(f"https://pay.eusko.eus/r/{token.lower()}")


def test_non_canonical_base32_trailing_bits_are_refused() -> None:
    token = encode_request(dynamic(), key=KEY)
    # The last character carries unused low bits; setting them keeps the bytes but not the text.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    variants = [token[:-1] + c for c in alphabet if c != token[-1]]
    same_bytes = [v for v in variants if raw(v) == raw(token)]
    assert same_bytes, "the token length leaves unused bits in its last character"
    for variant in same_bytes:
        with pytest.raises(MalformedRequest, match="canonical"):
            decode(variant)


# --- expiry ------------------------------------------------------------------------------


def test_a_request_expires_exactly_at_its_expiry_with_no_grace() -> None:
    request = dynamic()
    token = encode_request(request, key=KEY)
    assert decode(token, now=request.expires_at - 1) == request
    with pytest.raises(RequestExpired) as refused:
        decode(token, now=request.expires_at)
    assert refused.value.expires_at == NOW + 300
    assert refused.value.now == request.expires_at


def test_request_issued_in_the_future_is_refused_beyond_skew() -> None:
    token = encode_request(dynamic(), key=KEY)
    assert decode(token, now=NOW - 30).amount_cents == 1250
    with pytest.raises(RequestExpired):
        decode(token, now=NOW - 31)


# --- keys --------------------------------------------------------------------------------


def test_request_signed_by_a_rotated_out_key_still_verifies_until_removed() -> None:
    old, new = SigningKey.generate(), SigningKey.generate()
    ring = KeyRing(old)
    old_token = encode_request(dynamic(), key=ring.active)
    ring.rotate(new)
    assert ring.active is new
    assert decode(old_token, ring=ring) == dynamic()
    assert decode(encode_request(dynamic(), key=ring.active), ring=ring) == dynamic()
    ring.remove(old.key_id)
    with pytest.raises(UnknownKey):
        decode(old_token, ring=ring)


def test_active_key_cannot_be_removed() -> None:
    ring = KeyRing(SigningKey.generate())
    with pytest.raises(ValueError):
        ring.remove(ring.active.key_id)


def test_verification_only_keys_given_at_construction_verify() -> None:
    old = SigningKey.generate()
    ring = KeyRing(SigningKey.generate(), verification_only=[old.public_key])
    assert ring.key_ids() == [ring.active.key_id, old.key_id]
    assert decode(encode_request(dynamic(), key=old), ring=ring) == dynamic()


def test_private_key_pem_round_trips_encrypted_with_a_passphrase() -> None:
    pem = KEY.to_pem(passphrase=b"correct horse")
    assert b"ENCRYPTED" in pem
    assert SigningKey.from_pem(pem, passphrase=b"correct horse").key_id == KEY.key_id
    with pytest.raises(ValueError):
        SigningKey.from_pem(pem, passphrase=b"wrong")
    assert SigningKey.from_pem(KEY.to_pem()).key_id == KEY.key_id


def test_public_jwk_is_rfc8037_and_loads_back() -> None:
    jwk = public_jwk(KEY.public_key)
    assert (jwk["kty"], jwk["crv"], jwk["kid"]) == ("OKP", "Ed25519", KEY.key_id.hex())
    assert len(base64.urlsafe_b64decode(jwk["x"] + "=")) == 32
    assert key_id_of(public_key_from_jwk(jwk)) == KEY.key_id
    with pytest.raises(ValueError):
        public_key_from_jwk({**jwk, "kid": "00000000"})


def test_key_ring_publishes_every_verifying_key() -> None:
    ring = KeyRing(SigningKey.generate())
    first = ring.active.key_id
    ring.rotate(SigningKey.generate())
    kids = [jwk["kid"] for jwk in ring.jwks()["keys"]]
    assert kids == [ring.active.key_id.hex(), first.hex()]


def test_package_exports_every_public_exception_and_entry_point() -> None:
    import monnaie_locale.payments as payments
    from monnaie_locale.payments import keys, qr, receipts, request, webhooks

    exported = set(payments.__all__)
    assert all(hasattr(payments, name) for name in exported)
    for module in (keys, qr, receipts, request, webhooks):
        for name, value in vars(module).items():
            is_error = isinstance(value, type) and issubclass(value, Exception)
            if is_error and value.__module__ == module.__name__:
                assert name in exported, name
