"""The association's hand on accounts: opening holder accounts, freezing, unfreezing and
closing them. Every refusal has its own code and changes nothing."""

from __future__ import annotations

from functools import partial
from typing import Any

import httpx
import pytest

from monnaie_locale.auth import Role
from monnaie_locale.deployment import category_of
from tests.api.conftest import World
from tests.api.helpers import refused
from tests.support import snapshot


def operator_post(
    world: World, path: str, body: dict[str, Any] | None = None, *, role: Role = Role.ADMIN
) -> httpx.Response:
    response: httpx.Response = world.client.post(path, headers=world.auth(role), json=body)
    return response


def pay(world: World, payer: str, payee: str, amount: str) -> httpx.Response:
    """A transfer by the payer's own user: alice or bob."""
    signed_in = world.as_bob() if payer == "bob" else world.auth(Role.MEMBER)
    response: httpx.Response = world.client.post(
        "/v1/transfers",
        headers={**signed_in, "Idempotency-Key": f"{payer}-{payee}-{amount}"},
        json={"payer": payer, "payee": payee, "amount": amount},
    )
    return response


# Opening -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ASSOCIATION_OPERATOR, Role.ADMIN])
def test_an_operator_opens_an_empty_member_account_in_the_local_unit(
    world: World, role: Role
) -> None:
    response = operator_post(
        world, "/v1/accounts", {"code": "carol", "kind": "member", "owner_ref": "M-0042"}, role=role
    )

    assert response.status_code == 201, response.text
    opened = response.json()
    assert opened["code"] == "carol"
    assert (opened["kind"], opened["currency"], opened["status"]) == ("member", "MLC", "active")
    assert (opened["balance"], opened["held"], opened["lower_limit"]) == ("0.00", "0.00", "0.00")
    shown = world.client.get("/v1/accounts/carol", headers=world.auth(Role.AUDITOR))
    assert shown.json() == opened
    # A real account: money reaches it.
    assert pay(world, "alice", "carol", "5.00").status_code == 201
    assert world.ledger.account("carol").balance == 500


def test_a_business_opens_with_its_shown_name_and_a_priced_category(world: World) -> None:
    response = operator_post(
        world,
        "/v1/accounts",
        {
            "code": "epicerie",
            "kind": "business",
            "display_name": "Épicerie du marché",
            "category": "authority",
        },
    )

    assert response.status_code == 201, response.text
    assert response.json()["display_name"] == "Épicerie du marché"
    assert response.json()["kind"] == "business"


def test_a_taken_code_is_refused(world: World) -> None:
    refused(
        world.database,
        409,
        "duplicate_account",
        lambda: operator_post(world, "/v1/accounts", {"code": "bob", "kind": "member"}),
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"code": "carol", "kind": "alien"}, "validation_failed"),
        ({"code": " carol", "kind": "member"}, "validation_failed"),
        ({"code": "carol", "kind": "member", "currency": "XYZ"}, "invalid_request"),
        ({"code": "carol", "kind": "member", "currency": "eur"}, "validation_failed"),
        ({"code": "carol", "kind": "member", "category": "no-such-fee"}, "invalid_request"),
        ({"code": "carol", "kind": "member", "display_name": "\u202eevil"}, "validation_failed"),
        ({"code": "carol", "kind": "member", "lower_limit": "5.00"}, "invalid_request"),
        ({"code": "carol", "kind": "member", "upper_limit": "-1"}, "invalid_request"),
        ({"code": "carol", "kind": "member", "lower_limit": -50}, "validation_failed"),
        ({"code": "carol", "kind": "member", "lower_limit": "-1.005"}, "validation_failed"),
        ({"code": "pot", "kind": "association", "category": "business"}, "invalid_request"),
    ],
    ids=[
        "unknown-kind",
        "outer-space",
        "unknown-currency",
        "lower-case-currency",
        "unpriced-category",
        "bidi-name",
        "lower-limit-above-zero",
        "upper-limit-below-zero",
        "limit-as-a-number",
        "limit-with-three-decimals",
        "category-off-a-holder",
    ],
)
def test_bad_account_bodies_open_nothing(world: World, body: dict[str, Any], code: str) -> None:
    refused(world.database, 422, code, lambda: operator_post(world, "/v1/accounts", body))


@pytest.mark.parametrize("role", [Role.ASSOCIATION_OPERATOR, Role.ADMIN])
def test_system_accounts_are_left_to_the_set_up(world: World, role: Role) -> None:
    body = refused(
        world.database,
        422,
        "kind_opened_by_set_up",
        lambda: operator_post(
            world, "/v1/accounts", {"code": "notes:spare", "kind": "system"}, role=role
        ),
    )
    assert "mlc init" in str(body["detail"])


def test_the_administrator_opens_an_association_account_in_euros_with_its_limits(
    world: World,
) -> None:
    response = operator_post(
        world,
        "/v1/accounts",
        {
            "code": "association:events",
            "kind": "association",
            "currency": "EUR",
            "lower_limit": None,
            "upper_limit": "0",
            "display_name": "Fête de la monnaie",
        },
    )

    assert response.status_code == 201, response.text
    opened = response.json()
    assert (opened["kind"], opened["currency"]) == ("association", "EUR")
    assert (opened["lower_limit"], opened["upper_limit"]) == (None, "0.00")
    stored = world.ledger.account("association:events")
    assert (stored.lower_limit, stored.upper_limit) == (None, 0)
    assert stored.display_name == "Fête de la monnaie"


def test_the_administrator_opens_an_exchange_office_stock_and_a_business_on_credit(
    world: World,
) -> None:
    office = operator_post(world, "/v1/accounts", {"code": "office-2", "kind": "exchange_office"})
    credit = operator_post(
        world,
        "/v1/accounts",
        {"code": "epicerie", "kind": "business", "lower_limit": "-50,00", "category": "authority"},
    )

    assert office.status_code == 201, office.text
    assert (office.json()["currency"], office.json()["lower_limit"]) == ("MLC", "0.00")
    assert credit.status_code == 201, credit.text
    assert credit.json()["lower_limit"] == "-50.00"
    epicerie = world.ledger.account("epicerie")
    assert world.database.read(lambda conn: category_of(conn, epicerie)) == "authority"
    # The credit is real: the business pays beyond its zero balance.
    bought = world.client.post(
        "/v1/transfers",
        headers={**world.auth(Role.ADMIN), "Idempotency-Key": "on-credit"},
        json={"payer": "epicerie", "payee": "bakery", "amount": "20.00"},
    )
    assert bought.status_code == 201, bought.text
    assert world.ledger.account("epicerie").balance == -2000


@pytest.mark.parametrize(
    "extra",
    [
        {"kind": "association"},
        {"kind": "exchange_office"},
        {"kind": "member", "currency": "EUR"},
        {"kind": "member", "lower_limit": "-20"},
        {"kind": "member", "upper_limit": "500"},
    ],
    ids=["association", "exchange-office", "euro", "overdraft", "upper-limit"],
)
def test_an_operator_opens_only_holder_accounts_under_the_deployments_limits(
    world: World, extra: dict[str, Any]
) -> None:
    body = refused(
        world.database,
        403,
        "opening_forbidden",
        lambda: operator_post(
            world, "/v1/accounts", {"code": "carol", **extra}, role=Role.ASSOCIATION_OPERATOR
        ),
    )
    assert "administrator" in str(body["detail"])


def test_an_operator_may_spell_out_the_usual_limits(world: World) -> None:
    response = operator_post(
        world,
        "/v1/accounts",
        {"code": "carol", "kind": "member", "currency": "MLC", "lower_limit": "0"},
        role=Role.ASSOCIATION_OPERATOR,
    )
    assert response.status_code == 201, response.text
    assert world.ledger.account("carol").lower_limit == 0


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OFFICE_OPERATOR, Role.AUDITOR])
def test_only_the_association_opens_accounts(world: World, role: Role) -> None:
    refused(
        world.database,
        403,
        "role_forbidden",
        lambda: operator_post(
            world, "/v1/accounts", {"code": "carol", "kind": "member"}, role=role
        ),
    )


# Freezing ----------------------------------------------------------------------------------


def test_a_frozen_account_moves_nothing_until_unfrozen(world: World) -> None:
    frozen = operator_post(world, "/v1/accounts/alice/freeze", role=Role.ASSOCIATION_OPERATOR)

    assert frozen.status_code == 200, frozen.text
    assert frozen.json()["status"] == "frozen"
    refused(
        world.database,
        409,
        "account_not_active",
        lambda: pay(world, "alice", "bakery", "1.00"),
    )

    unfrozen = operator_post(world, "/v1/accounts/alice/unfreeze", role=Role.ASSOCIATION_OPERATOR)

    assert unfrozen.json()["status"] == "active"
    assert pay(world, "alice", "bakery", "1.00").status_code == 201


def test_freezing_twice_is_the_same_as_once(world: World) -> None:
    operator_post(world, "/v1/accounts/bob/freeze")
    again = operator_post(world, "/v1/accounts/bob/freeze")
    assert again.status_code == 200
    assert again.json()["status"] == "frozen"


@pytest.mark.parametrize("action", ["freeze", "unfreeze", "close"])
def test_an_unknown_account_is_not_found(world: World, action: str) -> None:
    refused(
        world.database,
        404,
        "unknown_account",
        lambda: operator_post(world, f"/v1/accounts/nowhere/{action}"),
    )


@pytest.mark.parametrize("action", ["freeze", "unfreeze", "close"])
def test_a_holder_cannot_change_the_status_of_their_own_account(world: World, action: str) -> None:
    refused(
        world.database,
        403,
        "role_forbidden",
        lambda: operator_post(world, f"/v1/accounts/alice/{action}", role=Role.MEMBER),
    )


# Closing -----------------------------------------------------------------------------------


def test_an_account_holding_money_is_not_closed(world: World) -> None:
    body = refused(
        world.database,
        409,
        "account_not_empty",
        lambda: operator_post(world, "/v1/accounts/alice/close"),
    )
    assert "alice" in str(body["detail"])
    assert world.ledger.account("alice").status == "active"


def test_money_on_hold_keeps_an_account_open(world: World) -> None:
    assert pay(world, "alice", "bob", "3.00").status_code == 201
    hold = world.client.post(
        "/v1/holds",
        headers={**world.as_bob(), "Idempotency-Key": "bob-hold"},
        json={"payer": "bob", "payee": "bakery", "amount": "3.00"},
    )
    assert hold.status_code == 201, hold.text
    # Sealed now, so that the server's background sealer has nothing left to change.
    world.ledger.seal_journal()
    refused(
        world.database,
        409,
        "account_not_empty",
        lambda: operator_post(world, "/v1/accounts/bob/close"),
    )


def test_an_emptied_account_closes_for_good(world: World) -> None:
    assert pay(world, "alice", "bob", "3.00").status_code == 201
    assert pay(world, "bob", "bakery", "3.00").status_code == 201
    world.ledger.seal_journal()
    before = snapshot(world.database)

    closed = operator_post(world, "/v1/accounts/bob/close")

    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    after = snapshot(world.database)
    assert [a for a in after.accounts if a[0] != "bob"] == [
        a for a in before.accounts if a[0] != "bob"
    ]
    for action in ("freeze", "unfreeze", "close"):
        again = partial(operator_post, world, f"/v1/accounts/bob/{action}")
        refused(world.database, 409, "account_closed", again)
    refused(
        world.database,
        409,
        "account_not_active",
        lambda: pay(world, "alice", "bob", "1.00"),
    )


# Importing ---------------------------------------------------------------------------------

MEMBERS = (
    "code;kind;currency;owner;lower_limit;display_name\n"
    "carol;member;MLC;M-0042;0;\n"
    "epicerie;business;MLC;P-0107;;Épicerie du marché\n"
    "mairie;authority;MLC;C-0001;0;Mairie de Bayonne\n"
)


def upload(
    world: World,
    content: str | bytes,
    *,
    role: Role = Role.ASSOCIATION_OPERATOR,
    **form: str,
) -> httpx.Response:
    data = content.encode("utf-8") if isinstance(content, str) else content
    response: httpx.Response = world.client.post(
        "/v1/accounts/import",
        headers=world.auth(role),
        files={"file": ("adherents.csv", data, "text/csv")},
        data=form,
    )
    return response


def import_problems(world: World, content: str | bytes, **kwargs: Any) -> list[tuple[Any, ...]]:
    """The (line, column, code) of each problem of a refused import, which changed nothing."""
    body = refused(world.database, 422, "import_refused", lambda: upload(world, content, **kwargs))
    problems = body["problems"]
    assert isinstance(problems, list)
    assert all(p["message"] for p in problems)
    return [(p["line"], p["column"], p["code"]) for p in problems]


@pytest.mark.parametrize("role", [Role.ASSOCIATION_OPERATOR, Role.ADMIN])
def test_an_import_opens_every_account_of_the_file(world: World, role: Role) -> None:
    response = upload(world, MEMBERS, role=role)

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["dry_run"], body["count"], body["problems"]) == (False, 3, [])
    assert [(a["line"], a["code"]) for a in body["accounts"]] == [
        (2, "carol"),
        (3, "epicerie"),
        (4, "mairie"),
    ]
    carol, epicerie = world.ledger.account("carol"), world.ledger.account("epicerie")
    assert (carol.kind, carol.owner_ref, carol.display_name) == ("member", "M-0042", None)
    assert (epicerie.kind, epicerie.lower_limit) == ("business", 0)
    assert epicerie.display_name == "Épicerie du marché"
    assert world.ledger.account("mairie").kind == "authority"


def test_a_dry_run_lists_what_would_be_opened_and_opens_nothing(world: World) -> None:
    before = snapshot(world.database)

    response = upload(world, MEMBERS, dry_run="true")

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["dry_run"], body["count"]) == (True, 3)
    assert body["accounts"][1] == {
        "line": 3,
        "code": "epicerie",
        "kind": "business",
        "currency": "MLC",
        "owner_ref": "P-0107",
        "display_name": "Épicerie du marché",
        "lower_limit": "0.00",
        "upper_limit": None,
    }
    assert snapshot(world.database) == before


def test_the_same_file_imported_twice_is_refused_as_duplicates(world: World) -> None:
    assert upload(world, MEMBERS).status_code == 201

    found = import_problems(world, MEMBERS)

    assert found == [(2, "code", "exists"), (3, "code", "exists"), (4, "code", "exists")]


def test_one_bad_line_refuses_the_whole_file_naming_its_line(world: World) -> None:
    content = MEMBERS + "dave;alien;MLC;M-0043;0;\n"

    assert import_problems(world, content) == [(5, "kind", "kind")]
    assert (
        world.client.get("/v1/accounts/carol", headers=world.auth(Role.AUDITOR)).status_code == 404
    )


def test_a_member_already_in_the_ledger_or_twice_in_the_file_is_refused(world: World) -> None:
    content = MEMBERS + "alice;member;MLC;M-0001;0;\ncarol;member;MLC;M-0044;0;\n"

    found = import_problems(world, content)

    assert found == [(5, "code", "exists"), (6, "code", "duplicate")]


def test_every_problem_of_the_file_is_listed_at_once(world: World) -> None:
    content = (
        "code,kind,currency,owner,lower_limit,upper_limit,display_name\n"
        "carol,member,MLC,,0,,\n"
        "dave,member,XYZ,,0,,\n"
        "erin,member,MLC,,douze,,\n"
        "fred,member,MLC,,0,-3,\n"
        "gina,member,MLC,,0,,\u202eGina\n"
        "hugo,member,MLC\n"
    )

    found = import_problems(world, content, role=Role.ADMIN)

    assert found == [
        (3, "currency", "currency"),
        (4, "lower_limit", "number"),
        (5, "upper_limit", "upper_negative"),
        (6, "display_name", "text"),
        (7, None, "fields"),
    ]


@pytest.mark.parametrize(
    ("line", "column", "code"),
    [
        ("pot;association;MLC;;0;", "kind", "kind_forbidden"),
        ("vault;system;MLC;;0;", "kind", "kind_set_up"),
        ("dave;member;EUR;;0;", "currency", "currency_forbidden"),
        ("dave;member;MLC;;-20;", "lower_limit", "limit_forbidden"),
    ],
    ids=["association", "system", "euro", "overdraft"],
)
def test_an_operator_imports_only_what_they_may_open(
    world: World, line: str, column: str, code: str
) -> None:
    assert import_problems(world, MEMBERS + line + "\n") == [(5, column, code)]


def test_the_administrator_imports_association_accounts_with_limits_but_no_system_one(
    world: World,
) -> None:
    header = "code;kind;currency;owner;lower_limit;upper_limit\n"
    assert import_problems(world, header + "vault;system;MLC;;0;\n", role=Role.ADMIN) == [
        (2, "kind", "kind_set_up")
    ]

    response = upload(
        world, header + "association:events;association;EUR;;none;0\n", role=Role.ADMIN
    )

    assert response.status_code == 201, response.text
    events = world.ledger.account("association:events")
    assert (events.currency, events.lower_limit, events.upper_limit) == ("EUR", None, 0)


def test_a_file_in_another_encoding_is_refused_at_its_line_unless_named(world: World) -> None:
    latin1 = MEMBERS.encode("latin-1")

    assert import_problems(world, latin1) == [(3, None, "encoding")]

    response = upload(world, latin1, encoding="latin-1")
    assert response.status_code == 201, response.text
    assert world.ledger.account("epicerie").display_name == "Épicerie du marché"


@pytest.mark.parametrize(
    ("content", "form", "found"),
    [
        ("", {}, [(1, None, "empty")]),
        (
            "code;kind;owner\n",
            {},
            [(1, "currency", "missing_column"), (1, "lower_limit", "missing_column")],
        ),
        (MEMBERS, {"encoding": "base64"}, [(1, None, "bad_encoding_name")]),
        (MEMBERS, {"encoding": "no-such-codec"}, [(1, None, "bad_encoding_name")]),
    ],
    ids=["empty", "missing-columns", "not-a-text-encoding", "unknown-encoding"],
)
def test_a_file_that_is_no_member_list_is_refused(
    world: World, content: str, form: dict[str, str], found: list[tuple[Any, ...]]
) -> None:
    assert import_problems(world, content, **form) == found


def test_an_import_without_a_file_is_an_invalid_form(world: World) -> None:
    refused(
        world.database,
        422,
        "validation_failed",
        lambda: world.client.post(
            "/v1/accounts/import",
            headers=world.auth(Role.ASSOCIATION_OPERATOR),
            data={"dry_run": "true"},
        ),
    )


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OFFICE_OPERATOR, Role.AUDITOR])
def test_only_the_association_imports_accounts(world: World, role: Role) -> None:
    refused(world.database, 403, "role_forbidden", lambda: upload(world, MEMBERS, role=role))


# Renaming ----------------------------------------------------------------------------------


def rename(
    world: World, code: str, name: object, *, role: Role = Role.ASSOCIATION_OPERATOR
) -> httpx.Response:
    response: httpx.Response = world.client.patch(
        f"/v1/accounts/{code}", headers=world.auth(role), json={"display_name": name}
    )
    return response


@pytest.mark.parametrize("role", [Role.ASSOCIATION_OPERATOR, Role.ADMIN])
def test_a_renamed_shop_is_shown_to_payers_by_its_new_name(world: World, role: Role) -> None:
    renamed = rename(world, "bakery", "Boulangerie Etchegaray", role=role)

    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["display_name"] == "Boulangerie Etchegaray"
    assert world.ledger.account("bakery").display_name == "Boulangerie Etchegaray"
    code = world.client.post(
        "/v1/checkout/static-codes",
        json={"account": "bakery"},
        headers={**world.auth(Role.MERCHANT_OWNER), "Idempotency-Key": "counter"},
    )
    assert code.json()["merchant_name"] == "Boulangerie Etchegaray"


def test_a_null_name_shows_the_code_again(world: World) -> None:
    assert rename(world, "bakery", "Boulangerie Etchegaray").status_code == 200

    cleared = rename(world, "bakery", None)

    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["display_name"] is None
    assert world.ledger.account("bakery").display_name is None


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("\u202eyrekab", "validation_failed"),
        (" Boulangerie", "invalid_request"),
        ("Boulangerie\nEtchegaray", "validation_failed"),
        ("", "validation_failed"),
        ("B" * 121, "validation_failed"),
        (12, "validation_failed"),
    ],
    ids=["bidi", "outer-space", "line-break", "empty", "too-long", "a-number"],
)
def test_a_bad_name_is_refused_and_the_old_one_kept(world: World, name: object, code: str) -> None:
    assert rename(world, "bakery", "Boulangerie Etchegaray").status_code == 200

    refused(world.database, 422, code, lambda: rename(world, "bakery", name))

    assert world.ledger.account("bakery").display_name == "Boulangerie Etchegaray"


def test_a_body_without_the_name_renames_nothing(world: World) -> None:
    refused(
        world.database,
        422,
        "validation_failed",
        lambda: world.client.patch("/v1/accounts/bakery", headers=world.auth(Role.ADMIN), json={}),
    )
    assert world.ledger.account("bakery").display_name is None


def test_renaming_an_unknown_account_is_not_found(world: World) -> None:
    refused(world.database, 404, "unknown_account", lambda: rename(world, "nowhere", "Nulle part"))


@pytest.mark.parametrize("role", [Role.MERCHANT_OWNER, Role.MEMBER, Role.AUDITOR])
def test_a_holder_cannot_rename_even_their_own_account(world: World, role: Role) -> None:
    refused(world.database, 403, "role_forbidden", lambda: rename(world, "bakery", "X", role=role))
    assert world.ledger.account("bakery").display_name is None


def test_a_members_file_larger_than_a_json_body_is_taken(world: World) -> None:
    # The test application takes JSON bodies of 4 KiB at most; an upload has its own limit.
    many = "code;kind;currency;owner;lower_limit\n" + "".join(
        f"member-{i:04d};member;MLC;M-{i:04d};0\n" for i in range(400)
    )
    assert len(many.encode()) > 4096

    response = upload(world, many, dry_run="true")

    assert response.status_code == 200, response.text
    assert response.json()["count"] == 400


def test_an_upload_over_its_own_limit_is_refused(world: World) -> None:
    limit = world.client.app.state.settings.max_upload_bytes  # type: ignore[attr-defined]
    huge = "code;kind;currency\n" + "x" * limit

    refused(world.database, 413, "body_too_large", lambda: upload(world, huge))
