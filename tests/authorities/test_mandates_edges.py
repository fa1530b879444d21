"""An authority's mandates through the API and ``mlc``, on each engine: two people pay
one, and one person holding both duties is refused alike by the route and the command,
with nothing changed."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from cli.errors import ExitCode
from monnaie_locale.acts import conversions
from monnaie_locale.auth import Role, issue_token
from monnaie_locale.authorities import duties
from monnaie_locale.ledger.accounts import get_account
from tests.api.helpers import assert_problem
from tests.authorities.town import TOWN, TOWN_ACCOUNT, Town, set_up_town

if TYPE_CHECKING:
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

MANDATES = f"/v1/authorities/{TOWN}/mandates"
FUNDS = 50_000  # converted by card, with the deployment's bonus on top
BODY: dict[str, Any] = {
    "payee": "alice",
    "amount": "120.50",
    "exercice": 2026,
    "bordereau": "B-2026-014",
    "number": "1207",
    "chapitre": "65",
    "article": "6574",
    "fonction": "40",
    "object": "Subvention à l'association des parents",
}


def _town(fronts: Fronts) -> Town:
    town = set_up_town(fronts.database, fronts.ops.clock)
    conversions.convert_by_card(
        fronts.context(Role.ASSOCIATION_OPERATOR),
        TOWN_ACCOUNT,
        FUNDS,
        payment_reference="card-town",
        key="town",
    )
    return town


def _headers(fronts: Fronts, town: Town, username: str, key: str | None = None) -> dict[str, str]:
    token = fronts.database.write(
        lambda conn: (
            issue_token(
                conn, town.user_ids[username], now=fronts.ops.clock(), ttl=timedelta(hours=1)
            ).token
        )
    )
    return {"Authorization": f"Bearer {token}"} | ({} if key is None else {"Idempotency-Key": key})


def _balance(fronts: Fronts, code: str) -> int:
    return fronts.database.read(lambda conn: get_account(conn, code).balance)


def test_the_ordonnateur_proposes_and_the_comptable_pays_through_the_api(fronts: Fronts) -> None:
    town = _town(fronts)
    client = fronts.ops.client
    alice, funds = _balance(fronts, "alice"), _balance(fronts, TOWN_ACCOUNT)
    response = client.post(MANDATES, json=BODY, headers=_headers(fronts, town, "ordonnateur", "p"))
    assert response.status_code == 201, response.text
    proposed = response.json()
    assert (proposed["status"], proposed["amount"], proposed["proposed_by"]) == (
        "proposed",
        "120.50",
        "ordonnateur",
    )
    assert _balance(fronts, TOWN_ACCOUNT) == funds
    approval = f"{MANDATES}/{proposed['id']}/approval"
    response = client.post(approval, headers=_headers(fronts, town, "comptable", "a"))
    assert response.status_code == 200, response.text
    paid = response.json()
    assert (paid["status"], paid["decided_by"]) == ("paid", "comptable")
    assert _balance(fronts, TOWN_ACCOUNT) == funds - 12_050
    assert _balance(fronts, "alice") == alice + 12_050
    # The auditor reads it; a retry of the approval pays nothing again.
    auditor = fronts.ops.auth(Role.AUDITOR)
    assert client.get(f"{MANDATES}/{paid['id']}", headers=auditor).json() == paid
    assert client.get(MANDATES, headers=auditor, params={"status": "paid"}).json() == [paid]
    again = client.post(approval, headers=_headers(fronts, town, "comptable", "a"))
    assert again.json() == paid and _balance(fronts, "alice") == alice + 12_050
    # Decided: a rejection is refused.
    response = client.post(
        f"{MANDATES}/{paid['id']}/rejection",
        json={"reason": "late"},
        headers=_headers(fronts, town, "comptable"),
    )
    assert_problem(response, 409, "mandate_not_proposed")


def test_one_person_with_both_duties_is_refused_alike_by_the_route_and_the_command(
    fronts: Fronts,
) -> None:
    town = _town(fronts)
    ordonnateur = town.user_ids["ordonnateur"]
    fronts.database.write(
        lambda conn: duties.grant_duty(
            conn, ordonnateur, town.authority, "comptable", regie=None, now=fronts.ops.clock()
        )
    )
    options = [f"--{name}={value}" for name, value in BODY.items() if name != "amount"]
    result = fronts.mlc(
        "mandate", "propose", TOWN, "--amount", "120,50", *options, "--key", "p", "--json",
        actor="ordonnateur",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    mandate = json.loads(result.stdout)["id"]
    headers = _headers(fronts, town, "ordonnateur", "a")
    before = fronts.state()
    response = fronts.ops.client.post(f"{MANDATES}/{mandate}/approval", headers=headers)
    assert_problem(response, 403, "same_proposer")
    result = fronts.mlc("mandate", "approve", TOWN, str(mandate), "--key", "a", actor="ordonnateur")
    assert result.exit_code == ExitCode.FORBIDDEN, result.output
    assert "proposed by you" in " ".join(result.stderr.split())
    result = fronts.mlc(
        "mandate", "reject", TOWN, str(mandate), "--reason", "x", actor="ordonnateur"
    )
    assert result.exit_code == ExitCode.FORBIDDEN, result.output
    assert fronts.state() == before
    # The comptable, another person, pays it from the command line.
    result = fronts.mlc("mandate", "approve", TOWN, str(mandate), "--key", "a", actor="comptable")
    assert result.exit_code == 0, result.output
    assert "paid to alice" in result.stdout
    shown = fronts.mlc("mandate", "list", TOWN, "--status", "paid", actor="finances")
    assert shown.exit_code == 0 and "1207" in shown.stdout, shown.output
