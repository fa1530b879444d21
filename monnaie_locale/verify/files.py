"""Reading what the verifier is given: verifier keys, signed notes, proofs in JSON.

A file that cannot be read and a key that does not parse stop the run as bad usage
(:class:`~monnaie_locale.verify.report.UsageError`): the person running it must fix them.
What a file *says* is another matter: a proof that is not the JSON it should be, or a
hash that is not 32 bytes of base64, is a problem the report names.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from monnaie_locale.verify.merkle import HASH_SIZE
from monnaie_locale.verify.note import NoteError, NoteKey
from monnaie_locale.verify.report import UsageError

__all__ = [
    "as_int",
    "decode_hash",
    "decode_hashes",
    "fields",
    "load_keys",
    "read_bytes",
    "read_json",
    "read_text",
]


def read_bytes(path: str) -> bytes:
    """A file's bytes; bad usage when it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror or exc})") from exc


def read_text(path: str) -> str:
    """A UTF-8 file's text; bad usage when it cannot be read."""
    try:
        return read_bytes(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text") from exc


def read_json(path: str) -> tuple[Any, str | None]:
    """A JSON file's value, or None and why it is not JSON."""
    text = read_text(path)
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, f"{path}: not JSON ({exc.msg}, line {exc.lineno})"


def _vkeys_of(path: str) -> list[str]:
    """The verifier keys a file holds: ``GET /v1/transparency/keys``'s JSON, or one a line."""
    text = read_text(path)
    try:
        served = json.loads(text)
    except json.JSONDecodeError:
        served = None
    if isinstance(served, dict):
        vkeys = served.get("vkeys")
        if not isinstance(vkeys, list) or not all(isinstance(v, str) for v in vkeys):
            raise UsageError(f"{path}: a keys file's JSON has a list of strings, 'vkeys'")
        return vkeys
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def load_keys(vkeys: Iterable[str], files: Iterable[str]) -> list[NoteKey]:
    """The keys given with ``--key`` and ``--keys``; at least one."""
    found: list[NoteKey] = []
    given = [(vkey, "--key") for vkey in vkeys]
    for path in files:
        given.extend((vkey, path) for vkey in _vkeys_of(path))
    for vkey, where in given:
        try:
            found.append(NoteKey.from_vkey(vkey.strip()))
        except NoteError as exc:
            raise UsageError(f"{where}: {vkey!r} is not a verifier key: {exc.reason}") from exc
    if not found:
        raise UsageError("no key given: name the log's verifier key with --key or --keys")
    return found


def decode_hash(value: object) -> bytes | None:
    """A hash written in standard base64, or None when it is not 32 bytes of that."""
    if not isinstance(value, str):
        return None
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError:  # binascii.Error, or a non-ASCII character
        return None
    return raw if len(raw) == HASH_SIZE else None


def decode_hashes(values: object) -> list[bytes] | None:
    """A proof's list of base64 hashes, or None when any is not one."""
    if not isinstance(values, list):
        return None
    decoded = [decode_hash(value) for value in values]
    return None if any(h is None for h in decoded) else [h for h in decoded if h is not None]


def as_int(value: object) -> int | None:
    """A JSON whole number (not a boolean, not a float), or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def fields(value: object, names: Sequence[str]) -> dict[str, Any] | None:
    """``value`` when it is a JSON object with at least ``names``, else None."""
    if not isinstance(value, dict) or any(name not in value for name in names):
        return None
    return value
