"""The yearly statements over HTTP: JSON, CSV and PDF from one route, refused by duty."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from monnaie_locale.auth import find_user, issue_token
from monnaie_locale.money import parse_amount
from tests.authorities import town_year as ty
from tests.authorities.town import POOL, TOWN

if TYPE_CHECKING:
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges", "tests.authorities.year_fixtures"]

Api = tuple[TestClient, dict[str, dict[str, str]]]


@pytest.fixture
def town_world(town_year: ty.TownYear, fronts: Fronts) -> Api:
    """The API, and a token of each of the town's people (and the auditor), issued now."""
    names = [*town_year.town.user_ids, "auditor"]

    def issue(conn):  # type: ignore[no-untyped-def]
        found = {}
        for name in names:
            user = find_user(conn, name)
            assert user is not None
            token = issue_token(conn, user.id, now=town_year.clock(), ttl=timedelta(hours=1))
            found[name] = {"Authorization": f"Bearer {token.token}"}
        return found

    return fronts.ops.client, fronts.database.write(issue)


def test_a_regie_statement_in_json_csv_and_pdf(
    town_world: Api,
) -> None:
    client, auth = town_world
    url = f"/v1/regies/{POOL}/statements/2026"

    answer = client.get(url, headers=auth["regisseur"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert parse_amount(body["opening"]) == ty.POOL_OPENING_2026
    assert parse_amount(body["closing"]) == ty.POOL_CLOSING_2026
    assert parse_amount(body["in_transit_opening"]) == ty.POOL_IN_TRANSIT_2026
    assert [q["number"] for q in body["quittances"]] == [
        "2026-000001",
        "2026-000002",
        "2026-000003",
    ]

    answer = client.get(url, params={"format": "csv"}, headers=auth["comptable"])
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert 'filename="bayonne-piscine-2026.csv"' in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text), delimiter=";"))
    credits = [parse_amount(r["credit"]) for r in rows if r["section"] == "quittance"]
    assert sum(credits) == sum(ty.POOL_QUITTANCES_2026)

    answer = client.get(url, params={"format": "pdf"}, headers=auth["finances"])
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    assert answer.headers["content-type"] == "application/pdf"


def test_an_authority_statement_over_http(
    town_world: Api,
) -> None:
    client, auth = town_world
    answer = client.get(f"/v1/authorities/{TOWN}/statements/2026", headers=auth["auditor"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [m["amount"] for m in body["mandates"]] == ["20.00", "45.00"]
    assert parse_amount(body["opening"]) == ty.TOWN_OPENING_2026
    assert parse_amount(body["closing"]) == ty.TOWN_CLOSING_2026


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("mandataire", f"/v1/regies/{POOL}/statements/2026"),
        ("ordonnateur", f"/v1/regies/{POOL}/statements/2026?format=pdf"),
        ("regisseur", f"/v1/authorities/{TOWN}/statements/2026?format=csv"),
    ],
)
def test_people_without_the_duty_get_403(town_world: Api, name: str, path: str) -> None:
    client, auth = town_world
    answer = client.get(path, headers=auth[name])
    assert answer.status_code == 403
    assert answer.json()["code"] == "not_your_regie"


def test_bad_years_and_places_are_refused(
    town_world: Api,
) -> None:
    client, auth = town_world
    assert client.get("/v1/regies/nowhere/statements/2026", headers=auth["auditor"]).json()[
        "code"
    ] == ("unknown_regie")
    answer = client.get(f"/v1/regies/{POOL}/statements/1999", headers=auth["auditor"])
    assert answer.status_code == 422
    answer = client.get(f"/v1/regies/{POOL}/statements/2026?format=xls", headers=auth["auditor"])
    assert answer.status_code == 422
