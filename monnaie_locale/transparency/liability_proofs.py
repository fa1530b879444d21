"""A holder's proof of liabilities, rebuilt from a checkpoint's stored leaves.

The leaves a checkpoint committed to are kept (:mod:`monnaie_locale.transparency.
liabilities`); the nodes above them are not. A proof reads the checkpoint's leaves once,
in order, streamed, and keeps only the subtrees the holder's paths are made of
(:func:`monnaie_locale.verify.sumtree.paths_from_stream`): some 250,000 leaves for
100,000 accounts, about a second.

The proof carries the root its leaves rebuild, not the checkpoint's: leaves changed or
removed since the checkpoint then give a proof that the holder's verifier refuses, which
is the point. The service logs the difference too.

    NotFound
    ├── NoLiabilitiesYet     no checkpoint was made yet
    ├── NoLiabilities        no such checkpoint, or one without a liabilities line
    └── NotInCheckpoint      the account is not among the checkpoint's leaves
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, func, select

from monnaie_locale.errors import NotFound
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_transparency import liability_leaves
from monnaie_locale.transparency.checkpoints import StoredCheckpoint
from monnaie_locale.verify.sumtree import (
    LeafProof,
    Node,
    commitment,
    leaf,
    paths_from_stream,
    proof_data,
)

__all__ = ["NoLiabilities", "NoLiabilitiesYet", "NotInCheckpoint", "proof"]

log = logging.getLogger(__name__)
CHUNK = 5000


class NoLiabilitiesYet(NotFound):
    """Raised when a proof is asked of the latest checkpoint and none was made yet."""

    code = "no_liabilities_yet"

    def __init__(self) -> None:
        super().__init__("no checkpoint yet: the first proof comes with the first checkpoint")


class NoLiabilities(NotFound):
    """Raised when checkpoint ``checkpoint_id`` does not exist or has no liabilities line."""

    code = "no_liabilities"

    def __init__(self, checkpoint_id: int) -> None:
        super().__init__(f"checkpoint {checkpoint_id} does not exist or carries no liabilities")
        self.checkpoint_id = checkpoint_id


class NotInCheckpoint(NotFound):
    """Raised when ``account`` has no leaf in checkpoint ``checkpoint_id`` (opened after)."""

    code = "not_in_checkpoint"

    def __init__(self, account: str, checkpoint_id: int) -> None:
        super().__init__(
            f"account {account} is not counted in checkpoint {checkpoint_id}: "
            "it was opened after it; the next checkpoint counts it"
        )
        self.account = account
        self.checkpoint_id = checkpoint_id


def _nodes(conn: Connection, checkpoint_id: int) -> Iterator[Node]:
    query = (
        select(liability_leaves.c.amount, liability_leaves.c.salt, accounts.c.code)
        .join(accounts, accounts.c.id == liability_leaves.c.account_id)
        .where(liability_leaves.c.checkpoint_id == checkpoint_id)
        .order_by(liability_leaves.c.position)
    )
    for amount, salt, code in conn.execute(query, execution_options={"yield_per": CHUNK}):
        yield leaf(int(amount), commitment(bytes(salt), str(code)))


def _leaf_count(conn: Connection, checkpoint_id: int) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(liability_leaves)
            .where(liability_leaves.c.checkpoint_id == checkpoint_id)
        ).scalar_one()
    )


def _rank(conn: Connection, checkpoint_id: int, position: int) -> int:
    """How many leaves come before ``position``: its place in the tree as stored now."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(liability_leaves)
            .where(
                liability_leaves.c.checkpoint_id == checkpoint_id,
                liability_leaves.c.position < position,
            )
        ).scalar_one()
    )


def _own_leaves(conn: Connection, checkpoint_id: int, account: str) -> list[Any]:
    return list(
        conn.execute(
            select(liability_leaves.c.position, liability_leaves.c.amount, liability_leaves.c.salt)
            .join(accounts, accounts.c.id == liability_leaves.c.account_id)
            .where(liability_leaves.c.checkpoint_id == checkpoint_id, accounts.c.code == account)
            .order_by(liability_leaves.c.position)
        ).all()
    )


def proof(conn: Connection, stored: StoredCheckpoint, account: str) -> dict[str, Any]:
    """The proof that ``account``'s balance is counted in checkpoint ``stored``.

    Raises :class:`NoLiabilities` or :class:`NotInCheckpoint`.
    """
    attested = stored.checkpoint
    if attested.liabilities_root is None:
        raise NoLiabilities(stored.id)
    own = _own_leaves(conn, stored.id, account)
    if not own:
        raise NotInCheckpoint(account, stored.id)
    count = _leaf_count(conn, stored.id)
    # A leaf removed since leaves a gap: the rebuilt tree is then the leaves that remain,
    # each at its rank, and the holder's proof says so by failing.
    rank = {int(p): _rank(conn, stored.id, int(p)) for p, _, _ in own}
    root, paths = paths_from_stream(_nodes(conn, stored.id), count, list(rank.values()))
    if root.hash != attested.liabilities_root or root.sum != attested.liabilities_sum:
        log.error("checkpoint %d: its stored leaves no longer give its liabilities", stored.id)
    return proof_data(
        checkpoint_id=stored.id,
        tree_size=attested.size,
        account=account,
        leaf_count=count,
        root=root,
        leaves=[
            LeafProof(rank[int(p)], int(amount), bytes(salt), paths[rank[int(p)]])
            for p, amount, salt in own
        ],
    )
