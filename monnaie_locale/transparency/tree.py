"""The journal's Merkle tree (RFC 6962), kept in the database as the journal grows.

Leaf ``i`` is journal entry ``i + 1``: its data is the entry's 32-byte hash, which commits
to the transaction's content and, through the chain, to every entry before it. The tree is
extended in batches (:func:`extend`), by the checkpoint job or on demand, never in a
payment's transaction: a payment pays nothing for it.

Before an entry joins the tree it is checked as :func:`monnaie_locale.journal.verify`
would: it follows the last one (sequence and chain), its hash is that of the stored
transaction, and it carries the service's mark. An entry that fails stops the tree there
(:class:`TreeRefused`): the service never signs a root over a journal it did not write.

Only complete subtrees whose height is a multiple of four are stored
(:mod:`monnaie_locale.store.tables_transparency`); any other node is folded from at most
sixteen stored nodes or journal hashes read in one query. Extending keeps one hash per
level in memory, so a million entries take a few megabytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from monnaie_locale.journal_content import entry_hash, entry_mark, key_of, same_mark
from monnaie_locale.journal_rows import postings_of
from monnaie_locale.store.tables import journal, journal_head, transactions
from monnaie_locale.store.tables_transparency import merkle_nodes, merkle_state
from monnaie_locale.verify.merkle import (
    EMPTY_ROOT,
    CompactRange,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    range_hash,
)

__all__ = [
    "STORED_EVERY",
    "StoredTree",
    "TreeHead",
    "TreeRefused",
    "consistency",
    "extend",
    "extend_all",
    "head",
    "inclusion",
    "root_at",
]

STORED_EVERY = 4  # levels between two stored layers: 16 children folded at most
CHUNK = 5000


class TreeRefused(Exception):
    """The journal cannot be extended into the tree at entry ``seq``, for ``reason``."""

    def __init__(self, seq: int, reason: str) -> None:
        super().__init__(f"journal entry {seq}: {reason}")
        self.seq = seq
        self.reason = reason


@dataclass(frozen=True, slots=True)
class TreeHead:
    """The tree's size (journal entries it holds) and its root."""

    size: int
    root: bytes


class StoredTree:
    """Complete subtrees read from the stored nodes and the journal's hashes."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def complete(self, level: int, index: int) -> bytes:
        base = level - level % STORED_EVERY
        if base == level and level > 0:
            found = self.conn.execute(
                select(merkle_nodes.c.hash).where(
                    merkle_nodes.c.level == level, merkle_nodes.c.position == index
                )
            ).scalar()
            if found is None:
                raise LookupError(f"no stored node at level {level}, position {index}")
            return bytes(found)
        width = 1 << (level - base)
        first = index * width
        layer = self._layer(base, first, first + width)
        while len(layer) > 1:
            layer = [node_hash(layer[i], layer[i + 1]) for i in range(0, len(layer), 2)]
        return layer[0]

    def _layer(self, level: int, start: int, end: int) -> list[bytes]:
        """The hashes at ``level`` for positions ``[start, end)``, in one query."""
        if level == 0:
            rows = self.conn.execute(
                select(journal.c.hash)
                .where(journal.c.seq > start, journal.c.seq <= end)
                .order_by(journal.c.seq)
            ).scalars()
            found = [leaf_hash(bytes.fromhex(h)) for h in rows]
        else:
            found = [
                bytes(h)
                for h in self.conn.execute(
                    select(merkle_nodes.c.hash)
                    .where(
                        merkle_nodes.c.level == level,
                        merkle_nodes.c.position >= start,
                        merkle_nodes.c.position < end,
                    )
                    .order_by(merkle_nodes.c.position)
                ).scalars()
            ]
        if len(found) != end - start:
            raise LookupError(f"level {level} lacks nodes between {start} and {end}")
        return found


def head(conn: Connection) -> TreeHead:
    """The tree as last extended."""
    row = conn.execute(select(merkle_state.c.size, merkle_state.c.root)).first()
    return TreeHead(0, EMPTY_ROOT) if row is None else TreeHead(int(row.size), bytes(row.root))


def _check_size(conn: Connection, size: int) -> None:
    if not 0 <= size <= head(conn).size:
        raise ValueError(f"the tree holds {head(conn).size} entries, not {size}")


def root_at(conn: Connection, size: int) -> bytes:
    """The root of the tree over the first ``size`` entries."""
    _check_size(conn, size)
    return range_hash(StoredTree(conn), 0, size)


def inclusion(conn: Connection, seq: int, size: int) -> list[bytes]:
    """The audit path of journal entry ``seq`` in the tree of ``size`` entries."""
    _check_size(conn, size)
    return inclusion_proof(StoredTree(conn), seq - 1, size)


def consistency(conn: Connection, first: int, second: int) -> list[bytes]:
    """The proof that the tree of ``first`` entries is a prefix of the one of ``second``."""
    _check_size(conn, second)
    return consistency_proof(StoredTree(conn), first, second)


def extend(conn: Connection, *, now: datetime, limit: int = CHUNK) -> TreeHead:
    """Add up to ``limit`` sealed journal entries to the tree; the new head.

    Raises :class:`TreeRefused` at the first entry that does not check, or when the
    journal is shorter than the tree (entries removed); nothing is added then.
    """
    current = head(conn)
    last = conn.execute(
        select(journal.c.seq, journal.c.hash).where(journal.c.seq == current.size)
    ).first()
    if current.size and last is None:
        raise TreeRefused(current.size, "the tree holds this entry but the journal lost it")
    prev = last.hash if last is not None else None
    rows = conn.execute(
        select(journal).where(journal.c.seq > current.size).order_by(journal.c.seq).limit(limit)
    ).all()
    if not rows:
        return current
    key = key_of(conn)
    marked_from = conn.execute(select(journal_head.c.marked_from)).scalar() or 1
    ids = [row.transaction_id for row in rows]
    headers = {
        h.id: h for h in conn.execute(select(transactions).where(transactions.c.id.in_(ids)))
    }
    grouped = postings_of(conn, ids)
    stored: list[dict[str, object]] = []

    def keep(level: int, index: int, digest: bytes) -> None:
        if level % STORED_EVERY == 0:
            stored.append({"level": level, "position": index, "hash": digest})

    compact = CompactRange.of(StoredTree(conn), current.size, on_complete=keep)
    for row in rows:
        seq = compact.size + 1
        reason = _problem(row, seq, prev, headers.get(row.transaction_id), grouped)
        if (
            reason is None
            and seq >= marked_from
            and not same_mark(row.mac, entry_mark(key, row.seq, row.hash))
        ):
            reason = "the entry lacks the service's mark: it was not sealed by the service"
        if reason is not None:
            raise TreeRefused(int(row.seq), reason)
        compact.append(leaf_hash(bytes.fromhex(row.hash)))
        prev = row.hash
    if stored:
        conn.execute(insert(merkle_nodes), stored)
    grown = TreeHead(compact.size, compact.root())
    values = {"size": grown.size, "root": grown.root, "updated_at": now}
    if current.size == 0 and conn.execute(select(merkle_state.c.id)).first() is None:
        conn.execute(insert(merkle_state).values(id=1, **values))
    else:
        conn.execute(update(merkle_state).where(merkle_state.c.id == 1).values(**values))
    return grown


def _problem(
    row: Any, seq: int, prev: str | None, header: Any, grouped: dict[int, list[Any]]
) -> str | None:
    """Why journal ``row`` may not be the tree's leaf for entry ``seq``, or None."""
    if row.seq != seq:
        return f"the journal jumps from entry {seq - 1} to {row.seq}"
    if prev is not None and row.prev_hash != prev:
        return "the entry does not chain to the previous one"
    if header is None:
        return f"transaction {row.transaction_id} is missing"
    if entry_hash(row.prev_hash, header, grouped[row.transaction_id]) != row.hash:
        return f"transaction {row.transaction_id} differs from what was sealed"
    return None


def extend_all(
    write: Callable[[Callable[[Connection], TreeHead]], TreeHead], *, now: datetime
) -> TreeHead:
    """Extend until the tree holds every sealed entry, one chunk per write transaction.

    ``write`` runs a function in a write transaction (``Database.write``).
    """
    previous = -1
    while True:
        grown = write(lambda conn: extend(conn, now=now))
        if grown.size == previous:
            return grown
        previous = grown.size
