"""Proof of liabilities: each checkpoint's Merkle sum tree over the holders' balances.

Not built yet: :func:`sum_tree` gives None, and checkpoints carry no liabilities line.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from monnaie_locale.deployment import Deployment

__all__ = ["SumTree", "store_leaves", "sum_tree"]


@dataclass(frozen=True)
class SumTree:
    """A checkpoint's sum tree: its root hash and the sum at its root."""

    root: bytes
    total: int


def sum_tree(conn: Connection, deployment: Deployment) -> SumTree | None:
    """The holders' sum tree as the books stand, or None."""
    return None


def store_leaves(conn: Connection, checkpoint_id: int, sums: SumTree) -> None:
    """Keep the leaves of ``sums`` for the proofs members ask of checkpoint ``checkpoint_id``."""
