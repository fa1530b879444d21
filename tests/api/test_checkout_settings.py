"""The signing key and the QR host in the settings: production refuses to run without a
key, a configured key is the one that signs, development makes a throwaway one."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from api.checkout_runtime import build_keyring
from monnaie_locale.config import Settings
from monnaie_locale.payments import SigningKey

SECRET = "s" * 40


def test_production_refuses_to_start_without_a_signing_key() -> None:
    with pytest.raises(ValidationError, match="MLC_SIGNING_KEY_FILE"):
        Settings(environment="production", secret_key=SecretStr(SECRET))


def test_an_inline_encrypted_pem_is_the_key_that_signs() -> None:
    key = SigningKey.generate()
    settings = Settings(
        environment="production",
        secret_key=SecretStr(SECRET),
        signing_key_pem=SecretStr(key.to_pem(passphrase=b"open sesame").decode()),
        signing_key_passphrase=SecretStr("open sesame"),
        public_host="pay.eusko.example",
    )

    assert build_keyring(settings).active.key_id == key.key_id


def test_a_pem_file_is_the_key_that_signs(tmp_path: Path) -> None:
    key = SigningKey.generate()
    path = tmp_path / "signing.pem"
    path.write_bytes(key.to_pem())

    keyring = build_keyring(Settings(signing_key_file=path))

    assert keyring.active.key_id == key.key_id


def test_a_wrong_passphrase_stops_the_start() -> None:
    pem = SigningKey.generate().to_pem(passphrase=b"right").decode()
    settings = Settings(signing_key_pem=SecretStr(pem), signing_key_passphrase=SecretStr("wrong"))

    with pytest.raises(ValueError):
        build_keyring(settings)


def test_development_without_a_key_signs_with_a_new_key_each_start() -> None:
    first, second = build_keyring(Settings()), build_keyring(Settings())

    assert first.active.key_id != second.active.key_id


@pytest.mark.parametrize("host", ["pay.example.org/x", "https://pay.example.org", "a" * 25, ""])
def test_a_public_host_that_cannot_go_in_a_qr_url_is_refused(host: str) -> None:
    with pytest.raises(ValidationError):
        Settings(public_host=host)


def test_production_refuses_webhooks_to_this_machine() -> None:
    key = SigningKey.generate().to_pem().decode()

    with pytest.raises(ValidationError, match="MLC_WEBHOOK_ALLOW_LOOPBACK"):
        Settings(
            environment="production",
            secret_key=SecretStr(SECRET),
            signing_key_pem=SecretStr(key),
            public_host="pay.eusko.example",
            webhook_allow_loopback=True,
        )
    assert Settings(webhook_allow_loopback=True).webhook_allow_loopback
    assert not Settings().webhook_allow_loopback
