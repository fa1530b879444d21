"""Signed checkpoints: the tree's head and the totals it attests, signed by the deployment.

A checkpoint is a C2SP signed note (:mod:`monnaie_locale.verify.note`) whose text is a
tlog-checkpoint with our totals as extension lines (:mod:`monnaie_locale.verify.checkpoint`):
units issued, circulation (digital and paper), the euro reserve by account, the root and
sum of the holders' Merkle sum tree, and the bank statements the reserve rests on. It is
signed by the deployment's active Ed25519 key under the key name ``origin``.

Before signing, the tree must still hold the previous checkpoint: its root at that size
is recomputed from what is stored, and a difference refuses the checkpoint
(:class:`Inconsistent`) instead of signing a rewritten history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from monnaie_locale.deployment import Deployment
from monnaie_locale.payments.keys import SigningKey
from monnaie_locale.reserve import position
from monnaie_locale.store.tables_transparency import checkpoints
from monnaie_locale.transparency import liabilities, statements, tree
from monnaie_locale.verify.checkpoint import Checkpoint, format_checkpoint, parse_checkpoint
from monnaie_locale.verify.note import NoteKey, format_note, parse_note, sign_line

__all__ = [
    "Inconsistent",
    "StoredCheckpoint",
    "by_id",
    "latest",
    "make_checkpoint",
    "note_key",
    "origin_of",
]


class Inconsistent(Exception):
    """The tree no longer gives the root a checkpoint signed: history was rewritten."""

    def __init__(self, checkpoint_id: int, size: int, reason: str) -> None:
        super().__init__(f"checkpoint {checkpoint_id} (size {size}): {reason}")
        self.checkpoint_id = checkpoint_id
        self.size = size
        self.reason = reason


@dataclass(frozen=True)
class StoredCheckpoint:
    """A checkpoint as kept: its id, the signed note, and what the note says."""

    id: int
    note: str
    checkpoint: Checkpoint
    made_at: datetime

    @property
    def text(self) -> str:
        return parse_note(self.note).text


def origin_of(public_host: str, deployment_name: str) -> str:
    """The log's origin and key name: a schema-less URL naming this deployment."""
    return f"{public_host}/{deployment_name}".replace(" ", "-")


def note_key(origin: str, key: SigningKey) -> NoteKey:
    """The public key that verifies checkpoints signed by ``key``."""
    return NoteKey(origin, key.public_key)


def _stored(row: Any) -> StoredCheckpoint:
    note = row.text + "\n" + row.signatures
    return StoredCheckpoint(int(row.id), note, parse_checkpoint(row.text), row.made_at)


def latest(conn: Connection) -> StoredCheckpoint | None:
    """The newest checkpoint, or None before the first."""
    row = conn.execute(select(checkpoints).order_by(checkpoints.c.id.desc()).limit(1)).first()
    return None if row is None else _stored(row)


def by_id(conn: Connection, checkpoint_id: int) -> StoredCheckpoint | None:
    row = conn.execute(select(checkpoints).where(checkpoints.c.id == checkpoint_id)).first()
    return None if row is None else _stored(row)


def make_checkpoint(
    conn: Connection,
    deployment: Deployment,
    *,
    key: SigningKey,
    origin: str,
    now: datetime,
) -> StoredCheckpoint:
    """Sign and keep a checkpoint of the tree as extended and the books as they are now.

    The tree is extended beforehand (:func:`monnaie_locale.transparency.tree.extend_all`),
    in transactions of its own. Raises :class:`Inconsistent` when the tree no longer holds
    the previous checkpoint.
    """
    head = tree.head(conn)
    previous = latest(conn)
    if previous is not None:
        size = previous.checkpoint.size
        if size > head.size:
            raise Inconsistent(previous.id, size, f"the tree holds only {head.size} entries")
        try:
            root = tree.root_at(conn, size)
        except LookupError as exc:  # the journal lost leaves the tree held
            raise Inconsistent(previous.id, size, f"the tree cannot be read: {exc}") from exc
        if root != previous.checkpoint.root:
            raise Inconsistent(previous.id, size, "the tree's root at that size differs")
    books = position(conn, deployment)
    sums = liabilities.sum_tree(conn, deployment)
    cp = Checkpoint(
        origin=origin,
        size=head.size,
        root=head.root,
        time=now,
        unit=deployment.unit.code,
        issued=books.issued,
        digital=books.digital_total,
        paper=books.paper,
        reserve=dict(books.reserve),
        liabilities_root=None if sums is None else sums.root,
        liabilities_sum=None if sums is None else sums.total,
        statements=statements.attested(conn),
    )
    text = format_checkpoint(cp)
    signature = sign_line(text, origin, key.private_key)
    note = format_note(text, [signature])
    checkpoint_id = conn.execute(
        insert(checkpoints)
        .values(
            tree_size=cp.size,
            root=cp.root,
            text=text,
            signatures=signature.line,
            made_at=now,
        )
        .returning(checkpoints.c.id)
    ).scalar_one()
    if sums is not None:
        liabilities.store_leaves(conn, checkpoint_id, sums)
    return StoredCheckpoint(int(checkpoint_id), note, cp, now)
