"""Provable backing: the journal's Merkle tree, signed checkpoints, witnesses' cosignatures,
alarms, and the liability leaves each checkpoint commits to.

``merkle_nodes`` keeps the hash of every complete subtree whose height is a multiple of
four (16, 256, 4096... leaves): one row for about fifteen journal entries, from which any
node is recomputed with at most sixteen reads (the leaves themselves are the journal's
entry hashes). ``merkle_state`` is the one row saying how many entries the tree holds.

A checkpoint is kept as the text the service signed and its signature lines; the totals it
attests are in the text (see :mod:`monnaie_locale.verify.checkpoint`). Witnesses are the
public keys allowed to cosign; a cosignature is stored as its signature line. An alarm is
written when something proves the log was not append-only (a fork, a journal shorter than
a checkpoint, an entry the service never sealed) and stays until the association reads it.

``liability_leaves`` are the leaves of each checkpoint's Merkle sum tree, shuffled, a
holder's balance split over several of them, each with its salt (the member's secret for
that checkpoint). The migration ``0022_transparency`` creates these tables.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from monnaie_locale.store.tables import Id, metadata

__all__ = [
    "checkpoints",
    "cosignatures",
    "liability_leaves",
    "merkle_nodes",
    "merkle_state",
    "transparency_alarms",
    "witnesses",
]

Stamp = DateTime(timezone=True)

merkle_nodes = Table(
    "merkle_nodes",
    metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

merkle_state = Table(
    "merkle_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("updated_at", Stamp, nullable=False),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("tree_size", BigInteger, nullable=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("signatures", Text, nullable=False),
    Column("made_at", Stamp, nullable=False),
    Index("ix_checkpoints_tree_size", "tree_size"),
)

witnesses = Table(
    "witnesses",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("vkey", Text, nullable=False),
    Column("added_at", Stamp, nullable=False),
    Column("added_by", String(120), nullable=False),
)

cosignatures = Table(
    "cosignatures",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("checkpoint_id", Id, ForeignKey("checkpoints.id"), nullable=False),
    Column("witness_id", Id, ForeignKey("witnesses.id"), nullable=False),
    Column("line", Text, nullable=False),
    Column("cosigned_at", Stamp, nullable=False),
    Column("received_at", Stamp, nullable=False),
    UniqueConstraint("checkpoint_id", "witness_id", name="uq_cosignatures_checkpoint_witness"),
)

transparency_alarms = Table(
    "transparency_alarms",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("raised_at", Stamp, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("detail", Text, nullable=False),
    Column("evidence", Text),
    Column("acknowledged_at", Stamp),
    Column("acknowledged_by", String(120)),
)

liability_leaves = Table(
    "liability_leaves",
    metadata,
    Column("checkpoint_id", Id, ForeignKey("checkpoints.id"), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("account_id", Id, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("salt", LargeBinary(32), nullable=False),
    Index("ix_liability_leaves_checkpoint_account", "checkpoint_id", "account_id"),
)
