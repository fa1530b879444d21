"""The deployment's signing keys on disk: the active private key and the retired public keys.

The settings name the *active* key, the one that signs new payment requests and receipts:
a PKCS#8 PEM file (``MLC_SIGNING_KEY_FILE``) or the PEM itself (``MLC_SIGNING_KEY_PEM``),
encrypted when ``MLC_SIGNING_KEY_PASSPHRASE`` is set. They may also name a directory of
*retired* keys (``MLC_SIGNING_KEY_RETIRED_DIR``): every ``*.pem`` file in it, a public key
or a private one, joins the key ring as verification-only, so QR codes printed before a
rotation keep working. Deleting a file there revokes every code its key signed (after a
restart of the service, which reads the keys once).

A rotation keeps only the retired key's *public* half: it is all that verifying needs, and
a private key that no longer signs is a private key nobody should be able to steal. The
order of the steps makes a crash harmless: the old public key is written to the retired
directory first, then the new private key replaces the old one in a single rename. A
crash in between leaves the old key both active and retired, which the ring accepts.

Private key files are created with mode 0600 and never overwritten by :func:`write_new_key`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from monnaie_locale.config import Settings
from monnaie_locale.errors import MonnaieLocaleError
from monnaie_locale.payments.keys import KeyRing, SigningKey

__all__ = [
    "Rotation",
    "SigningKeyUnavailable",
    "configured_key",
    "keyring_from_settings",
    "passphrase_of",
    "read_private_key",
    "retired_keys",
    "rotate",
    "write_new_key",
]

_PRIVATE_MODE = 0o600


class SigningKeyUnavailable(MonnaieLocaleError, ValueError):
    """Raised when a signing key cannot be read, written or rotated as configured.

    ``source`` names the file or setting at fault; ``problem`` is a stable word for what
    went wrong (``encrypted``, ``not_encrypted``, ``unreadable``, ``exists``, ``io``,
    ``no_key_file``, ``no_retired_dir``, ``not_a_directory``, ``not_public_key``,
    ``same_key``), for the edges to explain in their language; ``reason`` says it in
    English. It is a ``ValueError`` too, so a service that cannot read its key stops at
    start-up.
    """

    code = "signing_key_unavailable"

    def __init__(self, source: str, problem: str, reason: str) -> None:
        super().__init__(f"signing key {source}: {reason}")
        self.source = source
        self.problem = problem
        self.reason = reason


@dataclass(frozen=True)
class Rotation:
    """What :func:`rotate` did: the key now verification-only, and the new active key."""

    retired: SigningKey
    retired_file: Path
    active: SigningKey
    active_file: Path


def passphrase_of(settings: Settings) -> bytes | None:
    """The passphrase of the settings' private keys, as bytes, or None."""
    secret = settings.signing_key_passphrase
    return None if secret is None else secret.get_secret_value().encode()


def read_private_key(pem: bytes, *, passphrase: bytes | None, source: str) -> SigningKey:
    """Load a PKCS#8 PEM private key, saying plainly why one cannot be read."""
    try:
        return SigningKey.from_pem(pem, passphrase=passphrase)
    except TypeError as exc:
        # cryptography says TypeError both for a missing and for an unexpected passphrase.
        if passphrase is None:
            raise SigningKeyUnavailable(
                source,
                "encrypted",
                "the key is encrypted: give its passphrase (MLC_SIGNING_KEY_PASSPHRASE)",
            ) from exc
        raise SigningKeyUnavailable(
            source, "not_encrypted", "the key is not encrypted: remove the passphrase setting"
        ) from exc
    except ValueError as exc:
        raise SigningKeyUnavailable(
            source,
            "unreadable",
            "wrong passphrase, or not an Ed25519 PKCS#8 PEM private key",
        ) from exc


def configured_key(settings: Settings) -> SigningKey | None:
    """The active signing key the settings name, or None when they name none."""
    passphrase = passphrase_of(settings)
    if settings.signing_key_pem is not None:
        pem = settings.signing_key_pem.get_secret_value().encode()
        return read_private_key(pem, passphrase=passphrase, source="MLC_SIGNING_KEY_PEM")
    if settings.signing_key_file is not None:
        path = settings.signing_key_file
        return read_private_key(_read(path), passphrase=passphrase, source=str(path))
    return None


def retired_keys(settings: Settings) -> list[Ed25519PublicKey]:
    """The public keys of the retired directory, in file name order.

    None without the setting, or before the first rotation has made the directory.
    """
    directory = settings.signing_key_retired_dir
    if directory is None or not directory.exists():
        return []
    if not directory.is_dir():
        raise SigningKeyUnavailable(str(directory), "not_a_directory", "not a directory")
    passphrase = passphrase_of(settings)
    return [_public_key(path, passphrase=passphrase) for path in sorted(directory.glob("*.pem"))]


def keyring_from_settings(settings: Settings) -> KeyRing | None:
    """The active key and the retired ones the settings name; None without an active key."""
    active = configured_key(settings)
    if active is None:
        return None
    return KeyRing(active, verification_only=retired_keys(settings))


def write_new_key(path: Path, key: SigningKey, *, passphrase: bytes | None) -> None:
    """Write ``key`` as PKCS#8 PEM to a new file of mode 0600; never replace a file."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE_MODE)
    except FileExistsError as exc:
        raise SigningKeyUnavailable(
            str(path), "exists", "the file exists already; it is kept"
        ) from exc
    except OSError as exc:
        raise SigningKeyUnavailable(str(path), "io", exc.strerror or str(exc)) from exc
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), _PRIVATE_MODE)  # whatever the umask
        handle.write(key.to_pem(passphrase=passphrase))
        handle.flush()
        os.fsync(handle.fileno())


def rotate(settings: Settings, *, new_key: SigningKey | None = None) -> Rotation:
    """Retire the active key file's key to the retired directory and put a new key in its place.

    The new key is encrypted with the same passphrase as the old one, so the service's
    settings stay as they are; it signs once the service is restarted.
    """
    key_file, directory = _rotation_paths(settings)
    passphrase = passphrase_of(settings)
    old = read_private_key(_read(key_file), passphrase=passphrase, source=str(key_file))
    fresh = new_key if new_key is not None else SigningKey.generate()
    if fresh.key_id == old.key_id:
        raise SigningKeyUnavailable(str(key_file), "same_key", "the new key is the active key")
    retired_file = _retire(old, directory)
    _replace(key_file, fresh.to_pem(passphrase=passphrase))
    return Rotation(retired=old, retired_file=retired_file, active=fresh, active_file=key_file)


def _rotation_paths(settings: Settings) -> tuple[Path, Path]:
    if settings.signing_key_file is None:
        source = "MLC_SIGNING_KEY_PEM" if settings.signing_key_pem is not None else "settings"
        raise SigningKeyUnavailable(
            source,
            "no_key_file",
            "rotation needs the active key in a file: set MLC_SIGNING_KEY_FILE",
        )
    if settings.signing_key_retired_dir is None:
        raise SigningKeyUnavailable(
            "settings",
            "no_retired_dir",
            "rotation keeps the old key in a directory of retired keys: set "
            "MLC_SIGNING_KEY_RETIRED_DIR, for the service too",
        )
    return settings.signing_key_file, settings.signing_key_retired_dir


def _retire(key: SigningKey, directory: Path) -> Path:
    """Write ``key``'s public half as ``<key id>.pem`` in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{key.key_id.hex()}.pem"
    pem = key.public_key.public_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    # Present already after a rotation cut short: the same key, so the same bytes.
    if not (path.exists() and path.read_bytes() == pem):
        _replace(path, pem)
    return path


def _replace(path: Path, data: bytes) -> None:
    """Put ``data`` at ``path`` in one rename, through a 0600 file beside it."""
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SigningKeyUnavailable(str(path), "io", exc.strerror or str(exc)) from exc


def _public_key(path: Path, *, passphrase: bytes | None) -> Ed25519PublicKey:
    """The public key in ``path``: a public PEM, or the public half of a private one."""
    pem = _read(path)
    if b"PRIVATE KEY" in pem:
        return read_private_key(pem, passphrase=passphrase, source=str(path)).public_key
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise SigningKeyUnavailable(str(path), "not_public_key", "not a PEM public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyUnavailable(str(path), "not_public_key", "not an Ed25519 key")
    return key
