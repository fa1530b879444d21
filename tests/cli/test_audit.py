"""``mlc audit verify``: seal what the service queued, verify, exit 1 naming what is wrong."""

from __future__ import annotations

import json

from sqlalchemy import Connection, text

from cli.main import app
from monnaie_locale.store import Database
from monnaie_locale.store.tables import journal_queue
from tests.cli.conftest import ADMIN, WIDE, Mlc
from tests.engine import Engine
from tests.store.forgery import forge_transfer, remove_newest
from tests.support import count_rows


def tamper_with_journal_entry(database: Database, seq: int) -> None:
    """Change a sealed hash behind the ledger's back, as a hand-typed UPDATE would."""

    def tamper(conn: Connection) -> None:
        if database.is_postgres:
            conn.execute(text("ALTER TABLE journal DISABLE TRIGGER journal_immutable"))
        else:
            conn.execute(text("DROP TRIGGER journal_no_update"))
        conn.execute(text("UPDATE journal SET hash = :h WHERE seq = :s"), {"h": "f" * 64, "s": seq})

    database.write(tamper)


def test_verify_passes_on_whole_books_and_counts_them(mlc: Mlc, books: Engine) -> None:
    report = mlc.json("audit", "verify")
    assert report["ok"] is True
    assert report["entries"] == 3
    assert report["postings"] == 4 + 2 + 2
    assert report["discrepancies"] == []


def test_verify_seals_what_is_still_queued(mlc: Mlc, books: Engine, database: Database) -> None:
    unsealed = Engine(database, auto_seal=False)
    unsealed.transfer("alice", "bob", 100, idempotency_key="late")
    report = mlc.json("audit", "verify")
    assert report["unsealed"] == 0
    assert report["entries"] == 4


def test_verify_prints_a_table_and_says_the_books_are_intact(mlc: Mlc, books: Engine) -> None:
    result = mlc("audit", "verify", lang="fr")
    assert result.exit_code == 0
    assert "Journal intègre" in result.stdout
    assert "entrées du journal" in result.stdout


def test_verify_exits_1_with_the_first_broken_sequence(
    mlc: Mlc, books: Engine, database: Database
) -> None:
    tamper_with_journal_entry(database, 2)
    result = mlc("audit", "verify")
    assert result.exit_code == 1
    assert "sequence 2" in result.stderr
    report = mlc("audit", "verify", "--json")
    assert report.exit_code == 1
    assert '"sequence": 2' in report.stdout


def test_verify_on_an_empty_ledger_passes(mlc: Mlc, ledger: Engine) -> None:
    report = mlc.json("audit", "verify")
    assert report["ok"] is True
    assert report["entries"] == 0


def test_verify_does_not_seal_a_transfer_forged_in_sql_and_exits_1(
    mlc: Mlc, books: Engine, database: Database
) -> None:
    forged = forge_transfer(database, "issuance", "bob", 100_000, queue_row=True)

    result = mlc("audit", "verify", "--json")

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["entries"] == 3  # the books' three, not the forged one
    assert any(f"transaction {forged}" in d["reason"] for d in report["discrepancies"])
    assert count_rows(database, journal_queue) == 1  # left where it was, for the auditor


def test_verify_exits_1_when_the_newest_transaction_was_removed(
    mlc: Mlc, books: Engine, database: Database
) -> None:
    remove_newest(database)

    result = mlc("audit", "verify")

    assert result.exit_code == 1
    assert "sequence 3" in result.stderr
    assert "newest entries were removed" in result.stderr


def test_verify_under_another_secret_reports_every_mark_as_not_the_services(
    mlc: Mlc, books: Engine
) -> None:
    other = {**WIDE, "MLC_SECRET_KEY": "another-secret-than-the-service-runs-with"}
    args = ["--database", mlc.url, "--as", ADMIN, "audit", "verify", "--json"]
    result = mlc.runner.invoke(app, args, env=other)

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [d["sequence"] for d in report["discrepancies"]] == [1, 2, 3]
    assert all("MLC_SECRET_KEY" in d["reason"] for d in report["discrepancies"])


def test_verify_says_what_it_cannot_detect_in_both_languages(mlc: Mlc, books: Engine) -> None:
    english, french = mlc("audit", "verify"), mlc("audit", "verify", lang="fr")

    assert "without signed checkpoints" in english.stdout
    assert "sans points de contrôle signés" in french.stdout
    assert "Signed checkpoints" in mlc("audit", "verify", "--help").stdout
    assert "points de contrôle" in mlc("audit", "verify", "--help", lang="fr").stdout
