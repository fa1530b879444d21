"""The yearly statements as files: the CSV read back gives the statement's totals, and the
PDF is a PDF that names the régie and prints the same balances."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from typing import TYPE_CHECKING

import pytest
from pypdf import PdfReader

from monnaie_locale.acts import authority_statements as statements
from monnaie_locale.auth import Role
from monnaie_locale.money import parse_amount
from tests.authorities import town_year as ty
from tests.authorities.town import POOL, TOWN

if TYPE_CHECKING:
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges", "tests.authorities.year_fixtures"]


def read_back(data: bytes, delimiter: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8")), delimiter=delimiter))


def amount(text: str) -> int:
    return parse_amount(text) if text else 0


def sums(rows: list[dict[str, str]], section: str, column: str) -> int:
    return sum(amount(row[column]) for row in rows if row["section"] == section)


def totals(rows: list[dict[str, str]]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        if row["section"] == "total":
            for column in ("debit", "credit", "fee", "euros"):
                found[row["object"]][column] = amount(row[column])
    return found


@pytest.mark.parametrize(("style", "delimiter"), [("fr", ";"), ("en", ",")])
def test_a_regie_csv_reads_back_to_the_statement(
    town_year: ty.TownYear, fronts: Fronts, style: str, delimiter: str
) -> None:
    found = statements.regie_statement(fronts.context(Role.AUDITOR), POOL, 2026)
    rows = read_back(statements.statement_csv(found, style=style), delimiter)  # type: ignore[arg-type]

    [opening] = [row for row in rows if row["section"] == "opening"]
    [closing] = [row for row in rows if row["section"] == "closing"]
    assert amount(opening["balance"]) == ty.POOL_OPENING_2026
    assert amount(closing["balance"]) == ty.POOL_CLOSING_2026
    collected = sums(rows, "quittance", "credit")
    paid_in = sums(rows, "versement", "debit")
    assert collected == sum(ty.POOL_QUITTANCES_2026) == totals(rows)["quittances"]["credit"]
    assert paid_in == ty.POOL_VERSEMENT_2026 == totals(rows)["versements"]["debit"]
    assert sums(rows, "quittance", "euros") == ty.POOL_EUROS_2026
    [transit] = [row for row in rows if row["section"] == "opening_in_transit"]
    assert amount(transit["balance"]) == ty.POOL_IN_TRANSIT_2026
    assert not [row for row in rows if row["section"] == "closing_in_transit"]
    assert amount(opening["balance"]) - amount(transit["balance"]) + collected - paid_in == (
        amount(closing["balance"])
    )
    assert [row["number"] for row in rows if row["section"] == "quittance"] == [
        "2026-000001",
        "2026-000002",
        "2026-000003",
    ]


def test_an_authority_csv_reads_back_to_the_statement(
    town_year: ty.TownYear, fronts: Fronts
) -> None:
    found = statements.authority_statement(fronts.context(Role.AUDITOR), TOWN, 2026)
    rows = read_back(statements.statement_csv(found), ";")

    mandated = sums(rows, "mandate", "debit")
    assert mandated == sum(ty.TOWN_MANDATES_2026) == totals(rows)["mandates"]["debit"]
    assert sums(rows, "movement", "credit") == ty.TOWN_GIFT_2026
    assert [
        (row["exercice"], row["chapitre"], row["article"], row["fonction"])
        for row in rows
        if row["section"] == "mandate"
    ] == [("2025", "011", "6068", "413"), ("2026", "011", "6068", "413")]
    [closing] = [row for row in rows if row["section"] == "closing"]
    assert amount(closing["balance"]) == ty.TOWN_CLOSING_2026


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_regie_pdf_names_the_regie_and_prints_its_balances(
    town_year: ty.TownYear, fronts: Fronts
) -> None:
    found = statements.regie_statement(fronts.context(Role.AUDITOR), POOL, 2026)

    french = pdf_text(statements.statement_pdf(found))
    assert "Piscine municipale" in french and "État annuel de la régie" in french
    assert "2026-000003" in french
    assert re.search(r"Solde au 1er janvier\s+10,50\s+MLC", french)
    assert re.search(r"dont versements préparés, en cours de paiement au Trésor\s+7,50", french)
    assert re.search(r"Solde au 31 décembre\s+4,50\s+MLC", french)
    english = pdf_text(statements.statement_pdf(found, lang="en"))
    assert "Yearly statement" in english
    assert re.search(r"Balance on 31 December\s+4.50\s+MLC", english)


def test_an_authority_pdf_prints_its_mandates(town_year: ty.TownYear, fronts: Fronts) -> None:
    found = statements.authority_statement(fronts.context(Role.AUDITOR), TOWN, 2026)
    text = pdf_text(statements.statement_pdf(found))
    assert "Ville de Bayonne" in text and "B-2026-31/341" in text and "011/6068/413" in text
    assert "Total (2)" in text  # not cut: the first column holds it
    assert "130,00" in text  # the closing balance
