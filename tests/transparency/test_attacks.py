"""The two attacks the hash chain alone lets through, caught with a witness's checkpoints.

On both engines, by someone with write access to the database and the published
algorithm (:mod:`tests.store.forgery`):

(a) a balanced transfer appended in SQL after a checkpoint a witness holds, with its
    postings, its balances and a journal entry chained as the service chains them and
    stamped with the present; then genuine payments, and the checkpoint job again. The
    service's tree refuses the entry (it lacks the service's mark), raises an alarm, and
    keeps signing checkpoints at the size before it. From the export and those checkpoints, the
    offline verifier names the entry as one in the journal before a checkpoint was made
    yet left out of it.
(b) the newest transaction removed, its balances undone, the journal's head rewound, after
    checkpoints at sizes n - 1 and n. ``mlc audit verify`` (:func:`journal.verify`) finds
    nothing: that is the point. The verifier, given the export and the checkpoints, names
    entry n, missing or not what checkpoint n signed.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from monnaie_locale import journal
from monnaie_locale.journal_rows import last_entry
from monnaie_locale.store import Database
from tests.conftest import SteppingClock
from tests.store.forgery import append_entry, forge_transfer, remove_newest, rewind_head
from tests.transparency.witnessing import Witness, witnessed


@pytest.fixture
def witness(database: Database, clock: SteppingClock, tmp_path: Path) -> Witness:
    return witnessed(database, clock, tmp_path)


def test_a_transfer_appended_in_sql_is_named_as_not_sealed_by_the_service(
    witness: Witness, clock: SteppingClock
) -> None:
    database = witness.books.database
    held = witness.books.read(last_entry)[0]
    clock.advance(timedelta(minutes=2))
    forged = forge_transfer(database, "alice", "bob", 1000)
    seq = append_entry(database, forged, sealed_at=clock())
    clock.advance(timedelta(minutes=5))
    witness.pay("bob", "bakery", 250, "after-1")
    witness.pay("alice", "bakery", 75, "after-2")
    clock.advance(timedelta(minutes=5))

    stuck = witness.checkpoint()

    assert seq == held + 1
    assert [refused.seq for refused in witness.refused] == [seq]
    assert stuck.checkpoint.size == held  # the service signs the last size it sealed itself
    run = witness.replay()
    assert run.code == 1
    first = run.problems()[0]
    assert first.startswith(
        f"PROBLEM entry {seq} (transaction {forged}): in the journal before checkpoint"
        f" {witness.notes[-1]} (size {held}) was made"
    ), run.output
    assert "but not in it: not sealed by the service" in first


def test_the_newest_transaction_removed_passes_the_audit_but_not_the_verifier(
    witness: Witness,
) -> None:
    witness.pay("bob", "alice", 40, "last")
    newest = witness.checkpoint().checkpoint.size  # checkpoints at n - 1 ... and at n
    database = witness.books.database

    remove_newest(database)
    rewind_head(database)

    assert witness.books.read(lambda conn: journal.verify(conn)).ok  # the audit sees nothing
    run = witness.replay()
    assert run.code == 1
    assert run.problems() == [
        f"PROBLEM {witness.notes[-1]} (size {newest}): the export ends at entry {newest - 1}:"
        f" entry {newest} missing"
    ]


def test_the_newest_transaction_replaced_by_another_is_named_against_checkpoint_n(
    witness: Witness,
) -> None:
    witness.pay("bob", "alice", 40, "last")
    newest = witness.checkpoint().checkpoint.size
    database = witness.books.database
    remove_newest(database)
    rewind_head(database)
    witness.pay("bob", "alice", 4, "instead")  # a genuine payment takes the place of entry n
    journal.seal_queue(database, clock=witness.books.clock)

    run = witness.replay()
    assert run.problems() == [
        f"PROBLEM {witness.notes[-1]} (size {newest}): the export's entries 1 to {newest} do not"
        f" give the root it signed: entries {newest} to {newest} differ from what it signed"
        f" (the export matches {witness.notes[-2]} (size {newest - 1}))"
    ]
