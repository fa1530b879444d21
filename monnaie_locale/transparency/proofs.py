"""Proofs from the tree: an entry's inclusion, and one tree size's consistency with another.

Both are RFC 9162 proofs (:mod:`monnaie_locale.verify.merkle`) over the tree as stored
(:mod:`monnaie_locale.transparency.tree`), at any size up to the tree's: a checkpoint's
size is the one worth asking, since its signed root is what the proof is checked against.
An inclusion proof carries the entry as the journal export writes it
(:func:`monnaie_locale.transparency.export.entry_line`), so its hash is recomputed from
its content, and its leaf from its hash, with nothing else.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from monnaie_locale.journal_rows import postings_of
from monnaie_locale.store.tables import accounts, journal, postings, transactions
from monnaie_locale.transparency import tree
from monnaie_locale.transparency.errors import BeyondTheTree, TreeUnreadable, UnknownEntry
from monnaie_locale.transparency.export import entry_line

__all__ = [
    "ConsistencyProof",
    "InclusionProof",
    "accounts_moved_by",
    "consistency",
    "inclusion",
]


def _b64(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(digest).decode() for digest in hashes]


@dataclass(frozen=True)
class InclusionProof:
    """Entry ``seq`` (its export line) and its audit path in the tree of ``size`` entries."""

    seq: int
    size: int
    entry: dict[str, Any]
    proof: list[bytes]

    def to_data(self) -> dict[str, Any]:
        """As JSON carries it, hashes in base64 (the API's body, the verifier's file)."""
        return {"seq": self.seq, "size": self.size, "entry": self.entry, "proof": _b64(self.proof)}


@dataclass(frozen=True)
class ConsistencyProof:
    """That the tree of ``first`` entries is a prefix of the tree of ``second``."""

    first: int
    second: int
    proof: list[bytes]

    def to_data(self) -> dict[str, Any]:
        """As JSON carries it, hashes in base64 (the API's body, the verifier's file)."""
        return {"first": self.first, "second": self.second, "proof": _b64(self.proof)}


def accounts_moved_by(conn: Connection, seq: int) -> set[str]:
    """The codes of the accounts the transaction of journal entry ``seq`` moves."""
    rows = conn.execute(
        select(accounts.c.code)
        .select_from(
            journal.join(postings, postings.c.transaction_id == journal.c.transaction_id).join(
                accounts, accounts.c.id == postings.c.account_id
            )
        )
        .where(journal.c.seq == seq)
    ).scalars()
    return set(rows)


def inclusion(
    conn: Connection,
    seq: int,
    size: int,
    *,
    may_see: Callable[[set[str]], bool] | None = None,
) -> InclusionProof:
    """The proof that entry ``seq`` is leaf ``seq - 1`` of the tree of ``size`` entries.

    ``may_see``, given the codes of the accounts the entry's transaction moves, says
    whether the caller may see it: :class:`UnknownEntry` when not. The tree's size is
    public, so a size or an entry beyond it is refused first, for anyone.
    """
    held = tree.head(conn).size
    if not 1 <= size <= held:
        raise BeyondTheTree(f"no tree of size {size}", held)
    if not 1 <= seq <= size:
        raise BeyondTheTree(f"entry {seq} is not in the tree of size {size}", held)
    if may_see is not None and not may_see(accounts_moved_by(conn, seq)):
        raise UnknownEntry(seq)
    row = conn.execute(select(journal).where(journal.c.seq == seq)).first()
    if row is None:
        raise TreeUnreadable(f"journal entry {seq} is missing")
    header = conn.execute(
        select(transactions).where(transactions.c.id == row.transaction_id)
    ).first()
    grouped = postings_of(conn, [int(row.transaction_id)])
    try:
        path = tree.inclusion(conn, seq, size)
    except LookupError as exc:
        raise TreeUnreadable(str(exc)) from exc
    return InclusionProof(seq, size, entry_line(row, header, grouped[row.transaction_id]), path)


def consistency(conn: Connection, first: int, second: int) -> ConsistencyProof:
    """The proof that the tree of ``first`` entries is a prefix of the one of ``second``."""
    held = tree.head(conn).size
    if second > held:
        raise BeyondTheTree(f"no tree of size {second}", held)
    if not 0 <= first <= second:
        raise BeyondTheTree(f"size {first} is not between 0 and {second}", held)
    try:
        return ConsistencyProof(first, second, tree.consistency(conn, first, second))
    except LookupError as exc:
        raise TreeUnreadable(str(exc)) from exc
