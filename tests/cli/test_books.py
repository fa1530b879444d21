"""``mlc chart`` and ``mlc report`` on SQLite and PostgreSQL: the tables people read, in
French and English, and the CSV and JSON tools read."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import Connection

from monnaie_locale.config import load_settings
from monnaie_locale.deployment import Deployment, create_system_accounts, open_holder_account
from monnaie_locale.deployment import from_settings as build_deployment
from monnaie_locale.model import AccountKind
from monnaie_locale.operations.funds import receive_association_funds
from monnaie_locale.store import Database
from tests.cli.conftest import Mlc
from tests.conftest import SteppingClock


@pytest.fixture
def deployment(database: Database, clock: SteppingClock) -> Deployment:
    """A deployment whose association received 120 € of grants and 30 € of other income."""
    built = build_deployment(load_settings())

    def set_up(conn: Connection) -> None:
        create_system_accounts(conn, built, now=clock())
        open_holder_account(conn, built, "alice", kind=AccountKind.MEMBER, now=clock())
        for amount, income, key in ((12000, "income:grants", "g"), (3000, "income:other", "o")):
            receive_association_funds(
                conn, amount=amount, memo="funds", idempotency_key=key, clock=clock, income=income
            )

    database.write(set_up)
    return built


def test_the_report_shows_the_income_statement_and_a_balanced_sheet(
    mlc: Mlc, deployment: Deployment
) -> None:
    result = mlc("report", "--from", "2026-11-01", "--to", "2026-11-30", lang="fr")

    assert result.exit_code == 0, result.output
    assert "Compte de résultat, 2026-11-01 – 2026-11-30" in result.stdout
    assert "Subventions d'exploitation" in result.stdout
    assert "150,00" in result.stdout  # the result, and the operating account's balance
    assert "Bilan à la fin du 2026-11-30" in result.stdout


def test_the_report_as_csv_and_json_gives_the_same_figures(
    mlc: Mlc, deployment: Deployment
) -> None:
    as_csv = mlc("report", "--format", "csv")
    as_json = mlc("report", "--format", "json")

    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    income = {row["number"]: row["amount"] for row in rows if row["section"] == "income"}
    assert income == {"740000": "120.00", "758000": "30.00"}
    data = json.loads(as_json.stdout)
    assert data["income_statement"]["result"] == "150.00"
    sheet = data["balance_sheet"]
    assert sheet["assets"] == [
        {"number": "512300", "label": "Banque - compte de fonctionnement", "amount": "150.00"}
    ]
    assert (sheet["total_assets"], sheet["total_liabilities"], sheet["balanced"]) == (
        "150.00",
        "150.00",
        True,
    )


def test_a_bad_day_is_refused_before_anything_is_read(mlc: Mlc, deployment: Deployment) -> None:
    result = mlc("report", "--from", "2026-13-01")

    assert result.exit_code == 2
    assert "2026-13-01" in result.output


def test_the_chart_shows_each_account_and_the_associations_rules(
    mlc: Mlc, deployment: Deployment
) -> None:
    set_rule = mlc("chart", "set", "income:grants", "741000", "Subventions de la commune")
    shown = mlc("chart", "show", lang="fr")
    as_json = json.loads(mlc("chart", "show", "--json").stdout)

    assert set_rule.exit_code == 0, set_rule.output
    assert "741000" in set_rule.stdout
    assert shown.exit_code == 0, shown.output
    assert "règle de l'association" in shown.stdout
    assert "Subventions de la commune" in shown.stdout
    by_code = {line["code"]: line for line in as_json["accounts"]}
    assert (by_code["income:grants"]["number"], by_code["income:grants"]["source"]) == (
        "741000",
        "association",
    )
    assert by_code["income:membership"]["number"] == "756000"
    report = json.loads(mlc("report", "--format", "json").stdout)
    assert {line["number"] for line in report["income_statement"]["income"]} == {
        "741000",
        "758000",
    }

    removed = mlc("chart", "unset", "income:grants")

    assert removed.exit_code == 0, removed.output
    again = json.loads(mlc("chart", "show", "--json").stdout)
    assert again["rules"] == []
