"""``mlc audit verify``: seal, verify, and exit 1 naming the first broken sequence."""

from __future__ import annotations

from sqlalchemy import text

from monnaie_locale.ledger import Ledger
from monnaie_locale.store import Database
from tests.cli.conftest import Mlc


def tamper_with_journal_entry(database: Database, seq: int) -> None:
    """Change a sealed hash behind the ledger's back, as a hand-typed UPDATE would."""
    with database.writing() as conn:
        if database.is_postgres:
            conn.execute(text("ALTER TABLE journal DISABLE TRIGGER journal_immutable"))
        else:
            conn.execute(text("DROP TRIGGER journal_no_update"))
        conn.execute(text("UPDATE journal SET hash = :h WHERE seq = :s"), {"h": "f" * 64, "s": seq})


def test_verify_passes_on_whole_books_and_counts_them(mlc: Mlc, books: Ledger) -> None:
    report = mlc.json("audit", "verify")
    assert report["ok"] is True
    assert report["entries"] == 3
    assert report["postings"] == 4 + 2 + 2
    assert report["discrepancies"] == []


def test_verify_seals_what_is_still_queued(mlc: Mlc, books: Ledger, database: Database) -> None:
    unsealed = Ledger(database, auto_seal=False)
    unsealed.transfer("alice", "bob", 100, idempotency_key="late")
    report = mlc.json("audit", "verify")
    assert report["unsealed"] == 0
    assert report["entries"] == 4


def test_verify_prints_a_table_and_says_the_books_are_intact(mlc: Mlc, books: Ledger) -> None:
    result = mlc("audit", "verify", lang="fr")
    assert result.exit_code == 0
    assert "Journal intègre" in result.stdout
    assert "entrées du journal" in result.stdout


def test_verify_exits_1_with_the_first_broken_sequence(
    mlc: Mlc, books: Ledger, database: Database
) -> None:
    tamper_with_journal_entry(database, 2)
    result = mlc("audit", "verify")
    assert result.exit_code == 1
    assert "sequence 2" in result.stderr
    report = mlc("audit", "verify", "--json")
    assert report.exit_code == 1
    assert '"sequence": 2' in report.stdout


def test_verify_on_an_empty_ledger_passes(mlc: Mlc, ledger: Ledger) -> None:
    report = mlc.json("audit", "verify")
    assert report["ok"] is True
    assert report["entries"] == 0
