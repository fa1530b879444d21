"""Evidence that the log forked: two checkpoints the service signed that cannot both be true.

A log that only grows never signs two trees of the same size with different roots, and
every tree it signs extends the ones before. So two checkpoints, each signed by one of
the deployment's keys, prove a fork when

* they have the same size and different roots; or
* they have different sizes and no consistency proof joins them: the proof the reporter
  got (a witness's, from the service) fails, and so does the one the service computes
  now from its own tree, or its tree no longer holds the larger one.

When a valid proof exists the two agree, whatever the reporter sent, and the report is
refused (:class:`CheckpointsAgree`); so is a note not signed by the deployment
(:class:`NotSignedByService`). Nothing is written then: only a proven fork raises the
alarm (kind ``fork``, the two notes and the proof as evidence, logged CRITICAL). The
same fork reported again, by a second witness, finds its alarm and raises no other.

Checking costs a parse, two signatures and at most one consistency proof (a few dozen
hashes read from the tree), whoever asks: anyone may report.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from monnaie_locale.errors import InvalidRequest
from monnaie_locale.store.tables_transparency import transparency_alarms
from monnaie_locale.transparency import alarms, tree
from monnaie_locale.transparency.witnesses import read_note
from monnaie_locale.verify.checkpoint import Checkpoint, parse_checkpoint
from monnaie_locale.verify.merkle import verify_consistency
from monnaie_locale.verify.note import NoteError, NoteKey, open_note

__all__ = [
    "FORK",
    "CheckpointsAgree",
    "Fork",
    "NotSignedByService",
    "report_fork",
]

FORK = "fork"


class NotSignedByService(InvalidRequest):
    """Raised when a note offered as evidence is not signed by one of the deployment's keys."""

    code = "not_signed_by_service"

    def __init__(self, which: int, reason: str) -> None:
        super().__init__(
            f"note {which} is not a checkpoint signed by this service ({reason}); only the "
            "service's own signatures can prove it forked"
        )
        self.which = which
        self.reason = reason


class CheckpointsAgree(InvalidRequest):
    """Raised when two checkpoints offered as a fork are consistent: no fork is proven."""

    code = "checkpoints_agree"

    def __init__(self, first: int, second: int) -> None:
        super().__init__(
            f"the checkpoints of sizes {first} and {second} agree: the smaller one's tree is "
            "a prefix of the other's; this proves no fork"
        )
        self.first = first
        self.second = second


@dataclass(frozen=True)
class Fork:
    """A proven fork: its alarm, what it says, and whether this report raised it."""

    alarm_id: int
    detail: str
    new: bool


def _signed(which: int, note: str, keys: Sequence[NoteKey]) -> Checkpoint:
    parsed = read_note(note)
    try:
        _, signers = open_note(note, keys)
    except NoteError as exc:
        raise NotSignedByService(which, exc.reason) from None
    checkpoint = parse_checkpoint(parsed.text)
    if checkpoint.origin not in {key.name for key in signers}:
        raise NotSignedByService(which, f"its origin is not {signers[0].name}")
    return checkpoint


def _consistent(
    conn: Connection, older: Checkpoint, newer: Checkpoint, proof: Sequence[bytes] | None
) -> bool:
    """Whether a consistency proof joins ``older`` to ``newer``: the one given, or ours."""
    m, n = older.size, newer.size
    if proof is not None and verify_consistency(m, n, proof, older.root, newer.root):
        return True
    try:
        ours = tree.consistency(conn, m, n)
    except (ValueError, LookupError):
        return False  # the tree no longer holds what the service signed
    return verify_consistency(m, n, ours, older.root, newer.root)


def report_fork(
    conn: Connection,
    notes: tuple[str, str],
    *,
    keys: Sequence[NoteKey],
    proof: Sequence[bytes] | None = None,
    now: datetime,
) -> Fork:
    """Raise the fork alarm if ``notes`` prove the log forked; refuse, writing nothing, if not.

    ``keys`` are the deployment's (its publisher's ``note_keys``); ``proof`` the consistency
    proof the reporter was given between the two, if their sizes differ.
    """
    checkpoints = [_signed(which, note, keys) for which, note in enumerate(notes, start=1)]
    order = sorted(range(2), key=lambda i: (checkpoints[i].size, checkpoints[i].root))
    older, newer = (checkpoints[i] for i in order)
    if older.size == newer.size:
        if older.root == newer.root:
            raise CheckpointsAgree(older.size, newer.size)
        reason = "same size, different roots"
    elif _consistent(conn, older, newer, proof):
        raise CheckpointsAgree(older.size, newer.size)
    else:
        reason = "no consistency proof joins them"
    detail = (
        f"{older.origin}: the checkpoints of size {older.size} (root {_b64(older.root)}) and "
        f"size {newer.size} (root {_b64(newer.root)}) cannot both be true: {reason}"
    )
    found = conn.execute(
        select(transparency_alarms.c.id).where(
            transparency_alarms.c.kind == FORK, transparency_alarms.c.detail == detail
        )
    ).scalar()
    if found is not None:
        return Fork(int(found), detail, new=False)
    evidence = {
        "notes": [notes[i] for i in order],
        "proof": None if proof is None else [_b64(h) for h in proof],
    }
    alarm = alarms.raise_alarm(conn, FORK, detail, json.dumps(evidence), now)
    return Fork(alarm.id, detail, new=True)


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()
