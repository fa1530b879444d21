"""Publishing the log: the tree kept up with the journal, and a checkpoint signed when due.

What the scheduled job ``checkpoint`` does at each run (see :mod:`monnaie_locale.jobs`),
and what "make one now" does without waiting for it:

1. The tree is extended with the entries sealed since, one chunk per transaction
   (:func:`~monnaie_locale.transparency.tree.extend`).
2. When an entry cannot join it (:class:`~monnaie_locale.transparency.tree.TreeRefused`:
   an entry the service did not seal, or a journal shorter than the tree), an alarm is
   raised in a transaction of its own (:mod:`~monnaie_locale.transparency.alarms`) and
   the tree stays where it is. Checkpoints keep being signed at that stuck size when they
   are due: their time moves on while the entry stays out, which is how an outsider
   replaying the journal sees an entry sealed before a checkpoint yet not in it.
3. In one last transaction the time is read, the tree takes what was sealed meanwhile,
   and if a checkpoint is due it is signed with that time: the moment just before the
   tree last read the journal, so every entry sealed before it is in it, but for a
   commit landing in the same instant (the offline verifier allows a minute for that).
   When the tree no longer holds the previous checkpoint
   (:class:`~monnaie_locale.transparency.checkpoints.Inconsistent`), nothing is signed
   and an alarm is raised.

A checkpoint is due (:func:`is_due`) when there is none yet; when the tree grew by
``MLC_CHECKPOINT_EVERY_ENTRIES`` entries since the last one; or when the last one is
older than ``MLC_CHECKPOINT_EVERY_MINUTES`` and something changed since: the journal's
length or the totals a checkpoint attests. A journal longer than a stuck tree counts as
a change, so a stuck log is still signed every period.

On PostgreSQL every transaction here holds an advisory lock of its own: the job of two
processes, or the job and someone asking for a checkpoint, never extend the tree at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Connection, text

from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.deployment import Deployment
from monnaie_locale.journal_rows import last_entry
from monnaie_locale.payments.keys import KeyRing, SigningKey
from monnaie_locale.reserve import position
from monnaie_locale.store.database import Database
from monnaie_locale.transparency import checkpoints, tree
from monnaie_locale.transparency.alarms import Alarm, raise_once
from monnaie_locale.transparency.checkpoints import Inconsistent, StoredCheckpoint
from monnaie_locale.transparency.tree import TreeHead, TreeRefused
from monnaie_locale.verify.checkpoint import Checkpoint
from monnaie_locale.verify.note import NoteKey

__all__ = [
    "Cadence",
    "Outcome",
    "Publisher",
    "Publishing",
    "Signed",
    "catch_up",
    "is_due",
    "publish",
]

_LOCK = 0x6D6C6374  # an arbitrary advisory-lock id for the tree's writers ("mlct")


@dataclass(frozen=True)
class Publisher:
    """The log as this deployment publishes it: its origin (the key name) and its keys.

    The key ring's active key signs; every key of the ring verifies, retired ones
    included, so checkpoints signed before a rotation still check.
    """

    origin: str
    keyring: KeyRing

    @property
    def key(self) -> SigningKey:
        return self.keyring.active

    def note_keys(self) -> list[NoteKey]:
        """The keys that verify this log's checkpoints, the active one first."""
        found = []
        for key_id in self.keyring.key_ids():
            public = self.keyring.verification_key(key_id)
            if public is not None:
                found.append(NoteKey(self.origin, public))
        return found

    def vkeys(self) -> list[str]:
        """:meth:`note_keys` as verifier key strings (``name+id+key``)."""
        return [key.vkey for key in self.note_keys()]


@dataclass(frozen=True)
class Cadence:
    """When a checkpoint is due: every ``entries`` entries, or ``minutes`` after the last."""

    entries: int = 1000
    minutes: int = 60

    def __post_init__(self) -> None:
        if self.entries < 1 or self.minutes < 1:
            raise ValueError("a checkpoint is due after one entry or one minute at least")


class Signed(NamedTuple):
    """What the signing transaction saw and did (see :func:`publish`)."""

    head: TreeHead
    checkpoint: StoredCheckpoint | None
    late: TreeRefused | None  # an entry refused by the last extension, alarmed next run


@dataclass(frozen=True)
class Outcome:
    """What a run did: the tree's head, the checkpoint signed (None: none was due, or
    refused), why the tree stopped or the checkpoint was refused, the alarms raised."""

    head: TreeHead
    checkpoint: StoredCheckpoint | None = None
    refused: TreeRefused | None = None
    inconsistent: Inconsistent | None = None
    alarms: tuple[Alarm, ...] = field(default=())

    def __str__(self) -> str:
        said = [f"tree at {self.head.size}"]
        if self.refused is not None:
            said.append(f"stopped: {self.refused}")
        if self.inconsistent is not None:
            said.append(f"no checkpoint: {self.inconsistent}")
        elif self.checkpoint is not None:
            said.append(f"checkpoint {self.checkpoint.id} signed")
        return "; ".join(said)


def _locked(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        # Keyed by schema too: ledgers in other schemas of one database keep their own trees.
        conn.execute(
            text("SELECT pg_advisory_xact_lock(:k, hashtext(current_schema()))"), {"k": _LOCK}
        )


def catch_up(database: Database, *, clock: Clock) -> tuple[TreeHead, TreeRefused | None]:
    """Extend the tree, a chunk per transaction, until it holds the journal or is refused."""

    def locked(work: Callable[[Connection], TreeHead]) -> TreeHead:
        def step(conn: Connection) -> TreeHead:
            _locked(conn)
            return work(conn)

        return database.write(step)

    try:
        return tree.extend_all(locked, now=clock()), None
    except TreeRefused as refused:
        return database.read(tree.head), refused


def _extended(conn: Connection, *, now: datetime) -> TreeHead:
    """The tree extended with every entry sealed so far, in this one transaction."""
    grown = tree.head(conn)
    while True:
        previous, grown = grown, tree.extend(conn, now=now)
        if grown.size == previous.size:
            return grown


def _totals_changed(conn: Connection, deployment: Deployment, signed: Checkpoint) -> bool:
    books = position(conn, deployment)
    return (books.issued, books.digital_total, books.paper, dict(books.reserve)) != (
        signed.issued,
        signed.digital,
        signed.paper,
        signed.reserve,
    )


def is_due(
    conn: Connection,
    deployment: Deployment,
    *,
    head: TreeHead,
    previous: StoredCheckpoint | None,
    cadence: Cadence,
    now: datetime,
) -> bool:
    """Whether a checkpoint of ``head`` is due after ``previous`` (see the module's doc)."""
    if previous is None:
        return True
    signed = previous.checkpoint
    if head.size - signed.size >= cadence.entries:
        return True
    if now - as_utc(previous.made_at) < timedelta(minutes=cadence.minutes):
        return False
    journal_end, _ = last_entry(conn)
    return journal_end != signed.size or _totals_changed(conn, deployment, signed)


def _alarm_once(database: Database, kind: str, detail: str, *, clock: Clock) -> list[Alarm]:
    raised = database.write(lambda conn: raise_once(conn, kind, detail, None, clock()))
    return [] if raised is None else [raised]


def publish(
    database: Database,
    deployment: Deployment,
    *,
    publisher: Publisher,
    clock: Clock,
    cadence: Cadence | None = None,
    write: Callable[[Callable[[Connection], Signed]], Signed] | None = None,
) -> Outcome:
    """Extend the tree and sign a checkpoint if one is due (``cadence`` None: at once).

    ``write`` runs the signing transaction (``database.write`` unless given: an act passes
    its context's, which logs it). Never raises for what it finds: a refusal or an
    inconsistency is an alarm and a field of the outcome.
    """
    head, refused = catch_up(database, clock=clock)
    raised: list[Alarm] = []
    if refused is not None:
        detail = f"journal entry {refused.seq} stays out of the tree: {refused.reason}"
        raised += _alarm_once(database, "tree_refused", detail, clock=clock)

    def sign(conn: Connection) -> Signed:
        _locked(conn)
        now = clock()  # read before the tree reads the journal a last time
        late = None
        current = tree.head(conn)
        if refused is None:
            try:
                current = _extended(conn, now=now)
            except TreeRefused as exc:  # the next run alarms it, after catching up
                current, late = tree.head(conn), exc
        previous = checkpoints.latest(conn)
        if cadence is not None and not is_due(
            conn, deployment, head=current, previous=previous, cadence=cadence, now=now
        ):
            return Signed(current, None, late)
        made = checkpoints.make_checkpoint(
            conn, deployment, key=publisher.key, origin=publisher.origin, now=now
        )
        return Signed(current, made, late)

    try:
        head, made, late = (write or database.write)(sign)
    except Inconsistent as exc:
        detail = f"checkpoint {exc.checkpoint_id} (size {exc.size}) no longer holds: {exc.reason}"
        raised += _alarm_once(database, "inconsistent", detail, clock=clock)
        return Outcome(head, None, refused, exc, tuple(raised))
    return Outcome(head, made, refused or late, None, tuple(raised))


@dataclass(frozen=True)
class Publishing:
    """The checkpoint job's work: the deployment's books, its log's keys, its cadence."""

    deployment: Deployment
    publisher: Publisher
    cadence: Cadence

    def __call__(self, database: Database, clock: Clock) -> Outcome:
        return publish(
            database, self.deployment, publisher=self.publisher, clock=clock, cadence=self.cadence
        )
