"""The published log: checkpoints, the keys that verify them, proofs, the journal's export
and the alarms.

The log is public by design: anyone may read its checkpoints, its keys and the proof
that one checkpoint extends another, signed in or not, so those take the database (or
the publisher) and no actor. What names an entry's content is not public.

=====================  ================================================================
Act                    Who may do it
=====================  ================================================================
latest_checkpoint      anyone, without an actor
checkpoint             the same: one checkpoint by its id
list_checkpoints       the same
verifier_keys          the same: the keys that verify the checkpoints (no database)
consistency_proof      the same
make_checkpoint        the association's operators and administrators (logged): the
                       tree extended and a checkpoint signed now, due or not
inclusion_proof        auditors, the association's operators and administrators, any
                       entry; a member or a business's owner, an entry whose transaction
                       moves an account they hold (another is "not found", as one
                       that does not exist)
export_journal         auditors, the association's operators and administrators
list_alarms            the same
acknowledge_alarm      the association's operators and administrators (logged)
=====================  ================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from monnaie_locale.acting import Context, act
from monnaie_locale.admin_log import Logged
from monnaie_locale.auth.roles import OPERATORS, REPORT_READERS, Role
from monnaie_locale.store.database import Database
from monnaie_locale.transparency import alarms, export, proofs, published
from monnaie_locale.transparency.alarms import Alarm
from monnaie_locale.transparency.checkpoints import StoredCheckpoint, origin_of
from monnaie_locale.transparency.errors import CheckpointRefused, NoCheckpoint, NoCheckpointKey
from monnaie_locale.transparency.proofs import ConsistencyProof, InclusionProof
from monnaie_locale.transparency.published import Listed, Published
from monnaie_locale.transparency.publishing import Publisher, Signed, publish

__all__ = [
    "INCLUSION_ASKERS",
    "Alarm",
    "ConsistencyProof",
    "InclusionProof",
    "Listed",
    "NoCheckpoint",
    "Published",
    "Publisher",
    "VerifierKeys",
    "acknowledge_alarm",
    "checkpoint",
    "consistency_proof",
    "count_entries",
    "export_journal",
    "inclusion_proof",
    "latest_checkpoint",
    "list_alarms",
    "list_checkpoints",
    "make_checkpoint",
    "origin_of",
    "verifier_keys",
]

# Who may ask an entry's proof: those who read the books, and holders for their own.
INCLUSION_ASKERS = (Role.MEMBER, Role.MERCHANT_OWNER, *REPORT_READERS)


@dataclass(frozen=True)
class VerifierKeys:
    """The log's origin and the verifier keys of its checkpoints, the active one first."""

    origin: str
    vkeys: list[str]


def latest_checkpoint(database: Database) -> Published:
    """The newest checkpoint with its cosignatures; :class:`NoCheckpoint` before the first."""
    return database.read(published.latest)


def checkpoint(database: Database, checkpoint_id: int) -> Published:
    """Checkpoint ``checkpoint_id`` with its cosignatures."""
    return database.read(lambda conn: published.by_id(conn, checkpoint_id))


def list_checkpoints(
    database: Database, *, limit: int = 20, before_id: int | None = None
) -> list[Listed]:
    """The checkpoints, newest first, from before ``before_id`` when given."""
    return database.read(lambda conn: published.listed(conn, limit=limit, before_id=before_id))


def verifier_keys(publisher: Publisher) -> VerifierKeys:
    """What an outsider pins to verify the checkpoints: the origin and its keys."""
    return VerifierKeys(publisher.origin, publisher.vkeys())


def consistency_proof(database: Database, first: int, second: int) -> ConsistencyProof:
    """The proof that the tree of ``first`` entries is a prefix of the one of ``second``."""
    return database.read(lambda conn: proofs.consistency(conn, first, second))


def _signed(signed: Signed) -> dict[str, object]:
    made = signed.checkpoint
    return {"tree_size": signed.head.size, "checkpoint": None if made is None else made.id}


@act(*OPERATORS, logged=Logged(written=_signed))
def make_checkpoint(ctx: Context, *, publisher: Publisher | None) -> StoredCheckpoint:
    """Extend the tree and sign a checkpoint now, whether one is due or not.

    The tree stopped by an entry it refuses is signed at the size it holds (an alarm
    says why). Refused with :class:`CheckpointRefused` when the tree no longer holds the
    previous checkpoint (an alarm says it too); with :class:`NoCheckpointKey` where
    this process has no key to sign with.
    """
    if publisher is None:
        raise NoCheckpointKey()
    outcome = publish(
        ctx.database, ctx.deployment, publisher=publisher, clock=ctx.clock, write=ctx.write
    )
    if outcome.inconsistent is not None:
        found = outcome.inconsistent
        raise CheckpointRefused(found.checkpoint_id, found.size, found.reason)
    if outcome.checkpoint is None:  # made whenever consistent: publish was not given a cadence
        raise AssertionError("a checkpoint asked now is always made")
    return outcome.checkpoint


@act(*INCLUSION_ASKERS)
def inclusion_proof(ctx: Context, seq: int, size: int) -> InclusionProof:
    """The proof that journal entry ``seq`` is in the tree of ``size`` entries.

    A holder asking about an entry that moves none of their accounts gets
    :class:`UnknownEntry`, as for one that does not exist.
    """

    actor = ctx.actor

    def may_see(moved: set[str]) -> bool:
        return any(actor.may_read(code) for code in moved)

    visible = None if actor.sees_all_accounts else may_see
    return ctx.read(lambda conn: proofs.inclusion(conn, seq, size, may_see=visible))


@act(*REPORT_READERS)
def count_entries(ctx: Context) -> int:
    """How many entries the journal holds, for an export's progress."""
    return ctx.read(export.count_entries)


@act(*REPORT_READERS)
def export_journal(
    ctx: Context,
    out: TextIO,
    *,
    origin: str,
    upto: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the journal export (``journal.jsonl``) to ``out``, from one snapshot; how many
    entries it holds."""
    with ctx.database.reading() as conn:
        return export.write_journal(
            conn,
            out,
            origin=origin,
            unit=ctx.deployment.unit.code,
            now=ctx.clock(),
            upto=upto,
            progress=progress,
        )


@act(*REPORT_READERS)
def list_alarms(
    ctx: Context, *, include_acknowledged: bool = True, limit: int = 100
) -> list[Alarm]:
    """The transparency alarms, newest first; only those nobody read unless
    ``include_acknowledged``."""
    return ctx.read(
        lambda conn: alarms.list_alarms(
            conn, include_acknowledged=include_acknowledged, limit=limit
        )
    )


@act(*OPERATORS, logged=Logged(target="alarm_id"))
def acknowledge_alarm(ctx: Context, alarm_id: int) -> Alarm:
    """Record that the actor read alarm ``alarm_id``: it leaves the dashboard's list."""
    return ctx.write(
        lambda conn: alarms.acknowledge(conn, alarm_id, by=ctx.actor.name, now=ctx.clock())
    )
