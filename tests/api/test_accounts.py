"""Accounts over HTTP: who sees which, balances, statements and their pages."""

from __future__ import annotations

import base64

import pytest

from monnaie_locale.auth import Role
from tests.api.conftest import World
from tests.api.helpers import assert_problem

ALL_CODES = {
    "issuance",
    "external",
    "reserve:digital",
    "alice",
    "bob",
    "bakery",
    "town",
    "office-1",
    "association:operating",
}


def walk_accounts(world: World, role: Role, *, limit: int) -> list[str]:
    codes: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        page = world.client.get("/v1/accounts", headers=world.auth(role), params=params).json()
        codes.extend(item["code"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return codes


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.MEMBER, ["alice"]),
        (Role.MERCHANT_OWNER, ["bakery"]),
        (Role.MERCHANT_CASHIER, ["bakery"]),
        (Role.AUTHORITY_AGENT, ["town"]),
    ],
)
def test_a_holder_sees_only_their_accounts(world: World, role: Role, expected: list[str]) -> None:
    assert walk_accounts(world, role, limit=100) == expected


@pytest.mark.parametrize(
    "role", [Role.AUDITOR, Role.OFFICE_OPERATOR, Role.ASSOCIATION_OPERATOR, Role.ADMIN]
)
def test_auditors_operators_and_admins_see_every_account(world: World, role: Role) -> None:
    assert set(walk_accounts(world, role, limit=100)) == ALL_CODES


def test_pages_cover_every_account_exactly_once(world: World) -> None:
    codes = walk_accounts(world, Role.AUDITOR, limit=2)
    assert len(codes) == len(ALL_CODES)
    assert set(codes) == ALL_CODES


def test_an_account_shows_balance_held_and_available(world: World) -> None:
    body = world.client.get("/v1/accounts/alice", headers=world.auth(Role.MEMBER)).json()
    assert body["code"] == "alice" and body["kind"] == "member"
    assert (body["balance"], body["held"], body["available"]) == ("100.00", "0.00", "100.00")


def test_an_unbounded_account_has_no_available_figure(world: World) -> None:
    body = world.client.get("/v1/accounts/issuance", headers=world.auth(Role.AUDITOR)).json()
    assert body["balance"] == "-100.00"
    assert body["available"] is None and body["lower_limit"] is None


def test_someone_elses_account_is_forbidden(world: World) -> None:
    response = world.client.get("/v1/accounts/bakery", headers=world.auth(Role.MEMBER))
    assert_problem(response, 403, "not_your_account")


def test_a_holder_cannot_probe_which_accounts_exist(world: World) -> None:
    response = world.client.get("/v1/accounts/nobody", headers=world.auth(Role.MEMBER))
    assert_problem(response, 403, "not_your_account")


def test_an_unknown_account_is_not_found_for_those_who_see_all(world: World) -> None:
    response = world.client.get("/v1/accounts/nobody", headers=world.auth(Role.AUDITOR))
    assert_problem(response, 404, "unknown_account")


def test_a_statement_pages_through_the_postings_newest_first(world: World) -> None:
    for n in range(1, 4):
        world.ledger.transfer("alice", "bakery", n * 100, idempotency_key=f"p{n}")
    headers = world.auth(Role.MEMBER)
    first = world.client.get("/v1/accounts/alice/statement?limit=2", headers=headers).json()
    assert [line["amount"] for line in first["items"]] == ["-3.00", "-2.00"]
    assert first["items"][0]["balance_after"] == "94.00"
    second = world.client.get(
        "/v1/accounts/alice/statement",
        headers=headers,
        params={"limit": 2, "cursor": first["next_cursor"]},
    ).json()
    assert [line["amount"] for line in second["items"]] == ["-1.00", "100.00"]
    assert second["next_cursor"] is None


def test_someone_elses_statement_is_forbidden(world: World) -> None:
    response = world.client.get("/v1/accounts/alice/statement", headers=world.as_bob())
    assert_problem(response, 403, "not_your_account")


def _forged(text: bytes) -> str:
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


ACCOUNTS, STATEMENT = "/v1/accounts", "/v1/accounts/alice/statement"


@pytest.mark.parametrize(
    ("path", "cursor", "code"),
    [
        (ACCOUNTS, "%%%", "validation_failed"),
        (STATEMENT, "a=b", "validation_failed"),
        (ACCOUNTS, _forged(b"not-a-cursor"), "invalid_request"),
        (STATEMENT, _forged(b"not-a-cursor"), "invalid_request"),
        (ACCOUNTS, _forged(b"p1"), "invalid_request"),  # a statement's cursor
        (STATEMENT, _forged(b"a1"), "invalid_request"),  # an account list's cursor
        # Out of range: read as "past the end", not an overflow in the database.
        (ACCOUNTS, _forged(b"a" + b"9" * 40), None),
        (STATEMENT, _forged(b"p" + b"9" * 40), None),
    ],
)
def test_a_forged_cursor_is_refused_or_harmless(
    world: World, path: str, cursor: str, code: str | None
) -> None:
    response = world.client.get(path, headers=world.auth(Role.ADMIN), params={"cursor": cursor})
    if code is None:
        assert response.status_code == 200
    else:
        assert_problem(response, 422, code)


@pytest.mark.parametrize("limit", ["0", "501", "-1", "many"])
def test_a_page_size_out_of_range_is_refused(world: World, limit: str) -> None:
    response = world.client.get(
        "/v1/accounts", headers=world.auth(Role.ADMIN), params={"limit": limit}
    )
    assert_problem(response, 422, "validation_failed")


@pytest.mark.parametrize("code", ["a%00b", "%20alice", "x" * 121])
def test_an_account_code_that_cannot_exist_is_refused(world: World, code: str) -> None:
    response = world.client.get(f"/v1/accounts/{code}", headers=world.auth(Role.ADMIN))
    assert_problem(response, 422, "validation_failed")
