"""Provable backing: the Merkle tree's nodes, checkpoints, witnesses, cosignatures, alarms
and liability leaves.

The tables of ``monnaie_locale/store/tables_transparency.py``.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Stamp = sa.DateTime(timezone=True)

_TABLES = (
    "liability_leaves",
    "transparency_alarms",
    "cosignatures",
    "witnesses",
    "checkpoints",
    "merkle_state",
    "merkle_nodes",
)


def upgrade() -> None:
    op.create_table(
        "merkle_nodes",
        sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
    )
    op.create_table(
        "merkle_state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("root", sa.LargeBinary(32), nullable=False),
        sa.Column("updated_at", Stamp, nullable=False),
    )
    op.create_table(
        "checkpoints",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("tree_size", sa.BigInteger, nullable=False),
        sa.Column("root", sa.LargeBinary(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("signatures", sa.Text, nullable=False),
        sa.Column("made_at", Stamp, nullable=False),
    )
    op.create_index("ix_checkpoints_tree_size", "checkpoints", ["tree_size"])
    op.create_table(
        "witnesses",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("vkey", sa.Text, nullable=False),
        sa.Column("added_at", Stamp, nullable=False),
        sa.Column("added_by", sa.String(120), nullable=False),
    )
    op.create_table(
        "cosignatures",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("checkpoint_id", Id, sa.ForeignKey("checkpoints.id"), nullable=False),
        sa.Column("witness_id", Id, sa.ForeignKey("witnesses.id"), nullable=False),
        sa.Column("line", sa.Text, nullable=False),
        sa.Column("cosigned_at", Stamp, nullable=False),
        sa.Column("received_at", Stamp, nullable=False),
        sa.UniqueConstraint(
            "checkpoint_id", "witness_id", name="uq_cosignatures_checkpoint_witness"
        ),
    )
    op.create_table(
        "transparency_alarms",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("raised_at", Stamp, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("evidence", sa.Text),
        sa.Column("acknowledged_at", Stamp),
        sa.Column("acknowledged_by", sa.String(120)),
    )
    op.create_table(
        "liability_leaves",
        sa.Column("checkpoint_id", Id, sa.ForeignKey("checkpoints.id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("account_id", Id, nullable=False),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("salt", sa.LargeBinary(32), nullable=False),
    )
    op.create_index(
        "ix_liability_leaves_checkpoint_account",
        "liability_leaves",
        ["checkpoint_id", "account_id"],
    )


def downgrade() -> None:
    for name in _TABLES:
        op.drop_table(name)
