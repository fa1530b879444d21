"""``mlc accounts``, ``mlc transfer`` and ``mlc reverse`` on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.messages import LANGUAGES, Messages
from monnaie_locale.model import AccountStatus
from monnaie_locale.money import format_amount
from monnaie_locale.operations.account_import import MESSAGES
from monnaie_locale.store import Database
from tests.cli.conftest import Mlc
from tests.engine import Engine
from tests.support import snapshot


def test_create_opens_an_account_with_the_given_limits(mlc: Mlc, ledger: Engine) -> None:
    created = mlc.json(
        "accounts", "create", "town:pool", "--kind", "authority", "--currency", "MLC",
        "--lower-limit", "-20,50", "--upper-limit", "1000", "--owner", "Mairie",
    )  # fmt: skip
    stored = ledger.account("town:pool")
    assert created["code"] == stored.code == "town:pool"
    assert stored.lower_limit == -2050
    assert stored.upper_limit == 100000
    assert stored.owner_ref == "Mairie"


def test_create_accepts_none_for_an_unbounded_account(mlc: Mlc, ledger: Engine) -> None:
    result = mlc("accounts", "create", "fund", "--kind", "association", "--currency", "EUR",
                 "--lower-limit", "none")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert ledger.account("fund").lower_limit is None


def test_create_refuses_a_system_account_which_the_set_up_opens(
    mlc: Mlc, ledger: Engine, database: Database
) -> None:
    before = snapshot(database)
    result = mlc("accounts", "create", "notes:vault", "--kind", "system", "--currency", "MLC")
    assert result.exit_code == 2
    assert "mlc init" in result.stderr
    assert snapshot(database) == before


def test_create_refuses_an_unknown_kind_and_opens_nothing(
    mlc: Mlc, ledger: Engine, database: Database
) -> None:
    before = snapshot(database)
    result = mlc("accounts", "create", "zed", "--kind", "alien", "--currency", "MLC")
    assert result.exit_code == 2
    assert snapshot(database) == before


def test_create_refuses_a_bad_limit_saying_how_to_write_one(
    mlc: Mlc, ledger: Engine, database: Database
) -> None:
    before = snapshot(database)
    result = mlc("accounts", "create", "zed", "--kind", "member", "--currency", "MLC",
                 "--lower-limit", "-12,505")  # fmt: skip
    assert result.exit_code == 2
    assert "none" in result.stderr
    assert snapshot(database) == before


def test_create_refuses_a_taken_code_as_a_conflict(mlc: Mlc, books: Engine) -> None:
    result = mlc("accounts", "create", "alice", "--kind", "member", "--currency", "MLC")
    assert result.exit_code == 3
    assert "alice" in result.stderr


def test_create_in_french_says_so_in_french(mlc: Mlc, ledger: Engine) -> None:
    result = mlc("accounts", "create", "alice", "--kind", "member", "--currency", "MLC", lang="fr")
    assert result.exit_code == 0
    assert "Compte alice ouvert" in result.stdout


def test_list_pages_through_accounts_with_a_cursor(mlc: Mlc, books: Engine) -> None:
    first = mlc.json("accounts", "list", "--limit", "2")
    assert len(first["accounts"]) == 2
    assert first["next_cursor"] is not None
    seen = [a["code"] for a in first["accounts"]]
    cursor = first["next_cursor"]
    while cursor is not None:
        page = mlc.json("accounts", "list", "--limit", "2", "--after", str(cursor))
        seen += [a["code"] for a in page["accounts"]]
        cursor = page["next_cursor"]
    expected = ["issuance", "external", "reserve:digital", "alice", "bob", "bakery"]
    assert seen == expected


def test_list_filters_by_kind(mlc: Mlc, books: Engine) -> None:
    page = mlc.json("accounts", "list", "--kind", "member")
    assert [a["code"] for a in page["accounts"]] == ["alice", "bob"]
    table = mlc("accounts", "list", "--kind", "business")
    assert "bakery" in table.stdout
    assert "alice" not in table.stdout


def test_show_gives_balance_held_available_and_last_postings(mlc: Mlc, books: Engine) -> None:
    books.place_hold("alice", "bakery", 500, idempotency_key="hold-1")
    shown = mlc.json("accounts", "show", "alice")
    assert shown["account"]["balance"] == 5000 - 1250
    assert shown["account"]["held"] == 500
    assert shown["account"]["available"] == 5000 - 1250 - 500
    assert [p["amount"] for p in shown["postings"]] == [-1250, 5000]
    table = mlc("accounts", "show", "alice", lang="fr")
    assert "37,50" in table.stdout
    assert "pain" in table.stdout


def test_show_of_an_unknown_account_says_how_to_find_one(mlc: Mlc, books: Engine) -> None:
    result = mlc("accounts", "show", "nobody")
    assert result.exit_code == 2
    assert "mlc accounts list" in result.stderr


def test_freeze_stops_payments_until_unfreeze(mlc: Mlc, books: Engine, database: Database) -> None:
    assert mlc("accounts", "freeze", "alice").exit_code == 0
    assert books.account("alice").status is AccountStatus.FROZEN
    before = snapshot(database)
    refused = mlc("transfer", "alice", "bakery", "1", "--key", "while-frozen")
    assert refused.exit_code == 3
    assert "unfreeze" in refused.stderr
    assert snapshot(database) == before
    assert mlc("accounts", "unfreeze", "alice").exit_code == 0
    assert mlc("transfer", "alice", "bakery", "1", "--key", "after-thaw").exit_code == 0


def test_close_refuses_an_account_that_still_holds_money(
    mlc: Mlc, books: Engine, database: Database
) -> None:
    before = snapshot(database)
    result = mlc("accounts", "close", "alice")
    assert result.exit_code == 3
    assert snapshot(database) == before
    # Said as people write amounts, never in the ledger's minor units.
    assert format_amount(books.account("alice").balance) in result.stderr
    assert "minor" not in result.stderr


def test_close_closes_an_empty_account(mlc: Mlc, books: Engine) -> None:
    assert mlc("transfer", "bob", "bakery", "3", "--key", "empty-bob").exit_code == 0
    result = mlc("accounts", "close", "bob", "--json")
    assert result.exit_code == 0, result.output
    assert books.account("bob").status is AccountStatus.CLOSED


def test_transfer_parses_a_comma_amount_and_moves_it(mlc: Mlc, books: Engine) -> None:
    before = books.account("bob").balance
    moved = mlc.json("transfer", "alice", "bob", "2,05", "--key", "t-1", "--memo", "coffee")
    assert books.account("bob").balance == before + 205
    assert moved["memo"] == "coffee"


def test_transfer_retried_with_its_key_posts_once(mlc: Mlc, books: Engine) -> None:
    first = mlc.json("transfer", "alice", "bob", "1", "--key", "same")
    again = mlc.json("transfer", "alice", "bob", "1", "--key", "same")
    assert first["id"] == again["id"]
    assert books.account("bob").balance == 300 + 100


def test_transfer_refuses_a_bad_amount_and_writes_nothing(
    mlc: Mlc, books: Engine, database: Database
) -> None:
    before = snapshot(database)
    result = mlc("transfer", "alice", "bob", "1e3", "--key", "bad")
    assert result.exit_code == 2
    assert "12.50" in result.stderr
    assert snapshot(database) == before


def test_transfer_beyond_the_balance_is_refused_with_what_is_available(
    mlc: Mlc, books: Engine, database: Database
) -> None:
    before = snapshot(database)
    result = mlc("transfer", "bob", "alice", "100", "--key", "too-much", lang="fr")
    assert result.exit_code == 3
    assert "3,00" in result.stderr
    assert snapshot(database) == before


def test_reverse_posts_the_opposite_once(mlc: Mlc, books: Engine) -> None:
    paid = mlc.json("transfer", "alice", "bob", "4", "--key", "to-undo")
    reversal = mlc.json("reverse", str(paid["id"]), "--key", "undo")
    assert reversal["reverses"] == paid["id"]
    assert books.account("bob").balance == 300
    again = mlc("reverse", str(paid["id"]), "--key", "undo-again")
    assert again.exit_code == 3


def test_show_prints_memos_as_typed_even_with_brackets(mlc: Mlc, books: Engine) -> None:
    books.transfer("alice", "bob", 100, idempotency_key="brackets", memo="[urgent] [/b] loan")
    result = mlc("accounts", "show", "bob")
    assert result.exit_code == 0, result.output
    assert "[urgent] [/b] loan" in result.stdout


def test_create_names_the_account_as_payers_will_see_it(mlc: Mlc, ledger: Engine) -> None:
    created = mlc.json("accounts", "create", "bakery2", "--kind", "business", "--currency", "MLC",
                       "--name", "Boulangerie Etchegaray")  # fmt: skip
    assert created["display_name"] == ledger.account("bakery2").display_name
    assert created["display_name"] == "Boulangerie Etchegaray"


def test_create_refuses_a_name_with_a_line_break_and_opens_nothing(
    mlc: Mlc, ledger: Engine, database: Database
) -> None:
    before = snapshot(database)
    result = mlc("accounts", "create", "bakery2", "--kind", "business", "--currency", "MLC",
                 "--name", "Boulangerie\nEtchegaray")  # fmt: skip
    assert result.exit_code != 0
    assert "display name" in result.output
    assert snapshot(database) == before


def test_rename_changes_the_name_payers_see(mlc: Mlc, books: Engine) -> None:
    renamed = mlc.json("accounts", "rename", "bakery", "Boulangerie Etchegaray")
    assert renamed["display_name"] == "Boulangerie Etchegaray"
    assert books.account("bakery").display_name == "Boulangerie Etchegaray"
    result = mlc("accounts", "rename", "bakery", "Ogi Beroa", lang="fr")
    assert result.exit_code == 0, result.output
    assert "« Ogi Beroa »" in result.stdout
    assert books.account("bakery").display_name == "Ogi Beroa"


def test_rename_clear_shows_the_code_again(mlc: Mlc, books: Engine) -> None:
    mlc.json("accounts", "rename", "bakery", "Boulangerie Etchegaray")
    result = mlc("accounts", "rename", "bakery", "--clear")
    assert result.exit_code == 0, result.output
    assert "name removed" in result.stdout
    assert books.account("bakery").display_name is None


@pytest.mark.parametrize(
    "args",
    [("Boulangerie\nEtchegaray",), ("\u202eyrekab",), (" Ogi",), ("Ogi", "--clear"), ()],
    ids=["line-break", "bidi", "outer-space", "name-and-clear", "neither"],
)
def test_rename_refuses_a_bad_name_and_keeps_the_old_one(
    mlc: Mlc, books: Engine, args: tuple[str, ...]
) -> None:
    mlc.json("accounts", "rename", "bakery", "Boulangerie Etchegaray")
    result = mlc("accounts", "rename", "bakery", *args)
    assert result.exit_code == 2, result.output
    assert books.account("bakery").display_name == "Boulangerie Etchegaray"


def test_rename_of_an_unknown_account_says_so(mlc: Mlc, books: Engine) -> None:
    result = mlc("accounts", "rename", "nowhere", "Nulle part")
    assert result.exit_code == 2
    assert "nowhere" in result.stderr


def test_import_reads_display_names(mlc: Mlc, ledger: Engine, tmp_path: Path) -> None:
    path = tmp_path / "adherents.csv"
    path.write_text(
        "code;kind;currency;owner;lower_limit;display_name\n"
        "bakery;business;MLC;P-0107;0;Boulangerie Etchegaray\n"
        "carol;member;MLC;M-0042;0;\n",
        encoding="utf-8",
    )
    result = mlc("accounts", "import", str(path))
    assert result.exit_code == 0, result.output
    assert ledger.account("bakery").display_name == "Boulangerie Etchegaray"
    assert ledger.account("carol").display_name is None


def test_every_import_problem_is_worded_in_both_languages() -> None:
    for key in MESSAGES:
        assert all(Messages(lang).has(f"import.p.{key}") for lang in LANGUAGES), key


# Balances from the holder's side -------------------------------------------------------------


def _line_of(output: str, code: str) -> str:
    return next(line for line in output.splitlines() if f" {code} " in f" {line} ")


def test_the_reserve_reads_the_euros_it_holds_in_listings(mlc: Mlc, books: Engine) -> None:
    # Alice converted 50 €: EUR Dr reserve:digital 50 / Cr external 50. The ledger keeps
    # -50.00 on the reserve (credits positive); the treasurer reads 50.00 in it.
    assert books.account("reserve:digital").balance == -5000
    listed = mlc("accounts", "list")
    assert listed.exit_code == 0, listed.output
    row = _line_of(listed.output, "reserve:digital")
    assert "50.00" in row and "-50.00" not in row
    # Alice's units read as before, positive: 50 - 12.50 paid to the bakery.
    assert "37.50" in _line_of(listed.output, "alice")


def test_showing_the_reserve_gives_its_balance_and_postings_from_its_side(
    mlc: Mlc, books: Engine
) -> None:
    shown = mlc("accounts", "show", "reserve:digital", lang="fr")
    assert shown.exit_code == 0, shown.output
    assert "-50,00" not in shown.output
    assert shown.output.count("50,00") >= 3  # the balance, the posting and its balance after
    raw = mlc.json("accounts", "show", "reserve:digital")
    # Scripts keep the ledger's signed figure, and get the holder's beside it.
    assert raw["account"]["balance"] == -5000
    assert raw["account"]["holder_balance"] == 5000
