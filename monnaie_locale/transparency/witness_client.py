"""A witness of the published log, for anyone to run, with no access to the database.

A witness keeps the last checkpoint it cosigned. Each run fetches the service's latest
checkpoint, verifies the service's signature with the key pinned at first use (or given),
and cosigns it only if it extends the one kept:

* the same size: the same root;
* a larger size: the consistency proof the service gives verifies (RFC 9162, 2.1.4.2);
* a smaller size: refused, the service serves something older than what it signed.

A checkpoint that breaks the first two rules is a fork: the service signed two histories.
The witness then cosigns nothing, keeps both notes (and the proof) as evidence, and
reports them to the service (``POST /v1/transparency/forks``), which raises its alarm.
Otherwise it cosigns (c2sp.org/tlog-cosignature, stamped now), keeps the cosigned note
as its new last, then sends its cosignature (``POST /v1/transparency/cosignatures``).
The note is kept first: a cosignature that could not be sent goes again with the next run.

The state directory holds:

================  ==========================================================================
witness.pem       the witness's Ed25519 private key (PKCS#8 PEM, mode 0600)
witness.vkey      its verifier key, the line to give the association
service.vkeys     the service's verifier keys, one a line, pinned at first use
last.note         the last checkpoint cosigned: the service's signature, then ours
forks/<time>/     held.note, served.note and proof.json: a fork's evidence
================  ==========================================================================

No database, no server code: the HTTP client is any :class:`httpx.Client` (a test hands
in the app's own), the checks are :mod:`monnaie_locale.verify`'s.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from monnaie_locale.verify.checkpoint import Checkpoint, CheckpointError, parse_checkpoint
from monnaie_locale.verify.merkle import verify_consistency
from monnaie_locale.verify.note import (
    COSIGNATURE,
    NoteError,
    NoteKey,
    SignedNote,
    cosign,
    format_note,
    open_note,
    parse_note,
)

__all__ = [
    "CHECKPOINT_PATH",
    "COSIGNATURES_PATH",
    "FORKS_PATH",
    "KEYS_PATH",
    "PROOF_PATH",
    "Outcome",
    "Problem",
    "Result",
    "WitnessProblem",
    "WitnessState",
    "witness_once",
]

CHECKPOINT_PATH = "/v1/transparency/checkpoint"
KEYS_PATH = "/v1/transparency/keys"
PROOF_PATH = "/v1/transparency/proof/consistency"
COSIGNATURES_PATH = "/v1/transparency/cosignatures"
FORKS_PATH = "/v1/transparency/forks"
MAX_NAME = 200  # the witnesses table's column

_KEY, _VKEY, _PINNED, _LAST = "witness.pem", "witness.vkey", "service.vkeys", "last.note"


class Problem(enum.StrEnum):
    """Why a run stopped before cosigning, as the command words it."""

    NO_STATE = "no_state"  # the directory holds no witness key: init first
    STATE_EXISTS = "state_exists"  # init into a directory that has a key already
    BAD_NAME = "bad_name"
    BAD_SERVICE_KEY = "bad_service_key"  # --service-key does not read
    PINNED_DIFFERS = "pinned_differs"  # --service-key is not the key pinned
    UNREACHABLE = "unreachable"  # no answer, or not the answer the protocol has
    UNSIGNED = "unsigned"  # the checkpoint does not verify with the pinned key
    UNREADABLE = "unreadable"  # the note or its checkpoint breaks the formats
    OLDER = "older"  # smaller than the checkpoint last cosigned
    NO_PROOF = "no_proof"  # the service gives no usable consistency proof


class WitnessProblem(Exception):
    """A run that cosigned nothing, for ``problem``; ``fields`` fill its message."""

    def __init__(self, problem: Problem, **fields: object) -> None:
        super().__init__(f"{problem}: {fields}")
        self.problem = problem
        self.fields = fields


class Outcome(enum.StrEnum):
    NOTHING_YET = "nothing_yet"  # the service has signed no checkpoint yet
    COSIGNED = "cosigned"
    ALREADY = "already"  # the same checkpoint as last time: its cosignature sent again
    FORK = "fork"


@dataclass(frozen=True)
class Result:
    """A run's outcome; ``delivered`` says whether the service took what was sent (the
    cosignature, or the fork's evidence) and ``answer`` what it said when it did not."""

    outcome: Outcome
    size: int = 0
    root: str = ""
    previous_size: int | None = None
    delivered: bool = False
    answer: str = ""
    evidence: Path | None = None
    fields: dict[str, object] = field(default_factory=dict)


class WitnessState:
    """The witness's directory: its key, the service's pinned keys, the last note."""

    def __init__(self, path: Path) -> None:
        self.path = path
        pem = self._file(_KEY)
        if not pem.exists():
            raise WitnessProblem(Problem.NO_STATE, path=str(path))
        key = serialization.load_pem_private_key(pem.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise WitnessProblem(Problem.NO_STATE, path=str(path))
        self.private_key = key
        try:
            self.key = NoteKey.from_vkey(self._file(_VKEY).read_text().strip())
        except (OSError, NoteError):
            raise WitnessProblem(Problem.NO_STATE, path=str(path)) from None
        if self.key.vkey != NoteKey(self.key.name, key.public_key(), COSIGNATURE).vkey:
            raise WitnessProblem(Problem.NO_STATE, path=str(path))

    @classmethod
    def create(cls, path: Path, name: str) -> WitnessState:
        """Make a witness named ``name`` in ``path``: a new key, never over an old one."""
        try:
            if len(name) > MAX_NAME:
                raise NoteError(f"at most {MAX_NAME} characters")
            private_key = Ed25519PrivateKey.generate()
            key = NoteKey(name, private_key.public_key(), COSIGNATURE)
        except NoteError as exc:
            raise WitnessProblem(Problem.BAD_NAME, name=name, reason=exc.reason) from None
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        pem = private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            # Created with its mode, never over an existing key: a witness's key is its name.
            fd = os.open(path / _KEY, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise WitnessProblem(Problem.STATE_EXISTS, path=str(path / _KEY)) from None
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
        _write(path / _VKEY, key.vkey + "\n")
        return cls(path)

    @property
    def name(self) -> str:
        return self.key.name

    def _file(self, name: str) -> Path:
        return self.path / name

    def pinned(self) -> list[NoteKey]:
        found = self._file(_PINNED)
        if not found.exists():
            return []
        try:
            return [NoteKey.from_vkey(line) for line in found.read_text().splitlines() if line]
        except NoteError as exc:
            raise WitnessProblem(Problem.UNREADABLE, reason=f"{found}: {exc.reason}") from None

    def pin(self, keys: Sequence[NoteKey]) -> None:
        _write(self._file(_PINNED), "".join(key.vkey + "\n" for key in keys))

    def last(self) -> tuple[str, SignedNote, Checkpoint] | None:
        """The last note cosigned, its parts and its checkpoint; None before the first."""
        found = self._file(_LAST)
        if not found.exists():
            return None
        note = found.read_text(encoding="utf-8")
        try:
            parsed = parse_note(note)
            return note, parsed, parse_checkpoint(parsed.text)
        except (NoteError, CheckpointError) as exc:
            raise WitnessProblem(Problem.UNREADABLE, reason=f"{found}: {exc.reason}") from None

    def keep_last(self, note: str) -> None:
        _write(self._file(_LAST), note)

    def keep_fork(
        self, held: str, served: str, proof: Sequence[bytes] | None, *, now: datetime
    ) -> Path:
        """Write a fork's evidence in a directory of its own; its path."""
        folder = self.path / "forks" / now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        folder.mkdir(parents=True, exist_ok=True)
        _write(folder / "held.note", held)
        _write(folder / "served.note", served)
        if proof is not None:
            _write(folder / "proof.json", json.dumps({"proof": [_b64(h) for h in proof]}) + "\n")
        return folder


def _write(path: Path, text: str) -> None:
    """Write ``text`` whole or not at all: a witness stopped mid-write keeps its last note."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def _get(client: httpx.Client, path: str, **params: int) -> httpx.Response:
    try:
        return client.get(path, params=params or None)
    except httpx.HTTPError as exc:
        raise WitnessProblem(Problem.UNREACHABLE, url=path, reason=str(exc)) from None


def _answer(response: httpx.Response) -> str:
    """What the service said, for a person: its problem's detail, or its status."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    return f"{response.status_code} {detail or response.reason_phrase}"


def _service_keys(
    client: httpx.Client, state: WitnessState, service_key: str | None
) -> tuple[list[NoteKey], bool]:
    """The keys to verify the service with, and whether they are still to be pinned."""
    pinned = state.pinned()
    if service_key is not None:
        try:
            given = NoteKey.from_vkey(service_key)
        except NoteError as exc:
            raise WitnessProblem(Problem.BAD_SERVICE_KEY, reason=exc.reason) from None
        if pinned and given not in pinned:
            raise WitnessProblem(Problem.PINNED_DIFFERS, path=str(state.path / _PINNED))
        return [given], not pinned
    if pinned:
        return pinned, False
    response = _get(client, KEYS_PATH)
    try:
        vkeys = response.json()["vkeys"] if response.status_code == 200 else None
        published = [NoteKey.from_vkey(vkey) for vkey in vkeys or ()]
    except (ValueError, KeyError, TypeError, NoteError):
        published = []
    if not published:
        raise WitnessProblem(Problem.UNREACHABLE, url=KEYS_PATH, reason=_answer(response))
    return published, True


def _latest(client: httpx.Client) -> str | None:
    response = _get(client, CHECKPOINT_PATH)
    if response.status_code == 404:
        return None
    if response.status_code != 200:
        raise WitnessProblem(Problem.UNREACHABLE, url=CHECKPOINT_PATH, reason=_answer(response))
    return response.text


def _opened(note: str, keys: Sequence[NoteKey]) -> tuple[SignedNote, Checkpoint, list[NoteKey]]:
    try:
        parsed, signers = open_note(note, keys)
    except NoteError as exc:
        raise WitnessProblem(Problem.UNSIGNED, reason=exc.reason) from None
    try:
        checkpoint = parse_checkpoint(parsed.text)
    except CheckpointError as exc:
        raise WitnessProblem(Problem.UNREADABLE, reason=exc.reason) from None
    if checkpoint.origin not in {key.name for key in signers}:
        reason = f"its origin {checkpoint.origin!r} is not its signer's name"
        raise WitnessProblem(Problem.UNSIGNED, reason=reason)
    return parsed, checkpoint, signers


def _proof(client: httpx.Client, first: int, second: int) -> list[bytes]:
    response = _get(client, PROOF_PATH, first=first, second=second)
    if response.status_code != 200:
        raise WitnessProblem(Problem.NO_PROOF, first=first, second=second, reason=_answer(response))
    try:
        hashes = [base64.b64decode(h, validate=True) for h in response.json()["proof"]]
    except (ValueError, KeyError, TypeError, binascii.Error):
        hashes = [b""]
    if any(len(h) != 32 for h in hashes):
        reason = "not a list of base64 SHA-256 hashes"
        raise WitnessProblem(Problem.NO_PROOF, first=first, second=second, reason=reason)
    return hashes


def _post(client: httpx.Client, path: str, **kwargs: Any) -> tuple[bool, str]:
    try:
        response = client.post(path, **kwargs)
    except httpx.HTTPError as exc:
        return False, str(exc)
    return response.status_code in (200, 201), _answer(response)


def _own_line(state: WitnessState, note: str) -> str | None:
    """The witness's own cosignature in ``note``, as a note of the text and that line."""
    parsed = parse_note(note)
    mine = [
        sig
        for sig in parsed.signatures
        if (sig.name, sig.key_id) == (state.key.name, state.key.key_id)
    ]
    return format_note(parsed.text, mine[:1]) if mine else None


def witness_once(
    client: httpx.Client, state: WitnessState, *, service_key: str | None = None, now: datetime
) -> Result:
    """Fetch the latest checkpoint, check it extends the last one cosigned, and cosign it.

    A fork is a :class:`Result` (``Outcome.FORK``), its evidence kept and reported;
    anything else that stops the run before cosigning is a :class:`WitnessProblem`.
    """
    keys, to_pin = _service_keys(client, state, service_key)
    served = _latest(client)
    if served is None:
        return Result(Outcome.NOTHING_YET)
    parsed, checkpoint, signers = _opened(served, keys)
    if to_pin:
        state.pin(signers)
    size, root = checkpoint.size, _b64(checkpoint.root)
    last = state.last()
    previous = None
    if last is not None:
        held, held_parsed, previous = last
        if held_parsed.text == parsed.text:
            return _send_again(client, state, held, size=size, root=root)
        if checkpoint.size < previous.size:
            raise WitnessProblem(Problem.OLDER, size=checkpoint.size, held=previous.size)
        proof = None
        if checkpoint.size > previous.size:
            proof = _proof(client, previous.size, checkpoint.size)
            agrees = verify_consistency(
                previous.size, checkpoint.size, proof, previous.root, checkpoint.root
            )
        else:
            agrees = checkpoint.root == previous.root
        if not agrees:
            return _fork(client, state, held, served, proof, previous, checkpoint, now=now)
    cosigned = _cosigned(state, parsed, now=now)
    state.keep_last(cosigned)
    mine = _own_line(state, cosigned)
    delivered, answer = _post(
        client,
        COSIGNATURES_PATH,
        content=(mine or "").encode(),
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    return Result(
        Outcome.COSIGNED,
        size=size,
        root=root,
        previous_size=None if previous is None else previous.size,
        delivered=delivered,
        answer=answer,
    )


def _cosigned(state: WitnessState, parsed: SignedNote, *, now: datetime) -> str:
    """The served note with the witness's cosignature in place of any older one of its."""
    ours = (state.key.name, state.key.key_id)
    others = [sig for sig in parsed.signatures if (sig.name, sig.key_id) != ours]
    signature = cosign(parsed.text, state.name, state.private_key, timestamp=int(now.timestamp()))
    return format_note(parsed.text, [*others, signature])


def _send_again(
    client: httpx.Client, state: WitnessState, held: str, *, size: int, root: str
) -> Result:
    mine = _own_line(state, held)
    delivered, answer = (
        (False, "")
        if mine is None
        else _post(
            client,
            COSIGNATURES_PATH,
            content=mine.encode(),
            headers={"Content-Type": "text/plain; charset=utf-8"},
        )
    )
    return Result(
        Outcome.ALREADY,
        size=size,
        root=root,
        previous_size=size,
        delivered=delivered,
        answer=answer,
    )


def _fork(
    client: httpx.Client,
    state: WitnessState,
    held: str,
    served: str,
    proof: Sequence[bytes] | None,
    previous: Checkpoint,
    checkpoint: Checkpoint,
    *,
    now: datetime,
) -> Result:
    """Keep the evidence, report it, cosign nothing."""
    evidence = state.keep_fork(held, served, proof, now=now)
    body = {"notes": [held, served], "proof": None if proof is None else [_b64(h) for h in proof]}
    delivered, answer = _post(client, FORKS_PATH, json=body)
    return Result(
        Outcome.FORK,
        size=checkpoint.size,
        root=_b64(checkpoint.root),
        previous_size=previous.size,
        delivered=delivered,
        answer=answer,
        evidence=evidence,
        fields={"held_root": _b64(previous.root)},
    )
