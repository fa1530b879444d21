"""Setting a town up through the API and ``mlc``: the same acts, the same answers, and
the same refusals, which change nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING

from typer.testing import Result

from cli.errors import ExitCode
from monnaie_locale.auth import Role, issue_token
from monnaie_locale.errors import MonnaieLocaleError
from tests.api.helpers import assert_problem
from tests.authorities.town import POOL, TOWN, TREASURY_IBAN, set_up_town
from tests.support import every_row

if TYPE_CHECKING:
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

TOWNS = ("authorities", "regies", "authority_duties", "conventions", "regie_tariffs")

ANGLET = {
    "code": "anglet",
    "name": "Ville d'Anglet",
    "kind": "commune",
    "treasury_name": "Trésorerie d'Anglet",
    "treasury_iban": TREASURY_IBAN,
}
CREATE_ANGLET = [
    "authority", "create", "anglet", "--name", "Ville d'Anglet", "--kind", "commune",
    "--treasury-name", "Trésorerie d'Anglet", "--treasury-iban", TREASURY_IBAN,
]  # fmt: skip


def error_shown(result: Result) -> MonnaieLocaleError | None:
    # Imported when called: pytest rewrites the plugin's assertions as it imports it.
    from tests.acts.edges import error_shown as shown

    return shown(result)


def _state(fronts: Fronts) -> object:
    """What a refusal must leave as it was: the ledger and records Fronts watches, and the
    towns' own tables (the service's jobs keep running meanwhile)."""
    towns = {name: rows for name, rows in every_row(fronts.database).items() if name in TOWNS}
    return fronts.state(), towns


def _token(fronts: Fronts, user_id: int) -> dict[str, str]:
    token = fronts.database.write(
        lambda conn: (
            issue_token(conn, user_id, now=fronts.ops.clock(), ttl=timedelta(hours=1)).token
        )
    )
    return {"Authorization": f"Bearer {token}"}


def test_a_town_is_set_up_from_the_command_line(fronts: Fronts) -> None:
    mlc = fronts.mlc
    created = mlc(*CREATE_ANGLET, "--own-account", "--json", actor="admin")
    assert created.exit_code == 0, created.output
    assert json.loads(created.stdout)["account"] == "authority:anglet"
    regie = mlc(
        "regie", "create", "anglet", "anglet-piscine", "--name", "Piscine", "--cash-cap",
        "1000,00", "--json", actor="assoc",
    )  # fmt: skip
    assert regie.exit_code == 0, regie.output
    assert json.loads(regie.stdout)["cash_cap"] == 100_000
    version = mlc(
        "authority", "convention", "anglet", "--from", "2026-01-01", "--fee", "1,5",
        "--payin-days", "30", "--may-spend", actor="assoc",
    )  # fmt: skip
    assert version.exit_code == 0, version.output
    (listed,) = json.loads(
        mlc("authority", "conventions", "anglet", "--json", actor="auditor").stdout
    )
    assert (listed["reconversion_fee_bps"], listed["may_spend"]) == (150, True)
    added = mlc("regie", "tariff", "add", "anglet-piscine", "Entrée", "4,50", actor="admin")
    assert added.exit_code == 0, added.output
    shown = mlc("regie", "tariffs", "anglet-piscine", actor="auditor")
    assert "Entrée" in shown.stdout and "4.50" in shown.stdout
    shown = mlc("authority", "show", "anglet", actor="auditor")
    assert "anglet-piscine" in shown.stdout and "1.50 %" in shown.stdout


def test_a_town_is_set_up_through_the_api(fronts: Fronts) -> None:
    ops = fronts.ops
    assert ops.post(Role.ASSOCIATION_OPERATOR, "/v1/authorities", ANGLET).status_code == 201
    regie = ops.post(
        Role.ADMIN,
        "/v1/authorities/anglet/regies",
        {"code": "anglet-piscine", "name": "Piscine", "cash_cap": "1000.00"},
    )
    assert regie.status_code == 201, regie.text
    assert regie.json()["account"] == "authority:regie-anglet-piscine"
    convention = ops.post(
        Role.ADMIN,
        "/v1/authorities/anglet/conventions",
        {"effective_from": "2026-01-01", "reconversion_fee": "0,5", "payin_days": 31},
    )
    assert convention.status_code == 201, convention.text
    tariff = ops.post(
        Role.ADMIN, "/v1/regies/anglet-piscine/tariffs", {"label": "Entrée", "amount": "4,50"}
    )
    assert tariff.json()["amount"] == "4.50"
    shown = ops.get(Role.AUDITOR, "/v1/authorities/anglet").json()
    assert [r["cash_cap"] for r in shown["regies"]] == ["1000.00"]
    assert shown["convention"]["reconversion_fee_bps"] == 50
    assert shown["account"] is None
    granted = ops.post(
        Role.ADMIN,
        "/v1/authorities/anglet/duties",
        {"username": "clerk", "duty": "regisseur", "regie": "anglet-piscine"},
    )
    assert granted.status_code == 201, granted.text
    assert [r["code"] for r in ops.get(Role.AUTHORITY_AGENT, "/v1/regies").json()] == [
        "anglet-piscine"
    ]
    gone = ops.client.delete(
        f"/v1/authorities/anglet/duties/{granted.json()['id']}", headers=ops.auth(Role.ADMIN)
    )
    assert gone.status_code == 204
    assert ops.get(Role.AUTHORITY_AGENT, "/v1/regies").json() == []


def test_a_duplicate_and_a_bad_iban_are_refused_alike_and_change_nothing(
    fronts: Fronts,
) -> None:
    set_up_town(fronts.database, fronts.ops.clock)
    for body, cli, code in (
        (ANGLET | {"code": TOWN}, [*CREATE_ANGLET[:2], TOWN, *CREATE_ANGLET[3:]], 409),
        (
            ANGLET | {"treasury_iban": TREASURY_IBAN[:-1] + "6"},
            [*CREATE_ANGLET[:-1], TREASURY_IBAN[:-1] + "6"],
            422,
        ),
    ):
        before = _state(fronts)
        answer = fronts.ops.post(Role.ADMIN, "/v1/authorities", body)
        assert answer.status_code == code, answer.text
        result = fronts.mlc(*cli, "--own-account", actor="admin")
        error = error_shown(result)
        assert error is not None and error.code == answer.json()["code"], result.output
        assert _state(fronts) == before


def test_an_agent_without_a_duty_there_is_refused_alike(fronts: Fronts) -> None:
    town = set_up_town(fronts.database, fronts.ops.clock)
    # The walk's agent, clerk, has no duty at Bayonne.
    fronts.refused_alike(
        Role.AUTHORITY_AGENT,
        "not_your_regie",
        api=lambda: fronts.ops.get(Role.AUTHORITY_AGENT, f"/v1/authorities/{TOWN}"),
        cli=["authority", "show", TOWN],
    )
    fronts.refused_alike(
        Role.AUTHORITY_AGENT,
        "not_your_regie",
        api=lambda: fronts.ops.get(Role.AUTHORITY_AGENT, f"/v1/regies/{POOL}/tariffs"),
        cli=["regie", "tariffs", POOL],
    )
    # The mandataire collects at the pool, but only its régisseur adds tariffs.
    mandataire = _token(fronts, town.user_ids["mandataire"])
    before = _state(fronts)
    answer = fronts.ops.client.post(
        f"/v1/regies/{POOL}/tariffs", json={"label": "Sauna", "amount": "5"}, headers=mandataire
    )
    assert_problem(answer, 403, "not_your_regie")
    result = fronts.mlc("regie", "tariff", "add", POOL, "Sauna", "5", actor="mandataire")
    error = error_shown(result)
    assert error is not None and error.code == "not_your_regie", result.output
    assert result.exit_code == ExitCode.FORBIDDEN
    assert _state(fronts) == before


def test_duties_are_granted_listed_and_taken_back_from_the_command_line(fronts: Fronts) -> None:
    set_up_town(fronts.database, fronts.ops.clock)
    mlc = fronts.mlc
    granted = mlc(
        "authority", "duty", "grant", TOWN, "clerk", "mandataire", "--regie", POOL, "--json",
        actor="admin",
    )  # fmt: skip
    assert granted.exit_code == 0, granted.output
    duty = json.loads(granted.stdout)
    assert (duty["username"], duty["regie"], duty["duty"]) == ("clerk", POOL, "mandataire")
    listed = mlc("authority", "duty", "list", TOWN, actor="auditor")
    assert "clerk" in listed.stdout and "mandataire" in listed.stdout
    mine = json.loads(mlc("regie", "list", "--json", actor="clerk").stdout)
    assert [regie["code"] for regie in mine] == [POOL]
    shown = json.loads(mlc("regie", "show", POOL, "--json", actor="clerk").stdout)
    assert (shown["account"], shown["cash_cap"]) == ("authority:regie-piscine-bayonne", 50_000)
    taken = mlc("authority", "duty", "revoke", TOWN, str(duty["id"]), actor="admin")
    assert taken.exit_code == 0, taken.output
    assert json.loads(mlc("regie", "list", "--json", actor="clerk").stdout) == []
    again = mlc("authority", "duty", "revoke", TOWN, str(duty["id"]), actor="admin")
    error = error_shown(again)
    assert error is not None and error.code == "unknown_duty", again.output
    refused = mlc("authority", "duty", "grant", TOWN, "alice", "finance", actor="admin")
    error = error_shown(refused)
    assert error is not None and error.code == "not_an_authority_agent", refused.output
    assert "authority_agent" in refused.stderr
