"""The journal's Merkle tree, kept in the database, gives RFC 6962's roots and proofs, and
refuses a journal the service did not write.

The reference is RFC 9162's own definitions (MTH, PATH and PROOF, section 2.1), written out
below as the RFC states them, recursively, with nothing of
:mod:`monnaie_locale.verify.merkle`; :class:`~monnaie_locale.verify.merkle.MemoryTree`
over the journal's hashes is checked against the same reference. 300 entries reach past
the second stored layer (subtrees of 16 and of 256 leaves), so proofs are folded from
stored nodes and journal hashes alike. Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import pytest
from sqlalchemy import Connection, delete, select, text, update

from monnaie_locale.model import AccountKind, TransferRequest
from monnaie_locale.store import Database
from monnaie_locale.store.tables import journal, postings
from monnaie_locale.store.tables_transparency import merkle_nodes, merkle_state
from monnaie_locale.transparency import tree
from monnaie_locale.transparency.tree import TreeHead, TreeRefused
from monnaie_locale.verify.merkle import MemoryTree, inclusion_proof, leaf_hash
from tests.conftest import SteppingClock
from tests.engine import Engine
from tests.store.forgery import _drop_protections, append_entry, forge_transfer, remove_newest

ENTRIES = 300


# RFC 9162, section 2.1, as written ---------------------------------------------------


class Rfc:
    """MTH, PATH and PROOF over the entries ``data`` (the journal's 32-byte hashes)."""

    def __init__(self, data: list[bytes]) -> None:
        self.data = data
        self._mth: dict[tuple[int, int], bytes] = {}

    @staticmethod
    def _k(n: int) -> int:
        """The largest power of two smaller than ``n``."""
        k = 1
        while k * 2 < n:
            k *= 2
        return k

    def mth(self, start: int, end: int) -> bytes:
        if (start, end) not in self._mth:
            n = end - start
            if n == 0:
                found = hashlib.sha256(b"").digest()
            elif n == 1:
                found = hashlib.sha256(b"\x00" + self.data[start]).digest()
            else:
                k = self._k(n)
                left, right = self.mth(start, start + k), self.mth(start + k, end)
                found = hashlib.sha256(b"\x01" + left + right).digest()
            self._mth[(start, end)] = found
        return self._mth[(start, end)]

    def path(self, m: int, start: int, end: int) -> list[bytes]:
        n = end - start
        if n == 1:
            return []
        k = self._k(n)
        if m < k:
            return [*self.path(m, start, start + k), self.mth(start + k, end)]
        return [*self.path(m - k, start + k, end), self.mth(start, start + k)]

    def proof(self, m: int, n: int) -> list[bytes]:
        return [] if m in (0, n) else self._subproof(m, 0, n, True)

    def _subproof(self, m: int, start: int, end: int, whole: bool) -> list[bytes]:
        n = end - start
        if m == n:
            return [] if whole else [self.mth(start, end)]
        k = self._k(n)
        if m <= k:
            return [*self._subproof(m, start, start + k, whole), self.mth(start + k, end)]
        return [*self._subproof(m - k, start + k, end, False), self.mth(start, start + k)]


# The books ------------------------------------------------------------------------


@pytest.fixture
def books(ledger: Engine) -> Engine:
    """A journal of exactly ENTRIES entries: alice funded, then transfers back and forth."""
    ledger.open_account("alice", kind=AccountKind.MEMBER, currency="MLC")
    ledger.open_account("bob", kind=AccountKind.MEMBER, currency="MLC")
    ledger.transfer("issuance", "alice", 1_000_000, idempotency_key="fund")
    batch = 0
    while (left := ENTRIES - len(entry_data(ledger.database))) > 0:
        batch += 1
        requests = [
            TransferRequest.simple("alice", "bob", 2 + i)
            if i % 2 == 0
            else TransferRequest.simple("bob", "alice", 1 + i)
            for i in range(min(left, 50))
        ]
        ledger.batch(requests, idempotency_key=f"batch-{batch}")
    ledger.seal_journal()
    assert len(entry_data(ledger.database)) == ENTRIES
    return ledger


def entry_data(database: Database) -> list[bytes]:
    """The journal's entry hashes, in order: the tree's leaves' data."""
    rows = database.read(
        lambda conn: conn.execute(select(journal.c.hash).order_by(journal.c.seq)).scalars().all()
    )
    return [bytes.fromhex(h) for h in rows]


def extend(books: Engine, limit: int = tree.CHUNK) -> TreeHead:
    clock = books.clock
    assert isinstance(clock, SteppingClock)
    return books.database.write(lambda conn: tree.extend(conn, now=clock(), limit=limit))


def stored_nodes(database: Database) -> dict[tuple[int, int], bytes]:
    rows = database.read(lambda conn: conn.execute(select(merkle_nodes)).all())
    return {(int(r.level), int(r.position)): bytes(r.hash) for r in rows}


def read(books: Engine, query: Callable[[Connection], object]) -> object:
    return books.database.read(query)


def forget_the_tree(database: Database) -> None:
    def forget(conn: Connection) -> None:
        conn.execute(delete(merkle_nodes))
        conn.execute(delete(merkle_state))

    database.write(forget)


# Roots and proofs -----------------------------------------------------------------


def test_extended_one_entry_at_a_time_the_head_is_the_rfc_root_at_every_size(
    books: Engine,
) -> None:
    rfc = Rfc(entry_data(books.database))
    memory = MemoryTree([leaf_hash(d) for d in rfc.data])
    assert read(books, tree.head) == TreeHead(0, rfc.mth(0, 0))

    for size in range(1, ENTRIES + 1):
        grown = extend(books, limit=1)

        assert grown == TreeHead(size, rfc.mth(0, size))
        assert memory.root(size) == grown.root
    assert extend(books) == TreeHead(ENTRIES, rfc.mth(0, ENTRIES))  # nothing more to add


def test_the_stored_nodes_are_the_complete_subtrees_of_16_and_256_entries(books: Engine) -> None:
    tree.extend_all(books.database.write, now=books.clock())
    rfc = Rfc(entry_data(books.database))

    expected = {
        (level, index): rfc.mth(index << level, (index + 1) << level)
        for level in (4, 8)
        for index in range(ENTRIES >> level)
    }
    assert stored_nodes(books.database) == expected


def test_roots_and_inclusion_proofs_at_every_size_are_the_rfcs(books: Engine) -> None:
    tree.extend_all(books.database.write, now=books.clock())
    rfc = Rfc(entry_data(books.database))
    memory = MemoryTree([leaf_hash(d) for d in rfc.data])

    def check(conn: Connection) -> None:
        for size in range(ENTRIES + 1):
            assert tree.root_at(conn, size) == rfc.mth(0, size), size
            every = range(size) if size <= 20 else range(0, size, 7) if size in (256, 257) else ()
            for index in {*every, *(i for i in (0, size // 2, size - 1, 17, 255) if 0 <= i < size)}:
                proof = tree.inclusion(conn, index + 1, size)
                assert proof == rfc.path(index, 0, size), (index, size)
                assert inclusion_proof(memory, index, size) == proof

    books.database.read(check)


def test_consistency_proofs_between_sizes_are_the_rfcs(books: Engine) -> None:
    tree.extend_all(books.database.write, now=books.clock())
    rfc = Rfc(entry_data(books.database))

    def check(conn: Connection) -> None:
        for first in range(ENTRIES + 1):
            seconds = {first, ENTRIES, min(first + 1, ENTRIES), min(2 * first + 3, ENTRIES)}
            seconds |= set(range(first, 21)) if first <= 20 else set()
            for second in seconds:
                assert tree.consistency(conn, first, second) == rfc.proof(first, second), (
                    first,
                    second,
                )

    books.database.read(check)


def test_a_size_beyond_the_tree_is_refused(books: Engine) -> None:
    extend(books, limit=100)

    def beyond(conn: Connection) -> None:
        for call in (
            lambda: tree.root_at(conn, 101),
            lambda: tree.inclusion(conn, 1, 101),
            lambda: tree.consistency(conn, 1, 101),
        ):
            with pytest.raises(ValueError, match="holds 100"):
                call()

    books.database.read(beyond)


@pytest.mark.parametrize("limit", [7, 16, 100, 257])  # 1: the test above
def test_extending_in_chunks_gives_the_tree_made_at_once(books: Engine, limit: int) -> None:
    at_once = extend(books, limit=ENTRIES)
    nodes = stored_nodes(books.database)
    forget_the_tree(books.database)

    sizes: list[int] = []
    while not sizes or sizes[-1] < ENTRIES:
        sizes.append(extend(books, limit=limit).size)

    assert sizes[0] == min(limit, ENTRIES)
    assert read(books, tree.head) == at_once
    assert stored_nodes(books.database) == nodes


# What the tree refuses ------------------------------------------------------------


def tamper(database: Database, statement: Callable[[Connection], object]) -> None:
    """Run ``statement`` as someone with the owner's rights, protections dropped first."""

    def run(conn: Connection) -> None:
        _drop_protections(conn)
        statement(conn)

    database.write(run)


def transaction_of(database: Database, seq: int) -> int:
    return int(
        database.read(
            lambda conn: conn.execute(
                select(journal.c.transaction_id).where(journal.c.seq == seq)
            ).scalar_one()
        )
    )


def refused(books: Engine) -> TreeRefused:
    """The refusal of the next extension, which must leave the tree as it was."""
    before, nodes = read(books, tree.head), stored_nodes(books.database)
    with pytest.raises(TreeRefused) as caught:
        extend(books)
    assert read(books, tree.head) == before
    assert stored_nodes(books.database) == nodes
    return caught.value


def test_a_posting_changed_in_sql_stops_the_tree_at_its_entry(books: Engine) -> None:
    extend(books, limit=100)
    changed = transaction_of(books.database, 150)
    tamper(
        books.database,
        lambda conn: conn.execute(
            update(postings)
            .where(postings.c.transaction_id == changed, postings.c.amount > 0)
            .values(amount=postings.c.amount + 1)
        ),
    )

    refusal = refused(books)

    assert refusal.seq == 150
    assert f"transaction {changed} differs from what was sealed" in str(refusal)


def test_an_entry_without_the_services_mark_stops_the_tree_at_it(books: Engine) -> None:
    extend(books)
    forged = forge_transfer(books.database, "issuance", "bob", 10_000)
    seq = append_entry(books.database, forged)

    refusal = refused(books)

    assert (refusal.seq, seq) == (ENTRIES + 1, ENTRIES + 1)
    assert "lacks the service's mark" in refusal.reason


def test_a_gap_in_the_journal_stops_the_tree_where_it_jumps(books: Engine) -> None:
    extend(books, limit=100)
    tamper(books.database, lambda conn: conn.execute(delete(journal).where(journal.c.seq == 150)))

    refusal = refused(books)

    assert refusal.seq == 151
    assert refusal.reason == "the journal jumps from entry 149 to 151"


def test_an_entry_that_does_not_chain_stops_the_tree_at_it(books: Engine) -> None:
    extend(books, limit=100)
    tamper(
        books.database,
        lambda conn: conn.execute(
            text("UPDATE journal SET prev_hash = :h WHERE seq = 101"), {"h": "ab" * 32}
        ),
    )

    refusal = refused(books)

    assert refusal.seq == 101
    assert refusal.reason == "the entry does not chain to the previous one"


def test_a_journal_shorter_than_the_tree_is_refused_naming_the_lost_entry(
    books: Engine,
) -> None:
    extend(books)
    remove_newest(books.database)

    refusal = refused(books)

    assert refusal.seq == ENTRIES
    assert "the journal lost it" in refusal.reason
