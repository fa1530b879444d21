"""``mlc town-statement``: a table on screen, a CSV or a PDF file, refused by duty."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import Result

from cli.errors import ExitCode
from monnaie_locale.money import parse_amount
from tests.authorities import town_year as ty
from tests.authorities.town import POOL, POOL_ACCOUNT, TOWN
from tests.engine import Engine

if TYPE_CHECKING:
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges", "tests.authorities.year_fixtures"]


@pytest.fixture
def mlc(town_year: ty.TownYear, fronts: Fronts) -> Callable[..., Result]:
    """``mlc`` on the town's books, acting as the administrator unless told otherwise."""

    def run(*args: str, actor: str = "admin", lang: str = "en") -> Result:
        return fronts.mlc(*args, actor=actor, lang=lang)

    return run


def test_the_table_shows_the_year_in_the_runs_language(
    town_year: ty.TownYear,
    mlc: Callable[..., Result],
) -> None:
    french = mlc("town-statement", "regie", POOL, "2026", lang="fr", actor="regisseur")
    assert french.exit_code == 0, french.output
    assert "2026-000003" in french.stdout and "Versements au comptable public" in french.stdout
    assert "Solde au 31 décembre\u00a0: 4,50 MLC" in french.stdout
    assert "en cours de paiement au Trésor\u00a0: 7,50" in french.stdout
    english = mlc("town-statement", "authority", TOWN, "2026", actor="comptable")
    assert english.exit_code == 0, english.output
    assert "B-2026-31/341" in english.stdout and "011/6068/413" in english.stdout
    assert "Balance on 31 December: 130.00 MLC" in english.stdout


def test_csv_and_pdf_files_are_written_whole(
    town_year: ty.TownYear,
    mlc: Callable[..., Result],
    tmp_path: Path,
) -> None:
    target = tmp_path / "piscine.csv"
    done = mlc("town-statement", "regie", POOL, "2026", "--format", "csv", "-o", str(target))
    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8")), delimiter=","))
    paid_in = [parse_amount(r["debit"]) for r in rows if r["section"] == "versement"]
    assert paid_in == [ty.POOL_VERSEMENT_2026]
    [closing] = [r for r in rows if r["section"] == "closing"]
    assert parse_amount(closing["balance"]) == ty.POOL_CLOSING_2026

    pdf = tmp_path / "bayonne.pdf"
    done = mlc("town-statement", "authority", TOWN, "2026", "--format", "pdf", "-o", str(pdf))
    assert done.exit_code == 0, done.output
    assert pdf.read_bytes().startswith(b"%PDF")
    # No partial file left beside them.
    assert {p.name for p in tmp_path.iterdir()} == {"piscine.csv", "bayonne.pdf"}


def test_people_without_the_duty_are_refused_and_nothing_is_written(
    town_year: ty.TownYear,
    mlc: Callable[..., Result],
    tmp_path: Path,
) -> None:
    target = tmp_path / "x.csv"
    for who, command in (("mandataire", "regie"), ("ordonnateur", "authority")):
        code = POOL if command == "regie" else TOWN
        args = ("town-statement", command, code, "2026", "--format", "csv", "-o", str(target))
        refused = mlc(*args, actor=who)
        assert refused.exit_code == ExitCode.FORBIDDEN, refused.output
        assert code in refused.output
    assert not target.exists()


def test_a_table_is_not_written_to_a_file(
    town_year: ty.TownYear,
    mlc: Callable[..., Result],
    tmp_path: Path,
) -> None:
    refused = mlc("town-statement", "regie", POOL, "2026", "-o", str(tmp_path / "t.txt"))
    assert refused.exit_code == ExitCode.BAD_INPUT
    assert "--format csv" in refused.output
    assert list(tmp_path.iterdir()) == []


def test_a_statement_that_does_not_tie_is_refused_with_the_difference(
    town_year: ty.TownYear,
    mlc: Callable[..., Result],
) -> None:
    engine = Engine(town_year.fronts.database, clock=town_year.clock)
    engine.transfer("alice", POOL_ACCOUNT, 700, idempotency_key="no-receipt")
    refused = mlc("town-statement", "regie", POOL, "2027", lang="fr")
    assert refused.exit_code == ExitCode.REFUSED, refused.output
    assert "7,50" in refused.output and "14,50" in refused.output
