"""The association's hand on accounts: opening holder accounts, freezing, unfreezing and
closing them. Every refusal has its own code and changes nothing."""

from __future__ import annotations

from functools import partial
from typing import Any

import httpx
import pytest

from monnaie_locale.auth import Role
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
        ({"code": "carol", "kind": "association"}, "validation_failed"),
        ({"code": "carol", "kind": "system"}, "validation_failed"),
        ({"code": " carol", "kind": "member"}, "validation_failed"),
        ({"code": "carol", "kind": "member", "currency": "EUR"}, "validation_failed"),
        ({"code": "carol", "kind": "member", "category": "no-such-fee"}, "invalid_request"),
        ({"code": "carol", "kind": "member", "display_name": "\u202eevil"}, "invalid_request"),
    ],
    ids=["association", "system", "outer-space", "currency", "unpriced-category", "bidi-name"],
)
def test_bad_account_bodies_open_nothing(world: World, body: dict[str, Any], code: str) -> None:
    refused(world.database, 422, code, lambda: operator_post(world, "/v1/accounts", body))


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
