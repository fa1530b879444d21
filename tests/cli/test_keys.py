"""``mlc keys``: a generated key is the one the service signs with; a rotation keeps the
codes already printed working; a key that cannot be read says why and changes nothing."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner, Result

from api.app import create_app
from api.checkout_runtime import build_keyring
from cli.main import app
from monnaie_locale.config import Settings
from monnaie_locale.payments import (
    KeyRing,
    PaymentRequest,
    RequestKind,
    SigningKey,
    UnknownKey,
    decode_request,
    encode_request,
    new_request_id,
    public_key_from_jwk,
)
from monnaie_locale.signing_keys import SigningKeyUnavailable
from monnaie_locale.store import Database

# Every setting the keys commands read, cleared unless a test sets it.
NO_KEY_SETTINGS: dict[str, str | None] = {
    "MLC_SIGNING_KEY_FILE": None,
    "MLC_SIGNING_KEY_PEM": None,
    "MLC_SIGNING_KEY_PASSPHRASE": None,
    "MLC_SIGNING_KEY_RETIRED_DIR": None,
    "MLC_ENVIRONMENT": None,
    "COLUMNS": "200",
}


def keys(*args: str, lang: str = "en", **env: str) -> Result:
    return CliRunner().invoke(app, ["--lang", lang, "keys", *args], env={**NO_KEY_SETTINGS, **env})


def generated(path: Path, **env: str) -> dict[str, Any]:
    result = keys("generate", "--out", str(path), "--json", **env)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def payment_code(key: SigningKey) -> str:
    request = PaymentRequest(
        kind=RequestKind.DYNAMIC,
        deployment_id=1,
        merchant_account_id=7,
        request_id=new_request_id(),
        amount_cents=1250,
        issued_at=int(time.time()),
        ttl_seconds=600,
    )
    return encode_request(request, key=key)


def verifies(token: str, ring: KeyRing) -> bool:
    try:
        decode_request(token, keyring=ring, deployment_id=1, now=int(time.time()))
    except UnknownKey:
        return False
    return True


def test_a_generated_key_is_written_0600_and_prints_its_id_and_public_jwk(
    tmp_path: Path,
) -> None:
    path = tmp_path / "signing.pem"
    result = keys("generate", "--out", str(path))

    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    key = SigningKey.from_pem(path.read_bytes())
    assert f"key id {key.key_id.hex()}" in result.stdout
    assert f"MLC_SIGNING_KEY_FILE={path}" in result.stdout


def test_the_service_signs_with_the_generated_key_and_publishes_it(
    tmp_path: Path, database: Database
) -> None:
    path = tmp_path / "signing.pem"
    shown = generated(path)

    service = create_app(Settings(signing_key_file=path), database=database)
    with TestClient(service) as client:
        published = client.get("/v1/checkout/keys").json()["keys"]
        ring: KeyRing = service.state.checkout.keyring

    assert ring.active.key_id.hex() == shown["key_id"]
    assert [jwk["kid"] for jwk in published] == [shown["key_id"]]
    # A code the service signs verifies with the printed public key, and with it alone.
    printed_only = KeyRing(
        SigningKey.generate(), verification_only=[public_key_from_jwk(shown["jwk"])]
    )
    assert verifies(payment_code(ring.active), printed_only)


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "signing.pem"
    path.write_bytes(b"the key in service")

    result = keys("generate", "--out", str(path))

    assert result.exit_code == 2
    assert "exists already" in result.stderr
    assert path.read_bytes() == b"the key in service"


def test_a_passphrase_encrypts_the_key_and_an_empty_variable_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "signing.pem"
    empty = keys("generate", "--out", str(path), "--passphrase-env", "KEY_PASS", KEY_PASS="")
    assert empty.exit_code == 2
    assert "KEY_PASS" in empty.stderr
    assert not path.exists()

    result = keys(
        "generate", "--out", str(path), "--passphrase-env", "KEY_PASS", KEY_PASS="open sesame"
    )
    assert result.exit_code == 0, result.output
    assert path.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    key = SigningKey.from_pem(path.read_bytes(), passphrase=b"open sesame")
    settings = Settings(signing_key_file=path, signing_key_passphrase=SecretStr("open sesame"))
    assert build_keyring(settings).active.key_id == key.key_id


def test_an_encrypted_key_without_its_passphrase_is_refused_plainly(tmp_path: Path) -> None:
    path = tmp_path / "signing.pem"
    path.write_bytes(SigningKey.generate().to_pem(passphrase=b"open sesame"))

    with pytest.raises(SigningKeyUnavailable) as refused:
        build_keyring(Settings(signing_key_file=path))
    assert refused.value.problem == "encrypted"
    assert "MLC_SIGNING_KEY_PASSPHRASE" in str(refused.value)

    shown = keys("show", MLC_SIGNING_KEY_FILE=str(path))
    assert shown.exit_code == 2
    assert f"The key {path} is encrypted" in shown.stderr
    assert "MLC_SIGNING_KEY_PASSPHRASE" in shown.stderr
    french = keys("show", lang="fr", MLC_SIGNING_KEY_FILE=str(path))
    assert "est chiffrée" in french.stderr


def test_a_wrong_passphrase_is_told_apart_from_a_missing_one(tmp_path: Path) -> None:
    path = tmp_path / "signing.pem"
    path.write_bytes(SigningKey.generate().to_pem(passphrase=b"open sesame"))

    shown = keys("show", MLC_SIGNING_KEY_FILE=str(path), MLC_SIGNING_KEY_PASSPHRASE="wrong")

    assert shown.exit_code == 2
    assert "wrong passphrase" in shown.stderr


def test_a_rotation_keeps_old_codes_valid_and_signs_new_ones_with_the_new_key(
    tmp_path: Path,
) -> None:
    key_file, retired = tmp_path / "signing.pem", tmp_path / "retired"
    env = {
        "MLC_SIGNING_KEY_FILE": str(key_file),
        "MLC_SIGNING_KEY_PASSPHRASE": "open sesame",
        "MLC_SIGNING_KEY_RETIRED_DIR": str(retired),
    }
    assert (
        keys("generate", "--out", str(key_file), "--passphrase-env", "P", P="open sesame").exit_code
        == 0
    )
    settings = Settings(
        signing_key_file=key_file,
        signing_key_passphrase=SecretStr("open sesame"),
        signing_key_retired_dir=retired,
    )
    before = build_keyring(settings)
    printed_before = payment_code(before.active)

    result = keys("rotate", "--json", **env)

    assert result.exit_code == 0, result.output
    done = json.loads(result.stdout)
    after = build_keyring(settings)
    assert done["retired"] == before.active.key_id.hex()
    assert after.active.key_id.hex() == done["active"] != done["retired"]
    assert after.key_ids() == [after.active.key_id, before.active.key_id]
    assert verifies(printed_before, after)
    new_only = KeyRing(SigningKey.generate(), verification_only=[after.active.public_key])
    assert verifies(payment_code(after.active), new_only)
    # The key file holds the new private key, still encrypted and private; the retired
    # directory only the old public half.
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    retired_file = retired / f"{done['retired']}.pem"
    assert retired_file.read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")
    # Deleting the retired key revokes what it signed.
    retired_file.unlink()
    assert not verifies(printed_before, build_keyring(settings))


def test_keys_show_lists_the_active_key_first_then_the_retired_ones(tmp_path: Path) -> None:
    key_file, retired = tmp_path / "signing.pem", tmp_path / "retired"
    env = {"MLC_SIGNING_KEY_FILE": str(key_file), "MLC_SIGNING_KEY_RETIRED_DIR": str(retired)}
    first = generated(key_file)["key_id"]
    second = json.loads(keys("rotate", "--json", **env).stdout)["active"]
    third = json.loads(keys("rotate", "--json", **env).stdout)["active"]

    shown = keys("show", "--json", **env)

    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert data["active"] == third
    assert [jwk["kid"] for jwk in data["keys"]] == [third, *sorted([first, second])]
    table = keys("show", **env)
    assert "verification only" in table.stdout
    assert third in table.stdout


def test_a_rotation_without_a_retired_directory_changes_nothing(tmp_path: Path) -> None:
    key_file = tmp_path / "signing.pem"
    generated(key_file)
    before = key_file.read_bytes()

    result = keys("rotate", MLC_SIGNING_KEY_FILE=str(key_file))

    assert result.exit_code == 2
    assert "MLC_SIGNING_KEY_RETIRED_DIR" in result.stderr
    assert key_file.read_bytes() == before
    assert list(tmp_path.iterdir()) == [key_file]


def test_an_inline_key_cannot_be_rotated(tmp_path: Path) -> None:
    pem = SigningKey.generate().to_pem().decode()

    result = keys(
        "rotate", MLC_SIGNING_KEY_PEM=pem, MLC_SIGNING_KEY_RETIRED_DIR=str(tmp_path / "r")
    )

    assert result.exit_code == 2
    assert "MLC_SIGNING_KEY_FILE" in result.stderr
    assert not (tmp_path / "r").exists()


def test_show_without_a_configured_key_says_how_to_make_one() -> None:
    result = keys("show")
    assert result.exit_code == 2
    assert "mlc keys generate" in result.stderr


def test_a_retired_private_key_verifies_and_a_stray_file_stops_the_start(tmp_path: Path) -> None:
    active, old = SigningKey.generate(), SigningKey.generate()
    key_file, retired = tmp_path / "signing.pem", tmp_path / "retired"
    key_file.write_bytes(active.to_pem())
    retired.mkdir()
    (retired / "old.pem").write_bytes(old.to_pem())
    (retired / "notes.txt").write_text("not a key, and not read: only *.pem files are")
    settings = Settings(signing_key_file=key_file, signing_key_retired_dir=retired)

    assert build_keyring(settings).key_ids() == [active.key_id, old.key_id]

    (retired / "stray.pem").write_text("-----BEGIN PUBLIC KEY-----\nnonsense\n")
    with pytest.raises(SigningKeyUnavailable) as refused:
        build_keyring(settings)
    assert refused.value.problem == "not_public_key"
    assert "stray.pem" in refused.value.source


def test_the_service_does_not_start_on_a_key_it_cannot_read(tmp_path: Path) -> None:
    path = tmp_path / "signing.pem"
    path.write_bytes(SigningKey.generate().to_pem(passphrase=b"open sesame"))

    result = CliRunner().invoke(
        app,
        ["--database", f"sqlite:///{tmp_path / 'books.db'}", "--lang", "en", "serve"],
        env={**NO_KEY_SETTINGS, "MLC_SIGNING_KEY_FILE": str(path)},
    )

    assert result.exit_code == 2
    assert f"The key {path} is encrypted" in result.stderr
    assert "listening" not in result.stdout
