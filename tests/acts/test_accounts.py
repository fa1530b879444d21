"""The acts of accounts: who may, and the same refusal from the core, the API and ``mlc``.

Each refused actor (a role the act does not admit, an account they do not hold, a kind
beyond their rights) gets the act's error code from the route and from the command too,
and nothing changes.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from monnaie_locale.acts import accounts
from monnaie_locale.auth import Role
from monnaie_locale.model import AccountKind
from monnaie_locale.operations.account_opening import default_limits
from tests.api.operations_support import STAFF

if TYPE_CHECKING:
    # Imported by pytest, as a plugin, so that its assertions are rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

NOT_MANAGERS = [
    Role.MEMBER,
    Role.MERCHANT_OWNER,
    Role.MERCHANT_CASHIER,
    Role.OFFICE_OPERATOR,
    Role.AUDITOR,
]
CSV = "code,kind,currency,owner,lower_limit\nnew,member,MLC,M-9,0\n"


@pytest.mark.parametrize("role", NOT_MANAGERS)
def test_only_the_association_opens_an_account(fronts: Fronts, role: Role) -> None:
    error = fronts.refused(
        role,
        lambda ctx: accounts.open_account(ctx, "new", kind=AccountKind.MEMBER),
        status=403,
        api=lambda: fronts.ops.post(role, "/v1/accounts", {"code": "new", "kind": "member"}),
        cli=("accounts", "create", "new", "--kind", "member", "--currency", "MLC"),
    )
    assert error.code == "role_forbidden"


def test_an_operator_opens_no_association_account(fronts: Fronts) -> None:
    role = Role.ASSOCIATION_OPERATOR
    error = fronts.refused(
        role,
        lambda ctx: accounts.open_account(ctx, "fund", kind=AccountKind.ASSOCIATION),
        status=403,
        api=lambda: fronts.ops.post(role, "/v1/accounts", {"code": "fund", "kind": "association"}),
        cli=("accounts", "create", "fund", "--kind", "association", "--currency", "MLC"),
    )
    assert error.code == "opening_forbidden"


def test_an_operator_sets_no_limits_of_their_own(fronts: Fronts) -> None:
    role = Role.ASSOCIATION_OPERATOR
    body = {"code": "new", "kind": "member", "lower_limit": "-50"}
    error = fronts.refused(
        role,
        lambda ctx: accounts.open_account(ctx, "new", kind=AccountKind.MEMBER, lower_limit=-5000),
        status=403,
        api=lambda: fronts.ops.post(role, "/v1/accounts", body),
        cli=("accounts", "create", "new", "--kind", "member", "--currency", "MLC",
             "--lower-limit", "-50"),
    )  # fmt: skip
    assert error.code == "opening_forbidden"


def test_not_even_the_administrator_opens_a_system_account(fronts: Fronts) -> None:
    role = Role.ADMIN
    error = fronts.refused(
        role,
        lambda ctx: accounts.open_account(ctx, "vault", kind=AccountKind.SYSTEM),
        status=422,
        api=lambda: fronts.ops.post(role, "/v1/accounts", {"code": "vault", "kind": "system"}),
        cli=("accounts", "create", "vault", "--kind", "system", "--currency", "MLC"),
    )
    assert error.code == "kind_opened_by_set_up"


def test_an_operator_opens_a_holder_account_alike_from_both_edges(fronts: Fronts) -> None:
    role = Role.ASSOCIATION_OPERATOR
    by_api = fronts.ops.post(role, "/v1/accounts", {"code": "one", "kind": "member"})
    assert by_api.status_code == 201, by_api.text
    by_cli = fronts.mlc(
        "accounts", "create", "two", "--kind", "member", "--currency", "MLC", actor=STAFF[role][0]
    )
    assert by_cli.exit_code == 0, by_cli.output
    ctx = fronts.context(role)
    one, two = accounts.get_account(ctx, "one"), accounts.get_account(ctx, "two")
    usual = default_limits(ctx.deployment, AccountKind.MEMBER)
    for opened in (one, two):
        assert (opened.kind, opened.currency) == (AccountKind.MEMBER, "MLC")
        assert (opened.lower_limit, opened.upper_limit) == (usual.lower, usual.upper)


def _import(fronts: Fronts, role: Role) -> httpx.Response:
    response: httpx.Response = fronts.ops.client.post(
        "/v1/accounts/import",
        files={"file": ("members.csv", CSV.encode(), "text/csv")},
        headers=fronts.ops.auth(role),
    )
    return response


@pytest.mark.parametrize("role", NOT_MANAGERS)
def test_only_the_association_imports_accounts(fronts: Fronts, role: Role, tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text(CSV, encoding="utf-8")
    error = fronts.refused(
        role,
        lambda ctx: accounts.import_accounts(ctx, CSV.encode()),
        status=403,
        api=lambda: _import(fronts, role),
        cli=("accounts", "import", str(path)),
    )
    assert error.code == "role_forbidden"


def test_an_operator_imports_what_they_may_open(fronts: Fronts) -> None:
    ctx = fronts.context(Role.ASSOCIATION_OPERATOR)
    data = CSV + "fund,association,MLC,,0\n"
    before = fronts.state()
    outcome = accounts.import_accounts(ctx, data.encode())
    assert [(p.line, p.key) for p in outcome.problems] == [(3, "kind_forbidden")]
    assert fronts.state() == before
    opened = accounts.import_accounts(ctx, CSV.encode())
    assert [account.code for account in opened.opened] == ["new"]


@pytest.mark.parametrize(
    ("role", "code"),
    [(Role.MEMBER, "bakery"), (Role.MERCHANT_OWNER, "alice"), (Role.MERCHANT_CASHIER, "town")],
)
def test_a_holder_reads_only_their_own_accounts(fronts: Fronts, role: Role, code: str) -> None:
    for act, url, cli in (
        (lambda ctx: accounts.get_account(ctx, code), f"/v1/accounts/{code}", ("show",)),
        (lambda ctx: accounts.statement(ctx, code), f"/v1/accounts/{code}/statement", None),
    ):
        error = fronts.refused(
            role,
            act,
            status=403,
            api=lambda url=url: fronts.ops.get(role, url),  # type: ignore[misc]
            cli=None if cli is None else ("accounts", *cli, code),
        )
        assert error.code == "not_your_account"


def test_a_holder_exports_no_statement_of_another(fronts: Fronts) -> None:
    error = fronts.refused(
        Role.MEMBER,
        lambda ctx: accounts.statement_export(
            ctx,
            "bakery",
            start=date(2026, 1, 1),
            end=None,
            delimiter=",",
            decimal_separator=".",
            zone=UTC,
        ),
        status=403,
        api=lambda: fronts.ops.get(Role.MEMBER, "/v1/accounts/bakery/statement", format="csv"),
    )
    assert error.code == "not_your_account"


def test_a_holder_learns_no_balance_of_another(fronts: Fronts) -> None:
    error = fronts.refused(
        Role.MEMBER,
        lambda ctx: accounts.balance_as_of(ctx, "bakery", datetime.now(UTC)),
        status=403,
    )
    assert error.code == "not_your_account"


def test_an_unknown_account_is_refused_to_a_holder_as_one_not_theirs(fronts: Fronts) -> None:
    # Else a holder could probe which account codes exist.
    error = fronts.refused(
        Role.MEMBER,
        lambda ctx: accounts.get_account(ctx, "nobody"),
        status=403,
        api=lambda: fronts.ops.get(Role.MEMBER, "/v1/accounts/nobody"),
        cli=("accounts", "show", "nobody"),
    )
    assert error.code == "not_your_account"


@pytest.mark.parametrize(("role", "held"), [(Role.MEMBER, ["alice"]), (Role.AUDITOR, None)])
def test_the_list_shows_what_the_actor_may_read_alike_everywhere(
    fronts: Fronts, role: Role, held: list[str] | None
) -> None:
    by_act = [a.code for a in accounts.list_accounts(fronts.context(role), limit=500)]
    by_api = fronts.ops.get(role, "/v1/accounts", limit="500").json()["items"]
    listed = fronts.mlc("accounts", "list", "--limit", "500", "--json", actor=STAFF[role][0])
    assert listed.exit_code == 0, listed.output
    by_cli = [a["code"] for a in json.loads(listed.stdout)["accounts"]]
    assert [a["code"] for a in by_api] == by_act == by_cli
    if held is not None:
        assert by_act == held
    else:
        assert {"alice", "bakery", "town", "issuance"} <= set(by_act)


@pytest.mark.parametrize("role", NOT_MANAGERS)
@pytest.mark.parametrize("change", ["freeze", "unfreeze", "close"])
def test_only_the_association_changes_an_account_s_status(
    fronts: Fronts, role: Role, change: str
) -> None:
    act = getattr(accounts, change)
    error = fronts.refused(
        role,
        lambda ctx: act(ctx, "alice"),
        status=403,
        api=lambda: fronts.ops.post(role, f"/v1/accounts/alice/{change}"),
        cli=("accounts", change, "alice"),
    )
    assert error.code == "role_forbidden"


@pytest.mark.parametrize("role", NOT_MANAGERS)
def test_only_the_association_renames_an_account(fronts: Fronts, role: Role) -> None:
    def patch() -> httpx.Response:
        response: httpx.Response = fronts.ops.client.patch(
            "/v1/accounts/bakery", json={"display_name": "Mine"}, headers=fronts.ops.auth(role)
        )
        return response

    error = fronts.refused(
        role,
        lambda ctx: accounts.rename(ctx, "bakery", "Mine"),
        status=403,
        api=patch,
        cli=("accounts", "rename", "bakery", "Mine"),
    )
    assert error.code == "role_forbidden"


def test_an_operator_freezes_and_the_holder_sees_it(fronts: Fronts) -> None:
    frozen = accounts.freeze(fronts.context(Role.ASSOCIATION_OPERATOR), "alice")
    seen = accounts.get_account(fronts.context(Role.MEMBER), "alice")
    assert frozen.status == seen.status == "frozen"
    thawed = fronts.mlc("accounts", "unfreeze", "alice", "--json", actor="assoc")
    assert thawed.exit_code == 0, thawed.output
    assert accounts.get_account(fronts.context(Role.MEMBER), "alice").status == "active"
