"""The log of administrative acts: each one leaves one row naming its actor, a refused one
none, and no row ever holds a secret.

Each kind of administrative act is done once, by the role that does it, on the books of
:mod:`tests.api.operations_support`; the log then holds exactly one new row, of that act,
naming that actor and what the act was done to. The log is read through its act, as the
auditor reads it, and through ``GET /v1/audit/acts`` and ``mlc audit acts``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from monnaie_locale.acting import Context
from monnaie_locale.acts import (
    accounts,
    api_keys,
    audit,
    bank,
    chart,
    offices,
    periods,
    rules,
    users,
    witnesses,
)
from monnaie_locale.admin_log import LOGGED_ACTS, AdminAct
from monnaie_locale.auth import Role
from monnaie_locale.auth.errors import RoleForbidden
from monnaie_locale.errors import MonnaieLocaleError
from monnaie_locale.model import AccountKind
from monnaie_locale.store.tables_admin_log import admin_acts
from tests.api.operations_support import STAFF
from tests.bank_files import NOTES_IBAN

if TYPE_CHECKING:
    # Imported by pytest as a plugin (below): imported here too, it would not be rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

ADMIN, OPERATOR, AUDITOR = Role.ADMIN, Role.ASSOCIATION_OPERATOR, Role.AUDITOR
SECRET = "a very secret passphrase 42"
CSV = "code,kind,currency,owner,lower_limit\nnew,member,MLC,M-9,0\n"
WITNESS_VKEY = "mairie+c7e4a243+BAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"


@dataclass(frozen=True)
class Case:
    """An administrative act, done by ``role``; the log's name for it and its target."""

    act: str
    role: Role
    do: Callable[[Context], object]
    target: str


def _revoke_a_key(ctx: Context) -> object:
    made = api_keys.create_key(ctx, "bakery", label="till 2")
    return api_keys.revoke_key(ctx, made.key.id)


CASES = [
    Case(
        "users.create_user",
        ADMIN,
        lambda ctx: users.create_user(ctx, "paul", password=SECRET, role=Role.MEMBER),
        "paul",
    ),
    Case("users.disable", ADMIN, lambda ctx: users.disable(ctx, "alice"), "alice"),
    Case("users.enable", ADMIN, lambda ctx: users.enable(ctx, "alice"), "alice"),
    Case("users.unlock", ADMIN, lambda ctx: users.unlock(ctx, "alice"), "alice"),
    Case(
        "users.reset_password",
        ADMIN,
        lambda ctx: users.reset_password(ctx, "alice", SECRET),
        "alice",
    ),
    Case(
        "users.link_account", ADMIN, lambda ctx: users.link_account(ctx, "baker", "town"), "baker"
    ),
    Case("users.revoke_tokens", ADMIN, lambda ctx: users.revoke_tokens(ctx, "alice"), "alice"),
    Case(
        "api_keys.create_key",
        OPERATOR,
        lambda ctx: api_keys.create_key(ctx, "bakery", label="till 2"),
        "bakery",
    ),
    Case(
        "accounts.open_account",
        OPERATOR,
        lambda ctx: accounts.open_account(ctx, "carol", kind=AccountKind.MEMBER),
        "carol",
    ),
    Case("accounts.rename", OPERATOR, lambda ctx: accounts.rename(ctx, "alice", "Alice"), "alice"),
    Case("accounts.freeze", OPERATOR, lambda ctx: accounts.freeze(ctx, "alice"), "alice"),
    Case("accounts.unfreeze", OPERATOR, lambda ctx: accounts.unfreeze(ctx, "alice"), "alice"),
    Case(
        "accounts.import_accounts",
        OPERATOR,
        lambda ctx: accounts.import_accounts(ctx, CSV.encode()),
        "",
    ),
    Case(
        "rules.change_rule",
        OPERATOR,
        lambda ctx: rules.change_rule(
            ctx, "conversion_bonus", "3", effective_from=date(2026, 12, 1)
        ),
        "conversion_bonus",
    ),
    Case(
        "bank.add_bank_account",
        OPERATOR,
        lambda ctx: bank.add_bank_account(ctx, "fonds", role="reserve_notes", iban=NOTES_IBAN),
        "fonds",
    ),
    Case("offices.add_office", OPERATOR, lambda ctx: offices.add_office(ctx, "port"), "port"),
    Case(
        "witnesses.register_witness",
        OPERATOR,
        lambda ctx: witnesses.register_witness(ctx, "mairie", WITNESS_VKEY),
        "mairie",
    ),
    Case(
        "chart.set_chart_rule",
        OPERATOR,
        lambda ctx: chart.set_chart_rule(ctx, "income:other", "758100", "Produits"),
        "income:other",
    ),
]


def _log(fronts: Fronts) -> list[AdminAct]:
    return audit.administrative_acts(fronts.context(AUDITOR), limit=500)


@pytest.mark.parametrize("case", CASES, ids=[case.act for case in CASES])
def test_each_administrative_act_leaves_one_row_naming_its_actor(
    fronts: Fronts, case: Case
) -> None:
    ctx = fronts.context(case.role)
    before = _log(fronts)

    case.do(ctx)

    after = _log(fronts)
    (row,) = after[len(before) :]
    assert (row.act, row.target, row.actor, row.actor_name, row.role) == (
        case.act,
        case.target,
        ctx.actor.subject,
        STAFF[case.role][0],
        str(case.role),
    )
    assert case.act in LOGGED_ACTS
    assert SECRET not in json.dumps(row.summary)


def test_the_rest_of_the_administrative_acts_leave_their_row(fronts: Fronts) -> None:
    operator = fronts.context(OPERATOR)
    made = api_keys.create_key(operator, "bakery", label="till 2")
    api_keys.revoke_key(operator, made.key.id)
    bank.add_bank_account(operator, "fonds", role="reserve_notes", iban=NOTES_IBAN)
    bank.change_bank_account(operator, "fonds", new_name="fonds-billets")
    chart.set_chart_rule(operator, "income:other", "758100", "Produits")
    chart.unset_chart_rule(operator, "income:other")
    offices.add_office(operator, "port")
    offices.close_office(operator, "port")
    accounts.close(operator, accounts.open_account(operator, "carol", kind=AccountKind.MEMBER).code)

    done = [(row.act, row.target, row.summary) for row in _log(fronts)]
    assert done == [
        ("api_keys.create_key", "bakery", {"label": "till 2", "key_id": made.key.id}),
        ("api_keys.revoke_key", str(made.key.id), {}),
        (
            "bank.add_bank_account",
            "fonds",
            {"role": "reserve_notes", "iban": NOTES_IBAN, "bic": None},
        ),
        (
            "bank.change_bank_account",
            "fonds",
            {"iban": None, "bic": None, "new_name": "fonds-billets"},
        ),
        (
            "chart.set_chart_rule",
            "income:other",
            {"number": "758100", "label": "Produits", "auxiliary": False, "currency": None},
        ),
        ("chart.unset_chart_rule", "income:other", {"currency": None}),
        ("offices.add_office", "port", {}),
        ("offices.close_office", "port", {}),
        ("accounts.open_account", "carol", _opened_summary()),
        ("accounts.close", "carol", {}),
    ]
    # The key's secret is in no row, nor the prefix it starts with beyond what was shown.
    assert made.secret not in json.dumps(done)


def _opened_summary() -> dict[str, object]:
    return {
        "kind": "member",
        "currency": None,
        "lower_limit": "usual",
        "upper_limit": "usual",
        "owner_ref": None,
        "category": None,
        "display_name": None,
    }


def test_a_period_closed_is_logged_with_its_day(fronts: Fronts) -> None:
    operator = fronts.context(OPERATOR)
    try:
        periods.close_period(operator, date(2026, 10, 31), note="octobre")
    except MonnaieLocaleError:
        pytest.skip("the checklist of these books does not pass")
    (row,) = _log(fronts)
    assert (row.act, row.target, row.summary) == (
        "periods.close_period",
        "2026-10-31",
        {"year_end": False, "note": "octobre"},
    )


@pytest.mark.parametrize(
    ("role", "act"),
    [
        (Role.MEMBER, lambda ctx: users.disable(ctx, "baker")),
        (OPERATOR, lambda ctx: users.create_user(ctx, "paul", password=SECRET, role=Role.ADMIN)),
        (AUDITOR, lambda ctx: accounts.freeze(ctx, "alice")),
        # Refused by the act's own check, inside its transaction: rolled back with it.
        (ADMIN, lambda ctx: users.disable(ctx, STAFF[ADMIN][0])),
        (OPERATOR, lambda ctx: accounts.close(ctx, "nobody")),
    ],
    ids=["member", "operator-creates-admin", "auditor", "admin-disables-self", "unknown"],
)
def test_a_refused_act_leaves_no_row(
    fronts: Fronts, role: Role, act: Callable[[Context], object]
) -> None:
    with pytest.raises(MonnaieLocaleError):
        act(fronts.context(role))
    assert fronts.database.read(lambda conn: conn.execute(select(admin_acts)).all()) == []


def test_an_import_that_opens_nothing_leaves_no_row(fronts: Fronts) -> None:
    operator = fronts.context(OPERATOR)
    accounts.import_accounts(operator, CSV.encode(), dry_run=True)
    accounts.import_accounts(operator, (CSV + "new,member,MLC,M-9,0\n").encode())
    assert _log(fronts) == []
    accounts.import_accounts(operator, CSV.encode())
    (row,) = _log(fronts)
    assert row.summary == {"encoding": "utf-8", "opened": 1}


def test_the_log_is_read_by_the_report_readers_filtered_and_paged(fronts: Fronts) -> None:
    admin = fronts.context(ADMIN)
    users.disable(admin, "alice")
    users.enable(admin, "alice")
    accounts.freeze(fronts.context(OPERATOR), "bakery")
    for role in (Role.MEMBER, Role.MERCHANT_OWNER, Role.OFFICE_OPERATOR):
        with pytest.raises(RoleForbidden):
            audit.administrative_acts(fronts.context(role))

    auditor = fronts.context(AUDITOR)
    newest = audit.administrative_acts(auditor, newest_first=True, limit=2)
    assert [row.act for row in newest] == ["accounts.freeze", "users.enable"]
    older = audit.administrative_acts(auditor, newest_first=True, before_id=newest[-1].id)
    assert [row.act for row in older] == ["users.disable"]
    by_admin = audit.administrative_acts(auditor, actor=STAFF[ADMIN][0])
    assert [row.act for row in by_admin] == ["users.disable", "users.enable"]
    assert [row.target for row in audit.administrative_acts(auditor, act="accounts.freeze")] == [
        "bakery"
    ]


def test_the_api_and_the_command_line_show_the_log(fronts: Fronts) -> None:
    users.disable(fronts.context(ADMIN), "alice")

    response = fronts.ops.client.get("/v1/audit/acts", headers=fronts.ops.auth(AUDITOR))
    assert response.status_code == 200, response.text
    (row,) = response.json()["acts"]
    assert (row["act"], row["target"], row["actor_name"]) == ("users.disable", "alice", "admin")

    result = fronts.mlc("audit", "acts", "--json", actor=STAFF[AUDITOR][0])
    assert result.exit_code == 0, result.output
    (shown,) = json.loads(result.output)
    assert (shown["act"], shown["target"]) == ("users.disable", "alice")
    table = fronts.mlc("audit", "acts", actor=STAFF[AUDITOR][0])
    assert table.exit_code == 0, table.output
    assert "users.disable" in table.output


ADMINISTRATIVE = {
    "users.create_user",
    "users.disable",
    "users.enable",
    "users.unlock",
    "users.reset_password",
    "users.link_account",
    "users.revoke_tokens",
    "api_keys.create_key",
    "api_keys.revoke_key",
    "accounts.open_account",
    "accounts.import_accounts",
    "accounts.rename",
    "accounts.freeze",
    "accounts.unfreeze",
    "accounts.close",
    "rules.change_rule",
    "bank.add_bank_account",
    "bank.change_bank_account",
    "offices.add_office",
    "offices.close_office",
    "periods.close_period",
    "chart.set_chart_rule",
    "chart.unset_chart_rule",
    # A town's set-up: the association's decisions, the régisseur's tariffs.
    "authorities.create_authority",
    "authorities.create_regie",
    "authorities.record_convention",
    "authorities.add_tariff",
    "authorities.grant_duty",
    "authorities.revoke_duty",
    # The published log: a checkpoint signed now, an alarm read; a witness registered.
    "transparency.make_checkpoint",
    "transparency.acknowledge_alarm",
    "witnesses.register_witness",
}


def test_the_logged_acts_are_the_administrative_ones() -> None:
    assert LOGGED_ACTS == ADMINISTRATIVE
