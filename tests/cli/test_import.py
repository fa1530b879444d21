"""``mlc accounts import``: every problem listed with its line, and all or nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monnaie_locale.model import AccountKind
from monnaie_locale.store import Database
from tests.cli.conftest import Mlc
from tests.engine import Engine
from tests.support import snapshot

GOOD = (
    "code,kind,currency,owner,lower_limit\n"
    "alice,member,MLC,M-0001,0\n"
    "bakery,business,MLC,Boulangerie Dupré,-50\n"
    "town:pool,authority,MLC,Mairie,\n"
)


def write(tmp_path: Path, content: str | bytes, name: str = "members.csv") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def problems(mlc: Mlc, path: Path) -> list[dict[str, object]]:
    result = mlc("accounts", "import", str(path), "--json")
    assert result.exit_code == 2, result.output
    found: list[dict[str, object]] = json.loads(result.stdout)["problems"]
    return found


def test_import_opens_every_account_of_the_file(mlc: Mlc, ledger: Engine, tmp_path: Path) -> None:
    result = mlc("accounts", "import", str(write(tmp_path, GOOD)))
    assert result.exit_code == 0, result.output
    assert ledger.account("alice").owner_ref == "M-0001"
    assert ledger.account("bakery").lower_limit == -5000
    assert ledger.account("bakery").owner_ref == "Boulangerie Dupré"
    assert ledger.account("town:pool").kind is AccountKind.AUTHORITY
    assert ledger.account("town:pool").lower_limit == 0


def test_import_reads_semicolons_and_a_byte_order_mark(
    mlc: Mlc, ledger: Engine, tmp_path: Path
) -> None:
    content = "\ufeff" + GOOD.replace(",", ";").replace("-50", "-12,50")
    result = mlc("accounts", "import", str(write(tmp_path, content)))
    assert result.exit_code == 0, result.output
    assert ledger.account("bakery").lower_limit == -1250


def test_dry_run_checks_and_writes_nothing(
    mlc: Mlc, ledger: Engine, database: Database, tmp_path: Path
) -> None:
    before = snapshot(database)
    result = mlc("accounts", "import", str(write(tmp_path, GOOD)), "--dry-run", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"dry_run": True, "accounts": 3, "problems": []}
    assert snapshot(database) == before


def test_a_missing_column_is_named_and_nothing_is_written(
    mlc: Mlc, ledger: Engine, database: Database, tmp_path: Path
) -> None:
    before = snapshot(database)
    path = write(tmp_path, "code,kind,owner,lower_limit\nalice,member,M-1,0\n")
    found = problems(mlc, path)
    assert [(p["line"], p["column"]) for p in found] == [(1, "currency")]
    assert snapshot(database) == before


def test_a_code_twice_in_the_file_points_at_both_lines(
    mlc: Mlc, ledger: Engine, database: Database, tmp_path: Path
) -> None:
    before = snapshot(database)
    path = write(tmp_path, GOOD + "alice,member,MLC,M-0002,0\n")
    found = problems(mlc, path)
    assert [(p["line"], p["column"]) for p in found] == [(5, "code")]
    assert "line 2" in str(found[0]["problem"])
    assert snapshot(database) == before


def test_a_code_already_in_the_ledger_is_refused_and_nothing_is_written(
    mlc: Mlc, books: Engine, database: Database, tmp_path: Path
) -> None:
    before = snapshot(database)
    path = write(tmp_path, GOOD.replace("alice", "carol"))  # bakery is taken
    found = problems(mlc, path)
    assert [(p["line"], p["column"]) for p in found] == [(3, "code")]
    assert snapshot(database) == before


def test_a_file_not_in_utf8_is_refused_with_the_line_and_what_to_do(
    mlc: Mlc, ledger: Engine, database: Database, tmp_path: Path
) -> None:
    before = snapshot(database)
    path = write(tmp_path, GOOD.encode("latin-1"))
    result = mlc("accounts", "import", str(path))
    assert result.exit_code == 2
    assert "--encoding latin-1" in result.stdout
    found = problems(mlc, path)
    assert [p["line"] for p in found] == [3]  # "Dupré" is on line 3
    assert snapshot(database) == before


def test_the_encoding_option_reads_a_latin1_file(mlc: Mlc, ledger: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.encode("latin-1"))
    result = mlc("accounts", "import", str(path), "--encoding", "latin-1")
    assert result.exit_code == 0, result.output
    assert ledger.account("bakery").owner_ref == "Boulangerie Dupré"


def test_unknown_kind_and_currency_and_bad_numbers_are_all_listed(
    mlc: Mlc, ledger: Engine, database: Database, tmp_path: Path
) -> None:
    before = snapshot(database)
    content = (
        "code,kind,currency,owner,lower_limit,upper_limit\n"
        "alice,member,MLC,,0,\n"
        "bob,alien,MLC,,0,\n"
        "carol,member,XYZ,,0,\n"
        "dave,member,MLC,,douze,\n"
        "erin,member,MLC,,5,\n"
        "fred,member,MLC,,0,-3\n"
        "gina,member,MLC\n"
    )
    found = problems(mlc, write(tmp_path, content))
    assert [(p["line"], p["column"]) for p in found] == [
        (3, "kind"),
        (4, "currency"),
        (5, "lower_limit"),
        (6, "lower_limit"),
        (7, "upper_limit"),
        (8, None),
    ]
    assert snapshot(database) == before


@pytest.mark.parametrize(
    "content",
    ["", "\n\n", " ,code\n"],
    ids=["empty", "blank-lines", "no-usable-header"],
)
def test_a_file_without_a_header_is_refused(
    mlc: Mlc, ledger: Engine, database: Database, tmp_path: Path, content: str
) -> None:
    before = snapshot(database)
    found = problems(mlc, write(tmp_path, content))
    assert found
    assert all(p["line"] == 1 for p in found)
    assert snapshot(database) == before


def test_the_problems_table_names_lines_in_french(mlc: Mlc, ledger: Engine, tmp_path: Path) -> None:
    result = mlc("accounts", "import", str(write(tmp_path, GOOD + "bob,alien,MLC,,0\n")), lang="fr")
    assert result.exit_code == 2
    assert "type inconnu 'alien'" in result.stdout
    assert "rien n'a été importé" in result.stderr


def test_a_missing_file_is_refused(mlc: Mlc, ledger: Engine, tmp_path: Path) -> None:
    result = mlc("accounts", "import", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2
    assert "nope.csv" in result.stderr
