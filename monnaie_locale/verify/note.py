"""C2SP signed notes: Ed25519 note signatures and timestamped witness cosignatures.

A signed note is a text ending in a newline, a blank line, then signature lines
``— <key name> base64(key id || signature)``; the text is separated from the signatures
by the *last* blank line (c2sp.org/signed-note). A key is named by its name and a 4-byte
id, ``SHA-256(name || 0x0A || type || public key)[:4]``; type 0x01 is a plain Ed25519
signature of the text, type 0x04 a witness's cosignature (c2sp.org/tlog-cosignature):
8 bytes of big-endian Unix time, then the Ed25519 signature of
``"cosignature/v1\\ntime <t>\\n" + text``.

A verifier key is written ``<name>+<key id hex>+base64(type || public key)``, the
``vkey`` form the Go ``sumdb/note`` package reads.

Unknown keys are ignored; a known key's bad signature rejects the note; a note with no
verified signature from a known key is rejected (:class:`NoteError` says why).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "COSIGNATURE",
    "ED25519",
    "MAX_SIGNATURES",
    "NoteError",
    "NoteKey",
    "Signature",
    "SignedNote",
    "cosign",
    "cosignature_time",
    "format_note",
    "open_note",
    "parse_note",
    "sign_line",
]

ED25519 = 0x01
COSIGNATURE = 0x04
MAX_SIGNATURES = 100
_DASH = "\u2014 "


class NoteError(ValueError):
    """A note that does not parse or does not verify; ``reason`` says which rule failed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _check_name(name: str) -> None:
    if not name or "+" in name or any(ch.isspace() for ch in name):
        raise NoteError(f"a key name must be non-empty, without spaces or '+': {name!r}")


@dataclass(frozen=True)
class NoteKey:
    """A public key as notes name it: its name, its type (0x01 or 0x04) and the key."""

    name: str
    public_key: Ed25519PublicKey
    kind: int = ED25519

    def __post_init__(self) -> None:
        _check_name(self.name)
        if self.kind not in (ED25519, COSIGNATURE):
            raise NoteError(f"unsupported signature type 0x{self.kind:02x}")

    @property
    def key_id(self) -> bytes:
        """The 4-byte id: SHA-256(name || newline || type || public key)[:4]."""
        material = self.name.encode() + b"\n" + bytes([self.kind]) + _raw(self.public_key)
        return hashlib.sha256(material).digest()[:4]

    @property
    def vkey(self) -> str:
        """The verifier key string, ``name+id+base64(type || key)``."""
        encoded = base64.b64encode(bytes([self.kind]) + _raw(self.public_key)).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    @classmethod
    def from_vkey(cls, vkey: str) -> NoteKey:
        """Read a verifier key string; refuse one whose id does not match its key."""
        parts = vkey.strip().split("+", 2)  # base64 holds '+' too: the key is the rest
        if len(parts) != 3:
            raise NoteError("a verifier key is name+id+key")
        name, hex_id, encoded = parts
        try:
            raw = base64.b64decode(encoded, validate=True)
            key_id = bytes.fromhex(hex_id)
        except (binascii.Error, ValueError) as exc:
            raise NoteError("a verifier key's id is hex and its key base64") from exc
        if len(raw) != 33 or len(key_id) != 4:
            raise NoteError("a verifier key holds a type byte and a 32-byte Ed25519 key")
        key = cls(name, Ed25519PublicKey.from_public_bytes(raw[1:]), raw[0])
        if key.key_id != key_id:
            raise NoteError("the verifier key's id does not match its key")
        return key


@dataclass(frozen=True)
class Signature:
    """One signature line: the key's name, its id, and the signature bytes after the id."""

    name: str
    key_id: bytes
    signature: bytes

    @property
    def line(self) -> str:
        encoded = base64.b64encode(self.key_id + self.signature).decode()
        return f"{_DASH}{self.name} {encoded}\n"


@dataclass(frozen=True)
class SignedNote:
    """A note's text and its signature lines, in order."""

    text: str
    signatures: tuple[Signature, ...]


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("a note's text ends with a newline")
    if any(ord(ch) < 0x20 and ch != "\n" for ch in text):
        raise NoteError("a note holds no control character other than newline")


def parse_note(note: str | bytes) -> SignedNote:
    """Split a signed note into its text and signatures, by the format's rules only."""
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NoteError("a note is UTF-8") from exc
    _check_text(note)
    cut = note.rfind("\n\n")
    if cut < 0:
        raise NoteError("a note's signatures follow a blank line")
    text, block = note[: cut + 1], note[cut + 2 :]
    lines = block.splitlines(keepends=True)
    if not lines:
        raise NoteError("a note has at least one signature")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"more than {MAX_SIGNATURES} signatures")
    return SignedNote(text, tuple(_signature(line) for line in lines))


def _signature(line: str) -> Signature:
    if not line.startswith(_DASH) or not line.endswith("\n"):
        raise NoteError(f"not a signature line: {line!r}")
    parts = line[len(_DASH) : -1].split(" ")
    if len(parts) != 2:
        raise NoteError(f"a signature line is a name and a signature: {line!r}")
    name, encoded = parts
    _check_name(name)
    try:
        raw = base64.b64decode(encoded, validate=True)
    except binascii.Error as exc:
        raise NoteError(f"a signature is base64: {line!r}") from exc
    if len(raw) < 5:
        raise NoteError(f"a signature is a key id and some bytes: {line!r}")
    return Signature(name, raw[:4], raw[4:])


def _cosigned_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()


def _verifies(key: NoteKey, text: str, signature: bytes) -> bool:
    if key.kind == COSIGNATURE:
        if len(signature) != 72:
            return False
        timestamp = struct.unpack(">Q", signature[:8])[0]
        message, sig = _cosigned_message(text, timestamp), signature[8:]
    else:
        message, sig = text.encode(), signature
    try:
        key.public_key.verify(sig, message)
    except InvalidSignature:
        return False
    return True


def open_note(note: str | bytes, known: Iterable[NoteKey]) -> tuple[SignedNote, list[NoteKey]]:
    """Parse ``note`` and verify it: the note and the known keys that signed it.

    Refused when a known key's signature fails, or when no known key signed it.
    """
    parsed = parse_note(note)
    by_id = {(key.name, key.key_id): key for key in known}
    signed: list[NoteKey] = []
    for sig in parsed.signatures:
        key = by_id.get((sig.name, sig.key_id))
        if key is None:
            continue  # unknown keys are ignored, as the format says
        if not _verifies(key, parsed.text, sig.signature):
            raise NoteError(f"the signature of {key.name} does not verify")
        signed.append(key)
    if not signed:
        raise NoteError("no known key signed this note")
    return parsed, signed


def sign_line(text: str, name: str, private_key: Ed25519PrivateKey) -> Signature:
    """The Ed25519 note signature of ``text`` by ``private_key`` named ``name``."""
    _check_text(text)
    key = NoteKey(name, private_key.public_key())
    return Signature(name, key.key_id, private_key.sign(text.encode()))


def cosign(text: str, name: str, private_key: Ed25519PrivateKey, *, timestamp: int) -> Signature:
    """A witness's timestamped cosignature (type 0x04) of a checkpoint's text."""
    _check_text(text)
    key = NoteKey(name, private_key.public_key(), COSIGNATURE)
    signature = private_key.sign(_cosigned_message(text, timestamp))
    return Signature(name, key.key_id, struct.pack(">Q", timestamp) + signature)


def cosignature_time(signature: Signature) -> int:
    """The Unix time a cosignature says it was made."""
    if len(signature.signature) != 72:
        raise NoteError("a cosignature is 8 bytes of time and a 64-byte signature")
    return int(struct.unpack(">Q", signature.signature[:8])[0])


def format_note(text: str, signatures: Iterable[Signature]) -> str:
    """The note ``text`` followed by its blank line and signature lines."""
    _check_text(text)
    lines = "".join(sig.line for sig in signatures)
    if not lines:
        raise NoteError("a note has at least one signature")
    return text + "\n" + lines
