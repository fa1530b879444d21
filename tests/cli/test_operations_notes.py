"""``mlc notes`` on SQLite and PostgreSQL: notes from the printer to the public."""

from __future__ import annotations

import pytest

from monnaie_locale.deployment import Deployment
from monnaie_locale.store import Database
from tests.cli.conftest import Mlc
from tests.cli.test_operations_convert import balance
from tests.support import snapshot

pytest_plugins = ["tests.cli.test_operations_convert"]


@pytest.fixture
def printed(mlc: Mlc, deployment: Deployment) -> Mlc:
    """Ten 20 notes printed into the vault."""
    result = mlc("notes", "print", "--notes", "10x20", "--key", "print-1")
    assert result.exit_code == 0, result.output
    return mlc


def test_printed_notes_wait_in_the_vault_outside_circulation(
    printed: Mlc, database: Database
) -> None:
    assert balance(database, "notes:vault") == 10 * 2000
    assert balance(database, "notes:circulation") == 0


def test_delivered_then_sold_notes_enter_circulation_and_the_till_takes_the_cash(
    printed: Mlc, database: Database
) -> None:
    delivered = printed("notes", "deliver", "--office", "centre", "--notes", "5x20", "--key", "d-1")
    assert delivered.exit_code == 0, delivered.output

    sold = printed.json("notes", "sell", "--office", "centre", "--notes", "2x20", "--key", "s-1")

    assert sold["amount"] == 2 * 2000
    assert balance(database, "notes:vault") == 5 * 2000
    assert balance(database, "notes:office:centre") == 3 * 2000
    assert balance(database, "notes:circulation") == 2 * 2000
    assert balance(database, "office:centre:till") == -2 * 2000


def test_notes_deposited_at_an_office_credit_the_account(printed: Mlc, database: Database) -> None:
    printed("notes", "deliver", "--office", "centre", "--notes", "5x20", "--key", "d-1")
    printed("notes", "sell", "--office", "centre", "--notes", "3x20", "--key", "s-1")
    # The cash of the sale reaches the notes' reserve account, which pays for the deposit.
    deposit = printed.json("offices", "bank", "centre", "--key", "bank-1")
    printed("offices", "received", str(deposit["id"]), "--bank-ref", "DEP-1")

    result = printed("notes", "deposit", "--office", "centre", "--account", "alice",
                     "--notes", "1x20", "--key", "dep-1")  # fmt: skip

    assert result.exit_code == 0, result.output
    assert balance(database, "alice") == 2000
    assert balance(database, "notes:circulation") == 2 * 2000
    assert balance(database, "reserve:notes") == -(3 - 1) * 2000


@pytest.mark.parametrize("item", ["10x", "x20", "0x20", "3x0", "3x20,505", "three"])
def test_a_malformed_bundle_is_refused_and_writes_nothing(
    printed: Mlc, database: Database, item: str
) -> None:
    before = snapshot(database)
    result = printed("notes", "deliver", "--office", "centre", "--notes", item, "--key", "d-1")
    assert result.exit_code == 2
    assert item in result.stderr
    assert snapshot(database) == before


def test_delivering_more_notes_than_the_vault_holds_is_refused_and_moves_none(
    printed: Mlc, database: Database
) -> None:
    before = snapshot(database)
    result = printed("notes", "deliver", "--office", "centre", "--notes", "11x20", "--key", "d-1")
    assert result.exit_code == 3
    assert snapshot(database) == before


def test_a_denomination_the_deployment_does_not_print_is_refused(
    printed: Mlc, database: Database
) -> None:
    before = snapshot(database)
    result = printed("notes", "print", "--notes", "4x3", "--key", "print-2")
    assert result.exit_code == 2
    assert snapshot(database) == before


def test_lost_then_found_notes_return_to_their_stock(
    printed: Mlc, database: Database, association_funds: None
) -> None:
    assert (
        printed("notes", "lose", "--place", "vault", "--notes", "1x20", "--key", "l-1").exit_code
        == 0
    )
    assert balance(database, "notes:vault") == 9 * 2000

    found = printed("notes", "find", "--place", "vault", "--notes", "1x20", "--key", "f-1")

    assert found.exit_code == 0, found.output
    assert balance(database, "notes:vault") == 10 * 2000


def test_destroyed_notes_leave_the_books(printed: Mlc, database: Database) -> None:
    issued = balance(database, "issuance")
    result = printed("notes", "destroy", "--place", "vault", "--notes", "4x20", "--key", "x-1")
    assert result.exit_code == 0, result.output
    assert balance(database, "notes:vault") == 6 * 2000
    assert balance(database, "issuance") == issued + 4 * 2000


def test_the_office_stock_is_shown_as_typed_never_as_an_emoji(printed: Mlc) -> None:
    # Rich reads ``:office:`` as an emoji code unless told not to.
    printed("notes", "deliver", "--office", "centre", "--notes", "1x20", "--key", "d-1")

    listed = printed("accounts", "list", "--limit", "100")
    shown = printed("accounts", "show", "notes:office:centre")
    missing = printed("accounts", "show", "notes:office:nowhere")

    assert listed.exit_code == shown.exit_code == 0, listed.output + shown.output
    assert "notes:office:centre" in listed.stdout
    assert "notes:office:centre" in shown.stdout
    assert "notes:office:nowhere" in missing.stderr
    assert "\N{OFFICE BUILDING}" not in listed.output + shown.output + missing.output
