"""A ledger whose checkpoints a witness keeps as files, and the offline verifier run on them.

:func:`witnessed` sets up books with conversions and payments (every unit backed), makes
checkpoints as the service does (the queue sealed, the tree extended, the checkpoint
signed, by :func:`~monnaie_locale.transparency.publishing.publish`, the checkpoint job's
work) and keeps each signed note as a file, as a witness would. The tests then tamper
with the database in SQL (:mod:`tests.store.forgery`), export the journal as the service
exports it, and hand the verifier the files alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from monnaie_locale import journal
from monnaie_locale.ledger import service
from monnaie_locale.model import TransferRequest
from monnaie_locale.operations import conversion
from monnaie_locale.payments.keys import KeyRing, SigningKey
from monnaie_locale.store import Database
from monnaie_locale.transparency import checkpoints, export, publishing, tree
from monnaie_locale.transparency.checkpoints import StoredCheckpoint
from tests.conftest import SteppingClock
from tests.operations.conftest import Books, make_books, make_deployment
from tests.verify.builders import Files, Run

KEY = SigningKey.generate()
ORIGIN = "pay.example/mlc"
PUBLISHER = publishing.Publisher(ORIGIN, KeyRing(KEY))

__all__ = ["KEY", "ORIGIN", "Witness", "witnessed"]


@dataclass
class Witness:
    """The books, and the folder where the witness keeps what it was shown."""

    books: Books
    files: Files
    notes: list[str] = field(default_factory=list)
    refused: list[tree.TreeRefused] = field(default_factory=list)

    @property
    def vkey(self) -> str:
        return checkpoints.note_key(ORIGIN, KEY).vkey

    def pay(self, debit: str, credit: str, amount: int, key: str) -> None:
        self.books.write(
            lambda conn: service.post_transfer(
                conn,
                TransferRequest.simple(debit, credit, amount),
                idempotency_key=key,
                clock=self.books.clock,
            )
        )

    def checkpoint(self) -> StoredCheckpoint:
        """What the service's jobs do: seal the queue, then publish (extend the tree as far
        as it accepts, sign a checkpoint). An entry the tree refuses stops it there (the
        refusal is kept) and the checkpoint is signed at the size the tree has."""
        books = self.books
        journal.seal_queue(books.database, clock=books.clock)
        outcome = publishing.publish(
            books.database, books.deployment, publisher=PUBLISHER, clock=books.clock
        )
        if outcome.refused is not None:
            self.refused.append(outcome.refused)
        assert outcome.checkpoint is not None, outcome
        stored = outcome.checkpoint
        self.notes.append(self.files.write(f"checkpoint-{stored.id}.note", stored.note))
        return stored

    def export(self) -> str:
        """The journal as the service exports it, written where the witness keeps files."""
        path = self.files.folder / "journal.jsonl"
        with path.open("w", encoding="utf-8") as out, self.books.database.reading() as conn:
            export.write_journal(conn, out, origin=ORIGIN, unit="MLC", now=self.books.clock())
        return str(path)

    def verify(self, *argv: str) -> Run:
        return self.files.verify(*argv, "--key", self.vkey)

    def replay(self) -> Run:
        """The journal export replayed against every checkpoint the witness kept."""
        return self.verify("journal", self.export(), *self.notes)


def witnessed(database: Database, clock: SteppingClock, folder: Path) -> Witness:
    """Three holders funded by card, six payments, a checkpoint after the third and the sixth."""
    books = make_books(database, clock, make_deployment())
    witness = Witness(books, Files(folder))
    for code, amount in [("alice", 5000), ("bob", 3000), ("bakery", 10000)]:
        books.run(
            conversion.convert_by_card,
            account=code,
            amount=amount,
            payment_reference=f"PSP-{code}",
            idempotency_key=f"c-{code}",
        )
    for n in range(6):
        witness.pay("alice" if n % 2 else "bob", "bakery", 100 + n, f"pay-{n}")
        if n in (2, 5):
            witness.checkpoint()
    return witness
