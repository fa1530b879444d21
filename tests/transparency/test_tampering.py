"""Tampering after a checkpoint, each caught by the offline verifier with files alone.

On both engines: books with payments and two checkpoints a witness keeps as files; then
in SQL a posting's amount changed, a journal entry deleted (a transaction cannot go while
its entry stays: the journal's foreign key keeps it); the log forked by its own key; a
holder's leaf dropped from the sum tree or lowered. For each, the service's export (or
the member's proof) and the witness's notes go to the verifier, which must fail and name
the entry, the size or the leaf.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, delete, select, update

from monnaie_locale.store import Database
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_transparency import liability_leaves
from monnaie_locale.transparency import checkpoints, liability_proofs
from monnaie_locale.transparency.checkpoints import StoredCheckpoint
from monnaie_locale.verify.checkpoint import format_checkpoint, parse_checkpoint
from monnaie_locale.verify.note import format_note, parse_note, sign_line
from tests.conftest import SteppingClock
from tests.store.forgery import change_amount, delete_entry
from tests.transparency.witnessing import KEY, ORIGIN, Witness, witnessed
from tests.verify.builders import Run


@pytest.fixture
def witness(database: Database, clock: SteppingClock, tmp_path: Path) -> Witness:
    return witnessed(database, clock, tmp_path)


def size_of(witness: Witness, which: int) -> int:
    """The size of the ``which``-th checkpoint the witness kept, read from its file."""
    return parse_checkpoint(parse_note(Path(witness.notes[which]).read_text()).text).size


def test_untouched_books_verify_against_every_checkpoint(witness: Witness) -> None:
    run = witness.replay()
    assert run.code == 0, run.output
    last = witness.verify("checkpoint", *witness.notes)
    assert last.code == 0, last.output
    assert "the holders' sum tree adds up to the digital circulation" in last.output


def test_a_posting_changed_after_a_checkpoint_names_its_entry(witness: Witness) -> None:
    seq = size_of(witness, 0) - 1  # an entry the first checkpoint holds
    transaction = change_amount(witness.books.database, seq, 1)

    run = witness.replay()

    assert run.code == 1
    named = f"PROBLEM entry {seq} (transaction {transaction}):"
    assert [p for p in run.problems() if p.startswith(named)] == [
        f"{named} its hash is not SHA-256(prev_hash + content): the transaction was changed"
        " after it was sealed",
        f"{named} its postings do not sum to zero (+1 MLC)",
    ]


def test_a_deleted_entry_is_named(witness: Witness) -> None:
    seq = size_of(witness, 0) - 1
    transaction = delete_entry(witness.books.database, seq)

    run = witness.replay()

    assert run.code == 1
    assert run.problems()[0].startswith(
        f"PROBLEM entry {seq} missing: the export jumps from entry {seq - 1} to entry {seq + 1}"
    )
    assert transaction > 0
    roots = [p for p in run.problems() if "cannot be recomputed" in p]
    assert len(roots) == len(witness.notes)  # both checkpoints hold it: neither is guessed


def test_two_checkpoints_of_one_size_with_different_roots_are_a_named_fork(
    witness: Witness,
) -> None:
    # The log's own key signs another root at the same size: a split view.
    honest = witness.books.read(_latest)
    forked = format_checkpoint(replace(honest.checkpoint, root=bytes(32)))
    signed = format_note(forked, [sign_line(forked, ORIGIN, KEY.private_key)])
    note = witness.files.write("forked.note", signed)

    run = witness.verify("checkpoint", *witness.notes, note)

    assert run.code == 1
    [fork] = run.problems()
    size = honest.checkpoint.size
    assert fork.startswith(f"FORK {ORIGIN} at size {size}: {witness.notes[-1]} and {note}")


def _latest(conn: Connection) -> StoredCheckpoint:
    found = checkpoints.latest(conn)
    assert found is not None
    return found


def _leaves(witness: Witness, stored: StoredCheckpoint, code: str) -> list[tuple[int, int]]:
    rows = witness.books.read(
        lambda conn: conn.execute(
            select(liability_leaves.c.position, liability_leaves.c.amount)
            .join(accounts, accounts.c.id == liability_leaves.c.account_id)
            .where(liability_leaves.c.checkpoint_id == stored.id, accounts.c.code == code)
        ).all()
    )
    return [(int(p), int(a)) for p, a in rows]


def _liability(witness: Witness, stored: StoredCheckpoint, code: str) -> tuple[Run, Any]:
    """The member's proof as the service gives it, checked by the verifier from files."""
    proof = witness.books.read(lambda conn: liability_proofs.proof(conn, stored, code))
    path = witness.files.write(f"{code}.json", proof)
    run = witness.verify("liability", witness.notes[-1], "--proof", path, "--account", code)
    return run, proof


def test_a_members_proof_verifies_before_anything_is_touched(witness: Witness) -> None:
    stored = witness.books.read(_latest)
    run, _ = _liability(witness, stored, "alice")
    assert run.code == 0, run.output
    balance = sum(amount for _, amount in _leaves(witness, stored, "alice"))
    assert f"alice: a balance of {balance} in" in run.output


def test_a_dropped_leaf_fails_a_members_proof_and_names_its_leaves(witness: Witness) -> None:
    stored = witness.books.read(_latest)
    where, amount = max(_leaves(witness, stored, "bob"), key=lambda leaf: leaf[1])
    assert amount > 0
    witness.books.write(
        lambda conn: conn.execute(
            delete(liability_leaves).where(
                liability_leaves.c.checkpoint_id == stored.id, liability_leaves.c.position == where
            )
        )
    )

    run, proof = _liability(witness, stored, "alice")

    assert run.code == 1
    named = {f"leaf {leaf['position']}" for leaf in proof["leaves"]}
    leaves = {p.split(": ")[1] for p in run.problems() if ": leaf " in p}
    assert leaves == named
    assert any(
        "the proof's root is not the checkpoint's liabilities root" in p for p in run.problems()
    )


def test_a_lowered_balance_in_the_sum_tree_names_the_leaf(witness: Witness) -> None:
    stored = witness.books.read(_latest)
    where, amount = max(_leaves(witness, stored, "alice"), key=lambda leaf: leaf[1])
    witness.books.write(
        lambda conn: conn.execute(
            update(liability_leaves)
            .where(
                liability_leaves.c.checkpoint_id == stored.id, liability_leaves.c.position == where
            )
            .values(amount=amount - 100)
        )
    )

    run, _ = _liability(witness, stored, "alice")

    assert run.code == 1
    assert any(
        p.endswith(f"leaf {where}: its path does not lead to the checkpoint's root: not counted")
        for p in run.problems()
    ), run.output
