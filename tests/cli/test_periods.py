"""``mlc period``: the checklist with ✓ and ✗, closing the books, the closings listed; and
the FEC named after the SIREN and the closing day.

The books (tests/cli/conftest.py) hold alice's 50.00 converted by bank transfer on
2 November 2026 (reserve:digital 50.00 for 50.00 in circulation), then two payments.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import insert, select

from monnaie_locale.auth import Role
from monnaie_locale.clock import utc_now
from monnaie_locale.store import Database
from monnaie_locale.store.tables_operations import bank_statements
from monnaie_locale.store.tables_periods import closed_periods
from tests.cli.conftest import Mlc, add_user
from tests.engine import Engine

THROUGH = "2026-11-30"


def bank_says(database: Database, closing_balance: int) -> None:
    database.write(
        lambda conn: conn.execute(
            insert(bank_statements).values(
                fingerprint="walk",
                statement_id="STMT-11",
                closing_balance=closing_balance,
                imported_at=utc_now(),
            )
        )
    )


def closings(database: Database) -> list[str]:
    query = select(closed_periods.c.closed_through)
    return database.read(lambda conn: [str(day) for day in conn.execute(query).scalars()])


def test_the_checklist_shows_each_check_and_the_books_close_once_it_passes(
    mlc: Mlc, books: Engine, database: Database
) -> None:
    shown = mlc("period", "checklist", THROUGH)
    assert shown.exit_code == 0, shown.output
    assert "✓ Journal verified" in shown.stdout
    assert "✓ Coverage at least 100 %: 100.00 %" in shown.stdout
    assert "✓ Bank reconciliation at 0.00" in shown.stdout

    closed = mlc("period", "close", THROUGH, "--year-end", "--json")
    assert closed.exit_code == 0, closed.output
    assert json.loads(closed.stdout)["closed_through"] == THROUGH
    assert mlc.json("period", "list")[0]["year_end"] is True
    assert closings(database) == [THROUGH]


def test_a_failing_check_shows_a_cross_exits_1_and_refuses_the_closing(
    mlc: Mlc, books: Engine, database: Database
) -> None:
    bank_says(database, 6000)  # the bank holds 60.00, the books 50.00

    shown = mlc("period", "checklist", THROUGH)
    assert shown.exit_code == 1
    assert "✗ Bank reconciliation at 0.00: reserve:digital -10.00" in shown.stdout

    refused = mlc("period", "close", THROUGH)
    assert refused.exit_code == 3
    assert "closing checklist does not pass (reconciliation)" in refused.stderr
    assert closings(database) == []


def test_an_auditor_reads_the_checklist_and_closes_nothing(
    mlc: Mlc, books: Engine, database: Database
) -> None:
    add_user(database, "auditor", Role.AUDITOR)
    assert mlc("period", "checklist", THROUGH, actor="auditor").exit_code == 0
    assert mlc("period", "close", THROUGH, actor="auditor").exit_code == 5
    assert closings(database) == []


def test_a_day_not_over_cannot_be_closed(mlc: Mlc, books: Engine, database: Database) -> None:
    refused = mlc("period", "close", "2999-12-31")
    assert refused.exit_code == 2
    assert closings(database) == []


def test_the_fec_written_in_a_directory_is_named_siren_fec_closing_day(
    mlc: Mlc, books: Engine, tmp_path: Path
) -> None:
    result = mlc("export", "fec", str(tmp_path), "--siren", "732829320", "--to", "2026-12-31")
    assert result.exit_code == 0, result.output
    assert [path.name for path in tmp_path.iterdir()] == ["732829320FEC20261231.txt"]


def test_a_siren_whose_luhn_key_is_wrong_is_refused(
    mlc: Mlc, books: Engine, tmp_path: Path
) -> None:
    result = mlc("export", "fec", str(tmp_path), "--siren", "732829321")
    assert result.exit_code == 2
    assert "Luhn" in result.stderr
    assert list(tmp_path.iterdir()) == []
