"""``mlc offices`` and ``mlc membership`` on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from monnaie_locale.acts.offices import open_offices
from monnaie_locale.deployment import Deployment
from monnaie_locale.store import Database
from tests.cli.conftest import Mlc
from tests.cli.test_operations_convert import balance
from tests.cli.test_reserve import statement_csv
from tests.support import snapshot

pytest_plugins = ["tests.cli.test_operations_convert"]


@pytest.fixture
def till(mlc: Mlc, deployment: Deployment) -> Mlc:
    """The centre's till took 30 euros for a cash conversion."""
    result = mlc("convert", "cash", "alice", "30", "--office", "centre", "--key", "cash-1")
    assert result.exit_code == 0, result.output
    return mlc


def test_a_till_count_short_of_the_books_books_the_loss(
    till: Mlc, database: Database, association_funds: None
) -> None:
    closing = till.json("offices", "close-till", "centre", "--counted", "29,50", "--key", "close-1")

    assert closing["expected"] == 3000
    assert closing["counted"] == 2950
    assert balance(database, "office:centre:till") == -2950
    assert balance(database, "association:losses") == -50


def test_a_bad_count_is_refused_and_writes_nothing(till: Mlc, database: Database) -> None:
    before = snapshot(database)
    result = till("offices", "close-till", "centre", "--counted", "-3", "--key", "close-1")
    assert result.exit_code == 2
    assert snapshot(database) == before


def test_banking_the_till_moves_its_whole_cash_into_transit(till: Mlc, database: Database) -> None:
    deposit = till.json("offices", "bank", "centre", "--key", "bank-1")

    assert deposit["amount"] == 3000
    assert balance(database, "office:centre:till") == 0
    assert balance(database, "transit") == -3000

    received = till("offices", "received", str(deposit["id"]), "--bank-ref", "DEP-1")

    assert received.exit_code == 0, received.output
    assert balance(database, "transit") == 0


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_banking_prints_the_reference_by_which_the_statement_receives_the_cash(
    till: Mlc, database: Database, tmp_path: Path, lang: str
) -> None:
    banked = till("offices", "bank", "centre", "--key", "bank-1", lang=lang)
    assert banked.exit_code == 0, banked.output
    # The reference alone on the last line, as the bank will show it on the deposit.
    reference = banked.stdout.strip().splitlines()[-1]
    statement = statement_csv(
        tmp_path / "releve.csv", f"28/11/2026;28/11/2026;VERSEMENT ESPECES {reference};V1;;30,00"
    )

    imported = till("reserve", "import-statement", str(statement), "--format", "csv")

    assert imported.exit_code == 0, imported.output
    assert balance(database, "transit") == 0
    assert balance(database, "reserve:notes") == -3000


def test_banking_more_than_the_till_holds_is_refused(till: Mlc, database: Database) -> None:
    before = snapshot(database)
    result = till("offices", "bank", "centre", "--amount", "31", "--key", "bank-1")
    assert result.exit_code == 3
    assert snapshot(database) == before


def test_an_added_office_can_take_cash_at_once(mlc: Mlc, deployment: Deployment) -> None:
    assert mlc("offices", "add", "halles").exit_code == 0

    done = mlc.json("convert", "cash", "alice", "5", "--office", "halles", "--key", "c-1")

    assert done["office"] == "halles"


@pytest.fixture
def fees(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLC_MEMBERSHIP_FEES", '{"member": 1500}')


def test_a_paid_fee_shows_in_the_status_and_unpaid_ones_exit_1(
    till: Mlc, database: Database, fees: None
) -> None:
    unpaid = till("membership", "status", "--on", "2026-11-27", "--unpaid")
    assert unpaid.exit_code == 1
    assert "alice" in unpaid.stdout

    paid = till("membership", "pay", "alice", "--period", "2026", "--paid-in", "units",
                "--key", "fee-1")  # fmt: skip

    assert paid.exit_code == 0, paid.output
    assert balance(database, "alice") == 3000 - 1500
    status = till.json("membership", "status", "--on", "2026-11-27")
    assert [(s["account"], s["paid"]) for s in status] == [("alice", True)]
    assert till("membership", "status", "--on", "2026-11-27", "--unpaid").exit_code == 0


@pytest.mark.parametrize(
    ("lang", "paid_in", "shown"),
    [("fr", "units", "15,00 MLC"), ("fr", "euros", "15,00 EUR"), ("en", "euros", "15.00 EUR")],
)
def test_a_paid_fee_says_how_much_was_paid_and_in_what(
    till: Mlc, fees: None, lang: str, paid_in: str, shown: str
) -> None:
    paid = till("membership", "pay", "alice", "--period", "2026", "--paid-in", paid_in,
                "--key", "fee-1", lang=lang)  # fmt: skip

    assert paid.exit_code == 0, paid.output
    assert shown in paid.stdout
    assert till.json("membership", "pay", "alice", "--period", "2026", "--paid-in", paid_in,
                     "--key", "fee-1")["amount"] == 1500  # fmt: skip


def test_a_fee_paid_by_an_unknown_means_is_refused(
    till: Mlc, database: Database, fees: None
) -> None:
    before = snapshot(database)
    result = till("membership", "pay", "alice", "--period", "2026", "--paid-in", "cheese",
                  "--key", "fee-1")  # fmt: skip
    assert result.exit_code == 2
    assert snapshot(database) == before


# Closing an office for good ------------------------------------------------------------------


def test_an_office_whose_till_holds_cash_is_not_closed(till: Mlc, database: Database) -> None:
    before = snapshot(database)
    result = till("offices", "close", "centre")
    assert result.exit_code == 3, result.output
    assert "30.00 EUR in its till" in result.output
    assert "mlc offices bank" in result.output and "mlc notes return" in result.output
    assert snapshot(database) == before


def test_an_office_whose_stock_holds_notes_is_not_closed(
    mlc: Mlc, database: Database, deployment: Deployment
) -> None:
    printed = mlc("notes", "print", "--notes", "5x10", "--key", "print-1")
    assert printed.exit_code == 0, printed.output
    delivered = mlc("notes", "deliver", "--office", "centre", "--notes", "5x10", "--key", "d-1")
    assert delivered.exit_code == 0, delivered.output
    before = snapshot(database)

    result = mlc("offices", "close", "centre", lang="fr")
    assert result.exit_code == 3, result.output
    assert "0,00 EUR en caisse et 50,00 en billets" in result.output
    assert snapshot(database) == before


def test_an_emptied_office_closes_and_takes_no_more_operations(
    till: Mlc, database: Database
) -> None:
    # The till's 30 euros go to the bank first: EUR Dr transit 30 / Cr office:centre:till 30.
    assert till("offices", "bank", "centre", "--key", "bank-1").exit_code == 0
    assert balance(database, "office:centre:till") == 0

    closed = till.json("offices", "close", "centre")

    assert closed == {
        "office": "centre",
        "accounts": ["office:centre:till", "notes:office:centre"],
    }
    assert open_offices(database) == ()
    before = snapshot(database)
    refused = till("convert", "cash", "alice", "10", "--office", "centre", "--key", "cash-2")
    assert refused.exit_code != 0
    assert "closed" in refused.output
    again = till("offices", "close", "centre")
    assert again.exit_code == 3, again.output
    assert snapshot(database) == before
