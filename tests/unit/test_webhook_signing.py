"""Webhook signatures, checked against an independent implementation of Standard Webhooks."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from monnaie_locale.payments import (
    WebhookHeaderError,
    WebhookSignatureError,
    WebhookTimestampError,
    generate_secret,
    sign_webhook,
    verify_webhook,
)

# The specification's published test vector.
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

BODY = b'{"type":"payment.completed","amount_cents":1250}'
NOW = 1_790_000_000


def independent_signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Written from the specification's text, sharing no code with the module."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed_content = msg_id.encode() + b"." + str(timestamp).encode() + b"." + body
    return "v1," + base64.b64encode(hmac.digest(key, signed_content, hashlib.sha256)).decode()


def test_signature_matches_the_specification_test_vector() -> None:
    headers = sign_webhook(SPEC_BODY, secret=SPEC_SECRET, msg_id=SPEC_ID, timestamp=SPEC_TIMESTAMP)
    assert headers == {
        "webhook-id": SPEC_ID,
        "webhook-timestamp": str(SPEC_TIMESTAMP),
        "webhook-signature": SPEC_SIGNATURE,
    }
    assert independent_signature(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_independent_implementation_agrees_on_a_fresh_secret() -> None:
    secret = generate_secret()
    headers = sign_webhook(BODY, secret=secret, msg_id="msg_1", timestamp=NOW)
    assert headers["webhook-signature"] == independent_signature(secret, "msg_1", NOW, BODY)


def test_verify_accepts_what_the_independent_implementation_signed() -> None:
    secret = generate_secret()
    headers = {
        "Webhook-Id": "msg_2",
        "Webhook-Timestamp": str(NOW),
        "Webhook-Signature": independent_signature(secret, "msg_2", NOW, BODY),
    }
    verify_webhook(BODY, headers=headers, secret=secret, now=NOW + 10)


def test_one_matching_signature_among_several_is_enough() -> None:
    old, new = generate_secret(), generate_secret()
    signature = " ".join(
        [
            "v2,bm90IGEgdjEgc2lnbmF0dXJl",
            independent_signature(old, "msg_3", NOW, BODY),
            independent_signature(new, "msg_3", NOW, BODY),
        ]
    )
    headers = {"webhook-id": "msg_3", "webhook-timestamp": str(NOW), "webhook-signature": signature}
    verify_webhook(BODY, headers=headers, secret=new, now=NOW)
    with pytest.raises(WebhookSignatureError):
        verify_webhook(BODY, headers=headers, secret=generate_secret(), now=NOW)


@pytest.mark.parametrize("offset", [-301, 301, -(10**6), 10**6])
def test_stale_and_future_timestamps_are_refused(offset: int) -> None:
    secret = generate_secret()
    headers = sign_webhook(BODY, secret=secret, msg_id="msg_4", timestamp=NOW)
    with pytest.raises(WebhookTimestampError) as refused:
        verify_webhook(BODY, headers=headers, secret=secret, now=NOW - offset)
    assert refused.value.timestamp == NOW


@pytest.mark.parametrize("offset", [-300, 0, 300])
def test_timestamps_within_tolerance_are_accepted(offset: int) -> None:
    secret = generate_secret()
    headers = sign_webhook(BODY, secret=secret, msg_id="msg_5", timestamp=NOW)
    verify_webhook(BODY, headers=headers, secret=secret, now=NOW + offset)


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("webhook-id", "msg_other"),
        ("webhook-timestamp", str(NOW + 1)),
        ("webhook-signature", "v1,AAAA"),
    ],
)
def test_tampered_header_is_refused(header: str, value: str) -> None:
    secret = generate_secret()
    headers = {**sign_webhook(BODY, secret=secret, msg_id="msg_6", timestamp=NOW), header: value}
    with pytest.raises(WebhookSignatureError):
        verify_webhook(BODY, headers=headers, secret=secret, now=NOW)


def test_tampered_body_is_refused() -> None:
    secret = generate_secret()
    headers = sign_webhook(BODY, secret=secret, msg_id="msg_7", timestamp=NOW)
    with pytest.raises(WebhookSignatureError):
        verify_webhook(BODY.replace(b"1250", b"9250"), headers=headers, secret=secret, now=NOW)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_header_is_refused(missing: str) -> None:
    secret = generate_secret()
    headers = sign_webhook(BODY, secret=secret, msg_id="msg_8", timestamp=NOW)
    del headers[missing]
    with pytest.raises(WebhookHeaderError) as refused:
        verify_webhook(BODY, headers=headers, secret=secret, now=NOW)
    assert refused.value.header == missing


def test_non_numeric_timestamp_is_refused() -> None:
    secret = generate_secret()
    headers = {**sign_webhook(BODY, secret=secret, msg_id="m", timestamp=NOW)}
    headers["webhook-timestamp"] = "1.79e9"
    with pytest.raises(WebhookHeaderError):
        verify_webhook(BODY, headers=headers, secret=secret, now=NOW)


def test_generated_secrets_are_whsec_base64_of_32_random_bytes() -> None:
    first, second = generate_secret(), generate_secret()
    assert first != second
    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"), validate=True)) == 32
