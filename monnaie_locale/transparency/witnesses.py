"""Witnesses: who may cosign the service's checkpoints, and the cosignatures they send.

A witness is anyone outside the association who keeps the last checkpoint they saw and
cosigns a newer one only once the service has proved it extends that one (``mlc witness``,
:mod:`monnaie_locale.transparency.witness_client`). The association registers each witness
by its cosignature verifier key (type 0x04, c2sp.org/tlog-cosignature), whose name is the
witness's name; after that, only the signature speaks for the witness.

A cosignature arrives as a signed note: the checkpoint's text, exactly as the service
signed it, and at least the witness's line. The text names the checkpoint (no other
identifier is trusted); each line of a registered witness is verified against its key and
kept, once: the first cosignature of a witness for a checkpoint is the one kept, so sending
it again changes nothing. One line that fails refuses the whole note, as
:func:`~monnaie_locale.verify.note.open_note` does. The lines kept are served after the
service's own (:func:`monnaie_locale.transparency.cosignatures.lines_for`), so the
published checkpoint stays one note that verifies with every key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from monnaie_locale.clock import as_utc
from monnaie_locale.errors import Conflict, InvalidRequest, NotFound
from monnaie_locale.store.tables_transparency import checkpoints, cosignatures, witnesses
from monnaie_locale.verify.checkpoint import CheckpointError, parse_checkpoint
from monnaie_locale.verify.note import (
    COSIGNATURE,
    NoteError,
    NoteKey,
    Signature,
    SignedNote,
    cosignature_time,
    open_note,
    parse_note,
)

__all__ = [
    "MAX_NAME",
    "MAX_NOTE_CHARS",
    "MAX_VKEY_CHARS",
    "Accepted",
    "BadCosignature",
    "BadNote",
    "BadWitnessKey",
    "DuplicateWitness",
    "UnknownCheckpoint",
    "UnknownWitness",
    "Witness",
    "WitnessNameMismatch",
    "accept_cosignature",
    "list_witnesses",
    "read_note",
    "register",
]

# A checkpoint's text is a few hundred bytes, each signature line about a hundred: a note
# of 100 signatures (the format's most) fits many times over.
MAX_NOTE_CHARS = 16 * 1024
MAX_NAME = 200  # the witnesses table's column
# name (200 at most, the column's width) + "+" + 8 hex + "+" + base64 of 33 bytes.
MAX_VKEY_CHARS = 300


class BadNote(InvalidRequest):
    """Raised when a text is not a signed note holding a checkpoint, by the formats' rules."""

    code = "bad_note"

    def __init__(self, reason: str) -> None:
        super().__init__(f"this is not a signed checkpoint: {reason}")
        self.reason = reason


class BadWitnessKey(InvalidRequest):
    """Raised when registering a verifier key that is not a witness's cosignature key."""

    code = "bad_witness_key"

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"this is not a witness's verifier key ({reason}); give the vkey mlc witness "
            "init printed"
        )
        self.reason = reason


class WitnessNameMismatch(InvalidRequest):
    """Raised when a witness is registered under a name its key does not carry."""

    code = "witness_name_mismatch"

    def __init__(self, name: str, key_name: str) -> None:
        super().__init__(
            f"the key given is named {key_name!r}, not {name!r}: check that it is the witness's key"
        )
        self.name = name
        self.key_name = key_name


class DuplicateWitness(Conflict):
    """Raised when registering a witness whose name is taken."""

    code = "duplicate_witness"

    def __init__(self, name: str) -> None:
        super().__init__(f"a witness named {name!r} is already registered")
        self.name = name


class UnknownCheckpoint(NotFound):
    """Raised when a note's text is that of no checkpoint the service signed."""

    code = "unknown_checkpoint"

    def __init__(self, size: int) -> None:
        super().__init__(
            f"the service signed no checkpoint with this text (tree size {size}); cosign "
            "the text exactly as GET /v1/transparency/checkpoint serves it"
        )
        self.size = size


class UnknownWitness(NotFound):
    """Raised when no line of a cosigned note is a registered witness's."""

    code = "unknown_witness"

    def __init__(self) -> None:
        super().__init__(
            "no line of this note is a registered witness's: the association registers "
            "the witness's key first"
        )


class BadCosignature(InvalidRequest):
    """Raised when a registered witness's line does not verify, or is no cosignature."""

    code = "bad_cosignature"

    def __init__(self, witness: str) -> None:
        super().__init__(
            f"the cosignature of {witness} does not verify for this checkpoint; nothing was kept"
        )
        self.witness = witness


@dataclass(frozen=True)
class Witness:
    """A registered witness: its name, its verifier key, who registered it and when."""

    id: int
    name: str
    vkey: str
    added_at: datetime
    added_by: str

    @property
    def key(self) -> NoteKey:
        return NoteKey.from_vkey(self.vkey)


@dataclass(frozen=True)
class Accepted:
    """What became of a cosigned note: the checkpoint it names, the witnesses whose
    cosignature was kept now and those whose cosignature was kept before."""

    checkpoint_id: int
    tree_size: int
    accepted: tuple[str, ...]
    already: tuple[str, ...]

    @property
    def new(self) -> bool:
        return bool(self.accepted)


def _witness(row: Any) -> Witness:
    return Witness(int(row.id), row.name, row.vkey, as_utc(row.added_at), row.added_by)


def list_witnesses(conn: Connection) -> list[Witness]:
    """The registered witnesses, in the order they were registered."""
    return [_witness(row) for row in conn.execute(select(witnesses).order_by(witnesses.c.id))]


def register(conn: Connection, name: str, vkey: str, *, added_by: str, now: datetime) -> Witness:
    """Register the witness ``name`` by its cosignature verifier key ``vkey``.

    Refused when the key does not read, is not a cosignature key (type 0x04), is named
    otherwise than ``name``, or when the name is taken.
    """
    if len(vkey) > MAX_VKEY_CHARS:
        raise BadWitnessKey(f"longer than {MAX_VKEY_CHARS} characters")
    try:
        key = NoteKey.from_vkey(vkey)
    except NoteError as exc:
        raise BadWitnessKey(exc.reason) from None
    if key.kind != COSIGNATURE:
        raise BadWitnessKey(f"its type is 0x{key.kind:02x}, a witness cosigns with type 0x04")
    if len(key.name) > MAX_NAME:
        raise BadWitnessKey(f"its name is longer than {MAX_NAME} characters")
    if key.name != name:
        raise WitnessNameMismatch(name, key.name)
    try:
        with conn.begin_nested():
            witness_id = conn.execute(
                insert(witnesses)
                .values(name=name, vkey=key.vkey, added_at=now, added_by=added_by)
                .returning(witnesses.c.id)
            ).scalar_one()
    except IntegrityError:
        raise DuplicateWitness(name) from None
    return Witness(int(witness_id), name, key.vkey, now, added_by)


def read_note(note: str | bytes) -> SignedNote:
    """A signed note whose text is a checkpoint, or :class:`BadNote` saying why not."""
    if len(note) > MAX_NOTE_CHARS:
        raise BadNote(f"longer than {MAX_NOTE_CHARS} characters")
    try:
        parsed = parse_note(note)
        parse_checkpoint(parsed.text)
    except (NoteError, CheckpointError) as exc:
        raise BadNote(exc.reason) from None
    return parsed


def _checkpoint_id(conn: Connection, text: str) -> tuple[int, int]:
    size = parse_checkpoint(text).size
    found = conn.execute(
        select(checkpoints.c.id)
        .where(checkpoints.c.tree_size == size, checkpoints.c.text == text)
        .order_by(checkpoints.c.id)
        .limit(1)
    ).scalar()
    if found is None:
        raise UnknownCheckpoint(size)
    return int(found), size


def _witnesses_signing(conn: Connection, parsed: SignedNote) -> list[tuple[Witness, Signature]]:
    """The registered witnesses with a line in ``parsed``, each with its first line."""
    registered = {(w.name, w.key.key_id): w for w in list_witnesses(conn)}
    found: dict[int, tuple[Witness, Signature]] = {}
    for signature in parsed.signatures:
        witness = registered.get((signature.name, signature.key_id))
        if witness is not None and witness.id not in found:
            found[witness.id] = (witness, signature)
    return list(found.values())


def _verified(text: str, witness: Witness, signature: Signature) -> datetime:
    """When ``witness`` says it cosigned ``text``; :class:`BadCosignature` if it did not."""
    try:
        open_note(text + "\n" + signature.line, [witness.key])
        return datetime.fromtimestamp(cosignature_time(signature), UTC)
    except (NoteError, OverflowError, ValueError, OSError):
        raise BadCosignature(witness.name) from None


def accept_cosignature(conn: Connection, note: str | bytes, *, now: datetime) -> Accepted:
    """Keep the cosignatures of the registered witnesses in ``note``, once each.

    Refused, keeping nothing, when the note does not read (:class:`BadNote`), its text is
    no checkpoint's (:class:`UnknownCheckpoint`), it has no registered witness's line
    (:class:`UnknownWitness`), or one of those lines does not verify
    (:class:`BadCosignature`).
    """
    parsed = read_note(note)
    checkpoint_id, size = _checkpoint_id(conn, parsed.text)
    signing = _witnesses_signing(conn, parsed)
    if not signing:
        raise UnknownWitness()
    times = [_verified(parsed.text, w, signature) for w, signature in signing]
    accepted: list[str] = []
    already: list[str] = []
    for (witness, signature), cosigned_at in zip(signing, times, strict=True):
        kept = _keep(conn, checkpoint_id, witness, signature, cosigned_at=cosigned_at, now=now)
        (accepted if kept else already).append(witness.name)
    return Accepted(checkpoint_id, size, tuple(accepted), tuple(already))


def _keep(
    conn: Connection,
    checkpoint_id: int,
    witness: Witness,
    signature: Signature,
    *,
    cosigned_at: datetime,
    now: datetime,
) -> bool:
    """Whether the cosignature was kept now (False: the witness's first one stays)."""
    exists = conn.execute(
        select(cosignatures.c.id).where(
            cosignatures.c.checkpoint_id == checkpoint_id,
            cosignatures.c.witness_id == witness.id,
        )
    ).first()
    if exists is not None:
        return False
    try:
        # A savepoint: the same cosignature sent twice at once loses the race here.
        with conn.begin_nested():
            conn.execute(
                insert(cosignatures).values(
                    checkpoint_id=checkpoint_id,
                    witness_id=witness.id,
                    line=signature.line,
                    cosigned_at=cosigned_at,
                    received_at=now,
                )
            )
    except IntegrityError:
        return False
    return True
