"""A shop's cashiers, managed by its owner: through the acts, the API and ``mlc``.

The owner of bakery (``baker``) adds a cashier who signs in, takes payments and refunds
only within the cashier's limit; disables them (their token stops working at once), lets
them back in, sets their password. The owner of another shop (cafe) neither sees nor
touches bakery's cashiers, and nobody learns from a refusal whether a user exists: a user
who is not a cashier of the shop is unknown, exactly as a name nobody has. Every refusal
changes nothing.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from sqlalchemy import Connection

from monnaie_locale.acting import Context
from monnaie_locale.acts import cashiers, sessions, users
from monnaie_locale.auth import Role, create_user, issue_token, link_account
from monnaie_locale.auth.errors import (
    DuplicateUser,
    NotYourAccount,
    UnknownUser,
    WeakPassword,
)
from monnaie_locale.deployment import from_settings as deployment_from_settings
from monnaie_locale.deployment import open_holder_account
from monnaie_locale.errors import UnknownAccount
from monnaie_locale.model import AccountKind
from tests.api.helpers import assert_problem
from tests.api.operations_support import ops_settings

if TYPE_CHECKING:
    # Imported by pytest, as a plugin, so that its assertions are rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

OWNER, ADMIN = Role.MERCHANT_OWNER, Role.ADMIN
SECRET = "a long new secret"
PASSWORD_ENV = "MLC_CASHIER_PASSWORD"
# Every role but the shop's owner and the administrator.
NOT_MANAGERS = [role for role in Role if role not in (OWNER, ADMIN)]


def _bearer(token: str, key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    return headers if key is None else headers | {"Idempotency-Key": key}


def _login(fronts: Fronts, username: str, password: str = SECRET) -> httpx.Response:
    response: httpx.Response = fronts.ops.client.post(
        "/v1/auth/login", json={"username": username, "password": password}
    )
    return response


def _me(fronts: Fronts, token: str) -> httpx.Response:
    response: httpx.Response = fronts.ops.client.get("/v1/me", headers=_bearer(token))
    return response


def _added(fronts: Fronts, username: str = "lea.bakery") -> dict[str, Any]:
    """A new cashier of bakery, added by its owner over HTTP."""
    response = fronts.ops.post(
        OWNER, "/v1/accounts/bakery/cashiers", {"username": username, "password": SECRET}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _cafe(fronts: Fronts) -> dict[str, str]:
    """Another shop, cafe, with its owner and its cashier; their tokens by name."""
    deployment = deployment_from_settings(ops_settings())
    clock = fronts.ops.clock

    def open_it(conn: Connection) -> dict[str, str]:
        open_holder_account(conn, deployment, "cafe", kind=AccountKind.BUSINESS, now=clock())
        tokens = {}
        for name, role in (("cafe.owner", OWNER), ("cafe.till", Role.MERCHANT_CASHIER)):
            user = create_user(conn, name, password=SECRET, role=role, now=clock())
            link_account(conn, user.id, account_code="cafe")
            tokens[name] = issue_token(conn, user.id, now=clock(), ttl=timedelta(hours=1)).token
        return tokens

    return fronts.database.write(open_it)


def _as(fronts: Fronts, username: str) -> Context:
    return Context(
        database=fronts.database,
        actor=sessions.acting_as(fronts.database, username),
        deployment=deployment_from_settings(ops_settings()),
        clock=fronts.ops.clock,
    )


def test_an_owner_adds_a_cashier_who_takes_payments_and_refunds_only_within_the_limit(
    fronts: Fronts,
) -> None:
    added = _added(fronts)
    assert added == {
        "username": "lea.bakery",
        "role": "merchant_cashier",
        "active": True,
        "locked_until": None,
        "accounts": ["bakery"],
    }
    signed_in = _login(fronts, "lea.bakery")
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["token"]
    client = fronts.ops.client
    issued = client.post(
        "/v1/checkout/requests",
        json={"account": "bakery", "amount": "60.00"},
        headers=_bearer(token, "sale-1"),
    )
    assert issued.status_code == 201, issued.text
    fronts.ops.converted("alice", "100", key="card-alice")
    paid = client.post(
        "/v1/checkout/pay",
        json={"request": issued.json()["token"]},
        headers=fronts.ops.auth(Role.MEMBER, "pay-1"),
    )
    assert paid.status_code == 201, paid.text
    refunds = f"/v1/checkout/payments/{paid.json()['payment_id']}/refunds"
    # The cashier's daily limit is 50.00: a refund above it is the owner's to make.
    fronts.ops.unchanged(
        409,
        "refund_limit_exceeded",
        lambda: client.post(refunds, json={"amount": "60.00"}, headers=_bearer(token, "r-1")),
    )
    refunded = client.post(refunds, json={"amount": "10.00"}, headers=_bearer(token, "r-2"))
    assert refunded.status_code == 201, refunded.text
    # A cashier manages no cashier, not even of their own shop.
    assert_problem(
        client.get("/v1/accounts/bakery/cashiers", headers=_bearer(token)), 403, "role_forbidden"
    )
    listed = fronts.ops.get(OWNER, "/v1/accounts/bakery/cashiers")
    assert listed.status_code == 200, listed.text
    assert [item["username"] for item in listed.json()["items"]] == ["lea.bakery", "till"]


def test_the_owner_creates_nothing_but_a_cashier_and_a_taken_name_is_refused(
    fronts: Fronts,
) -> None:
    before = fronts.state()
    body = {"username": "boss", "password": SECRET, "role": "admin"}
    assert_problem(
        fronts.ops.post(OWNER, "/v1/accounts/bakery/cashiers", body), 422, "validation_failed"
    )
    for name in ("alice", "till"):
        with pytest.raises(DuplicateUser):
            cashiers.add_cashier(fronts.context(OWNER), "bakery", name, SECRET)
    with pytest.raises(WeakPassword):
        cashiers.add_cashier(fronts.context(OWNER), "bakery", "lea.bakery", "short")
    assert fronts.state() == before


def test_the_owner_of_another_shop_neither_sees_nor_touches_the_shops_cashiers(
    fronts: Fronts,
) -> None:
    tokens = _cafe(fronts)
    cafe = _as(fronts, "cafe.owner")
    client = fronts.ops.client
    before = fronts.state()
    with pytest.raises(NotYourAccount):
        cashiers.list_cashiers(cafe, "bakery")
    assert_problem(
        client.get("/v1/accounts/bakery/cashiers", headers=_bearer(tokens["cafe.owner"])),
        403,
        "not_your_account",
    )
    for action in ("disable", "enable", "password"):
        path = f"/v1/accounts/bakery/cashiers/till/{action}"
        body = {"password": SECRET} if action == "password" else {}
        response = client.post(path, json=body, headers=_bearer(tokens["cafe.owner"]))
        assert_problem(response, 403, "not_your_account")
    # Through their own shop: bakery's cashier is unknown there, as a name nobody has.
    nobody = assert_problem(
        client.post(
            "/v1/accounts/cafe/cashiers/nobody/disable", headers=_bearer(tokens["cafe.owner"])
        ),
        404,
        "unknown_user",
    )
    for username in ("till", "nobody", "alice", "baker", "admin", "cafe.owner"):
        with pytest.raises(UnknownUser) as caught:
            cashiers.disable_cashier(cafe, "cafe", username)
        assert caught.value.message == UnknownUser(username).message
        response = client.post(
            f"/v1/accounts/cafe/cashiers/{username}/disable",
            headers=_bearer(tokens["cafe.owner"]),
        )
        problem = assert_problem(response, 404, "unknown_user")
        assert problem["detail"] == str(nobody["detail"]).replace("nobody", username)
    assert [user.username for user in cashiers.list_cashiers(cafe, "cafe")] == ["cafe.till"]
    assert fronts.state() == before
    # Bakery's cashier still signs in: nothing was done to them.
    assert _login(fronts, "till", "correct horse battery").status_code == 200


@pytest.mark.parametrize("role", NOT_MANAGERS)
def test_no_other_role_manages_cashiers(fronts: Fronts, role: Role) -> None:
    fronts.refused(
        role,
        lambda ctx: cashiers.list_cashiers(ctx, "bakery"),
        status=403,
        api=lambda: fronts.ops.get(role, "/v1/accounts/bakery/cashiers"),
        cli=("cashiers", "list", "bakery"),
    )
    fronts.refused(
        role,
        lambda ctx: cashiers.disable_cashier(ctx, "bakery", "till"),
        status=403,
        api=lambda: fronts.ops.post(role, "/v1/accounts/bakery/cashiers/till/disable"),
        cli=("cashiers", "disable", "bakery", "till"),
    )
    body = {"username": "lea.bakery", "password": SECRET}
    error = fronts.refused(
        role,
        lambda ctx: cashiers.add_cashier(ctx, "bakery", "lea.bakery", SECRET),
        status=403,
        api=lambda: fronts.ops.post(role, "/v1/accounts/bakery/cashiers", body),
    )
    assert error.code == "role_forbidden"


def test_a_disabled_cashier_cannot_sign_in_and_their_token_stops_working(
    fronts: Fronts,
) -> None:
    _added(fronts)
    token = _login(fronts, "lea.bakery").json()["token"]
    assert _me(fronts, token).status_code == 200
    disabled = fronts.ops.post(OWNER, "/v1/accounts/bakery/cashiers/lea.bakery/disable")
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["active"] is False
    assert_problem(_me(fronts, token), 401, "not_authenticated")
    assert_problem(_login(fronts, "lea.bakery"), 401, "invalid_credentials")
    enabled = fronts.ops.post(OWNER, "/v1/accounts/bakery/cashiers/lea.bakery/enable")
    assert enabled.status_code == 200, enabled.text
    assert enabled.json()["active"] is True
    # Back in with the password, but the sessions ended by disabling stay ended.
    assert _login(fronts, "lea.bakery").status_code == 200
    assert_problem(_me(fronts, token), 401, "not_authenticated")


def test_the_owner_sets_a_cashiers_password_and_signs_them_out(fronts: Fronts) -> None:
    _added(fronts)
    token = _login(fronts, "lea.bakery").json()["token"]
    reset = fronts.ops.post(
        OWNER,
        "/v1/accounts/bakery/cashiers/lea.bakery/password",
        {"password": "another long secret"},
    )
    assert reset.status_code == 200, reset.text
    assert_problem(_me(fronts, token), 401, "not_authenticated")
    assert_problem(_login(fronts, "lea.bakery"), 401, "invalid_credentials")
    assert _login(fronts, "lea.bakery", "another long secret").status_code == 200
    before = fronts.state()
    with pytest.raises(WeakPassword):
        cashiers.reset_cashier_password(fronts.context(OWNER), "bakery", "lea.bakery", "short")
    assert fronts.state() == before


def test_an_administrator_manages_any_shops_cashiers_but_not_an_unknown_shops(
    fronts: Fronts,
) -> None:
    _cafe(fronts)
    admin = fronts.context(ADMIN)
    assert [user.username for user in cashiers.list_cashiers(admin, "cafe")] == ["cafe.till"]
    assert cashiers.disable_cashier(admin, "cafe", "cafe.till").active is False
    # Bakery's cashier is not cafe's, even for an administrator.
    with pytest.raises(UnknownUser):
        cashiers.disable_cashier(admin, "cafe", "till")
    before = fronts.state()
    with pytest.raises(UnknownAccount):
        cashiers.add_cashier(admin, "no-such-shop", "lea.bakery", SECRET)
    assert fronts.state() == before


def test_a_cashier_linked_to_another_shop_too_is_not_the_owners_alone(fronts: Fronts) -> None:
    _cafe(fronts)
    admin = fronts.context(ADMIN)
    users.link_account(admin, "cafe.till", "bakery")
    with pytest.raises(UnknownUser):
        cashiers.disable_cashier(fronts.context(OWNER), "bakery", "cafe.till")
    assert "cafe.till" in [u.username for u in cashiers.list_cashiers(admin, "bakery")]


def test_mlc_cashiers_does_what_the_routes_do(
    fronts: Fronts, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, SECRET)
    baker = "baker"
    added = fronts.mlc(
        "cashiers", "add", "bakery", "lea.bakery", "--password-env", PASSWORD_ENV, actor=baker
    )
    assert added.exit_code == 0, added.output
    assert "lea.bakery" in added.stdout
    assert _login(fronts, "lea.bakery").status_code == 200
    listed = fronts.mlc("cashiers", "list", "bakery", "--json", actor=baker)
    assert listed.exit_code == 0, listed.output
    assert [(item["username"], item["active"]) for item in json.loads(listed.stdout)] == [
        ("lea.bakery", True),
        ("till", True),
    ]
    disabled = fronts.mlc("cashiers", "disable", "bakery", "lea.bakery", actor=baker)
    assert disabled.exit_code == 0, disabled.output
    assert_problem(_login(fronts, "lea.bakery"), 401, "invalid_credentials")
    enabled = fronts.mlc("cashiers", "enable", "bakery", "lea.bakery", actor=baker)
    assert enabled.exit_code == 0, enabled.output
    monkeypatch.setenv(PASSWORD_ENV, "another long secret")
    reset = fronts.mlc(
        "cashiers", "password", "bakery", "lea.bakery", "--password-env", PASSWORD_ENV,
        actor=baker,
    )  # fmt: skip
    assert reset.exit_code == 0, reset.output
    assert _login(fronts, "lea.bakery", "another long secret").status_code == 200
    # A name that is no cashier of the shop: refused before any password is asked for.
    before = fronts.state()
    unknown = fronts.mlc("cashiers", "password", "bakery", "alice", actor=baker, input="x\nx\n")
    assert unknown.exit_code != 0
    assert "alice" in unknown.stderr
    assert fronts.state() == before
