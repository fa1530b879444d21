"""The public directory through the API, on both engines: reading it without a sign-in,
writing a business's profile (its owner, the association) and an office's place."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from monnaie_locale.auth import Role
from monnaie_locale.store import Database
from monnaie_locale.store.tables_directory import business_profiles, office_places
from tests.api.helpers import assert_problem
from tests.api.operations_support import OFFICE, Ops, make_ops
from tests.conftest import SteppingClock

OWNER, OPERATOR = Role.MERCHANT_OWNER, Role.ASSOCIATION_OPERATOR
PROFILE = {
    "category": "Épicerie",
    "town": "Bayonne",
    "description": "Produits du pays",
    "address": "4 rue Pannecau",
}


@pytest.fixture
def ops(database: Database, clock: SteppingClock) -> Iterator[Ops]:
    made = make_ops(database, clock)
    yield next(made)
    made.close()


def _put(ops: Ops, role: Role, url: str, body: Any) -> httpx.Response:
    response: httpx.Response = ops.client.put(url, json=body, headers=ops.auth(role))
    return response


def _directory_rows(ops: Ops) -> tuple[Any, ...]:
    def read(conn: Any) -> tuple[Any, ...]:
        return (
            tuple(tuple(row) for row in conn.execute(select(business_profiles))),
            tuple(tuple(row) for row in conn.execute(select(office_places))),
        )

    return ops.database.read(read)


def _refused(ops: Ops, status: int, code: str, call: Any) -> None:
    before = _directory_rows(ops)
    ops.unchanged(status, code, call)
    assert _directory_rows(ops) == before, "a refused request changed the directory"


def test_the_owner_writes_the_profile_and_anyone_finds_it_without_accents(ops: Ops) -> None:
    written = _put(ops, OWNER, "/v1/accounts/bakery/profile", PROFILE)
    assert written.status_code == 200, written.text
    assert written.json()["listed"] is True
    assert written.json()["name"] == "bakery"  # no display name: the code
    assert written.json()["updated_at"].endswith(("Z", "+00:00"))  # with its zone, on SQLite too

    found = ops.client.get("/v1/directory", params={"q": "EPICERIE"})  # no credential
    assert found.status_code == 200, found.text
    assert found.json() == {
        "businesses": [
            {
                "account": "bakery",
                "name": "bakery",
                "category": "Épicerie",
                "town": "Bayonne",
                "description": "Produits du pays",
                "address": "4 rue Pannecau",
            }
        ]
    }
    assert ops.client.get("/v1/directory", params={"town": "biarritz"}).json() == {"businesses": []}
    assert len(ops.client.get("/v1/directory", params={"category": "epicerie"}).json()[
        "businesses"
    ]) == 1  # fmt: skip


def test_the_owner_and_the_association_read_an_unlisted_profile(ops: Ops) -> None:
    unlisted = _put(ops, OPERATOR, "/v1/accounts/bakery/profile", {**PROFILE, "listed": False})
    assert unlisted.status_code == 200, unlisted.text
    assert ops.client.get("/v1/directory").json() == {"businesses": []}
    for role in (OWNER, OPERATOR, Role.ADMIN):
        read = ops.get(role, "/v1/accounts/bakery/profile")
        assert read.status_code == 200, read.text
        assert (read.json()["listed"], read.json()["town"]) == (False, "Bayonne")


def test_a_frozen_business_leaves_the_directory(ops: Ops) -> None:
    assert _put(ops, OWNER, "/v1/accounts/bakery/profile", PROFILE).status_code == 200
    frozen = ops.post(OPERATOR, "/v1/accounts/bakery/freeze")
    assert frozen.status_code == 200, frozen.text
    assert ops.client.get("/v1/directory").json() == {"businesses": []}


@pytest.mark.parametrize(
    "role", [Role.MEMBER, Role.MERCHANT_CASHIER, Role.OFFICE_OPERATOR, Role.AUDITOR]
)
def test_who_keeps_no_shop_writes_or_reads_no_profile(ops: Ops, role: Role) -> None:
    _refused(
        ops, 403, "role_forbidden", lambda: _put(ops, role, "/v1/accounts/bakery/profile", PROFILE)
    )
    assert_problem(ops.get(role, "/v1/accounts/bakery/profile"), 403, "role_forbidden")


def test_nobody_signed_in_writes_no_profile(ops: Ops) -> None:
    _refused(
        ops,
        401,
        "not_authenticated",
        lambda: ops.client.put("/v1/accounts/bakery/profile", json=PROFILE),
    )


def test_an_owner_writes_no_other_accounts_profile(ops: Ops) -> None:
    opened = ops.post(OPERATOR, "/v1/accounts", {"code": "bookshop", "kind": "business"})
    assert opened.status_code == 201, opened.text
    _refused(
        ops,
        403,
        "not_your_account",
        lambda: _put(ops, OWNER, "/v1/accounts/bookshop/profile", PROFILE),
    )
    # Not even an account that does not exist: the owner learns nothing of which do.
    _refused(
        ops,
        403,
        "not_your_account",
        lambda: _put(ops, OWNER, "/v1/accounts/nobody/profile", PROFILE),
    )
    assert_problem(ops.get(OWNER, "/v1/accounts/bookshop/profile"), 403, "not_your_account")


@pytest.mark.parametrize(
    "body",
    [
        {**PROFILE, "category": "x" * 61},
        {**PROFILE, "town": "y" * 81},
        {**PROFILE, "description": "z" * 281},
        {**PROFILE, "address": "a" * 121},
        {**PROFILE, "category": ""},
        {**PROFILE, "town": "Bay\nonne"},
        {**PROFILE, "listed": "yes"},
        {**PROFILE, "colour": "red"},
        {"town": "Bayonne"},
    ],
)
def test_a_bad_profile_is_refused_and_the_written_one_kept(ops: Ops, body: Any) -> None:
    assert _put(ops, OWNER, "/v1/accounts/bakery/profile", PROFILE).status_code == 200
    _refused(
        ops, 422, "validation_failed", lambda: _put(ops, OWNER, "/v1/accounts/bakery/profile", body)
    )
    assert ops.get(OWNER, "/v1/accounts/bakery/profile").json()["category"] == "Épicerie"


def test_the_core_refuses_a_blank_category_the_schema_lets_through(ops: Ops) -> None:
    _refused(
        ops,
        422,
        "invalid_request",
        lambda: _put(ops, OWNER, "/v1/accounts/bakery/profile", {**PROFILE, "category": "  "}),
    )


def test_an_unknown_or_non_business_account_is_refused(ops: Ops) -> None:
    _refused(
        ops,
        404,
        "unknown_account",
        lambda: _put(ops, OPERATOR, "/v1/accounts/nobody/profile", PROFILE),
    )
    body = assert_problem(
        _put(ops, OPERATOR, "/v1/accounts/alice/profile", PROFILE), 422, "not_a_business"
    )
    assert "business" in str(body["detail"])
    assert_problem(ops.get(OPERATOR, "/v1/accounts/town/profile"), 422, "not_a_business")
    assert_problem(ops.get(OPERATOR, "/v1/accounts/bakery/profile"), 404, "no_profile")
    assert _directory_rows(ops) == ((), ())


def test_the_search_bounds(ops: Ops) -> None:
    for params in ({"limit": "0"}, {"limit": "201"}, {"q": "q" * 101}, {"town": "t" * 81}):
        assert_problem(ops.client.get("/v1/directory", params=params), 422, "validation_failed")
    assert ops.client.get("/v1/directory", params={"limit": "200"}).status_code == 200


def test_the_association_places_an_office_and_anyone_reads_it(ops: Ops) -> None:
    place = {"address": "Place de la gare", "town": "Bayonne", "hours": "9h–12h, 14h–18h"}
    written = _put(ops, OPERATOR, f"/v1/offices/{OFFICE}/place", place)
    assert written.status_code == 200, written.text
    shown = ops.client.get("/v1/directory/offices")
    assert shown.status_code == 200, shown.text
    assert shown.json() == {
        "offices": [
            {"office": OFFICE, "name": OFFICE, **place},
            {"office": "port", "name": "port", "address": None, "town": None, "hours": None},
        ]
    }


def test_an_office_place_is_the_associations_alone(ops: Ops) -> None:
    place = {"address": "A", "town": "T", "hours": "H"}
    for role in (Role.OFFICE_OPERATOR, OWNER, Role.MEMBER):
        _refused(
            ops,
            403,
            "role_forbidden",
            lambda role=role: _put(ops, role, f"/v1/offices/{OFFICE}/place", place),
        )
    _refused(
        ops, 404, "unknown_record", lambda: _put(ops, OPERATOR, "/v1/offices/nowhere/place", place)
    )
    _refused(
        ops,
        422,
        "validation_failed",
        lambda: _put(ops, OPERATOR, f"/v1/offices/{OFFICE}/place", {**place, "hours": "h" * 201}),
    )
