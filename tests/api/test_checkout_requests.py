"""Issuing payment requests over HTTP: amounts as strings, once per key, QR and sheet."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

from monnaie_locale import checkout
from monnaie_locale.auth import Role, create_api_key
from monnaie_locale.payments import decode_request
from monnaie_locale.store.tables_checkout import payment_requests
from tests.api.checkout_support import name_account
from tests.api.conftest import World
from tests.api.helpers import assert_problem
from tests.e2e.support import issue, runtime_of
from tests.support import count_rows


def test_a_cashier_issues_a_request_for_the_amount_written_as_a_decimal_string(
    world: World,
) -> None:
    body = issue(world.client, world.auth(Role.MERCHANT_CASHIER), amount="12,50", reference="T1")

    assert (body["kind"], body["account"], body["amount"], body["status"]) == (
        "dynamic",
        "bakery",
        "12.50",
        "open",
    )
    assert body["url"] == f"HTTPS://LOCALHOST/R/{body['token']}"
    stored = world.database.read(lambda conn: checkout.get_request(conn, body["request_id"]))
    assert (stored.amount, stored.reference) == (12_50, "T1")


def test_a_terminal_api_key_issues_requests_for_its_shop(world: World) -> None:
    created = world.database.write(
        lambda conn: create_api_key(conn, "bakery", created_by=None, now=world.clock())
    )

    body = issue(world.client, {"Authorization": f"Bearer {created.secret}"}, amount="3.00")

    assert body["account"] == "bakery"


def test_the_same_idempotency_key_returns_the_first_request(world: World) -> None:
    first = issue(world.client, world.auth(Role.MERCHANT_OWNER), key="sale-7")
    again = issue(world.client, world.auth(Role.MERCHANT_OWNER), key="sale-7")

    assert again["request_id"] == first["request_id"]
    assert count_rows(world.database, payment_requests) == 1


def test_the_same_key_with_another_amount_is_refused(world: World) -> None:
    issue(world.client, world.auth(Role.MERCHANT_OWNER), key="sale-8", amount="1.00")

    response = world.client.post(
        "/v1/checkout/requests",
        json={"account": "bakery", "amount": "2.00"},
        headers={**world.auth(Role.MERCHANT_OWNER), "Idempotency-Key": "sale-8"},
    )

    assert_problem(response, 409, "idempotency_conflict")
    assert count_rows(world.database, payment_requests) == 1


def test_bad_requests_are_refused_and_issue_nothing(world: World) -> None:
    bodies = [
        ({"account": "bakery", "amount": 12.5}, 422, "validation_failed"),
        ({"account": "bakery", "amount": "0"}, 422, "validation_failed"),
        ({"account": "bakery", "amount": "-1"}, 422, "validation_failed"),
        ({"account": "bakery", "amount": "1.234"}, 422, "validation_failed"),
        ({"account": "bakery", "amount": "1", "reference": "é"}, 422, "validation_failed"),
        ({"account": "bakery", "amount": "1", "reference": "x" * 17}, 422, "validation_failed"),
        ({"account": "bakery", "amount": "1", "ttl_seconds": 0}, 422, "validation_failed"),
        ({"account": "alice", "amount": "1"}, 403, "not_your_account"),
    ]
    for index, (body, status, code) in enumerate(bodies):
        response = world.client.post(
            "/v1/checkout/requests",
            json=body,
            headers={**world.auth(Role.MERCHANT_OWNER), "Idempotency-Key": f"bad-{index}"},
        )
        assert_problem(response, status, code)
    assert count_rows(world.database, payment_requests) == 0


def test_the_png_decodes_to_a_url_that_verifies_with_the_published_key(world: World) -> None:
    body = issue(world.client, world.auth(Role.MERCHANT_CASHIER), amount="4.20")

    png = world.client.get(
        f"/v1/checkout/requests/{body['request_id']}/qr.png",
        headers=world.auth(Role.MERCHANT_CASHIER),
    )

    assert png.headers["content-type"] == "image/png"
    decoded = zxingcpp.read_barcode(Image.open(io.BytesIO(png.content)).convert("L"))
    assert decoded is not None and decoded.text == body["url"]
    runtime = runtime_of(world.client.app)
    request = decode_request(
        decoded.text,
        keyring=runtime.keyring,
        deployment_id=runtime.deployment_id,
        now=int(world.clock().timestamp()),
    )
    assert (request.amount_cents, request.request_id.hex()) == (4_20, body["request_id"])


def test_the_svg_is_served_for_a_page_to_show(world: World) -> None:
    body = issue(world.client, world.auth(Role.MERCHANT_OWNER))

    svg = world.client.get(
        f"/v1/checkout/requests/{body['request_id']}/qr.svg",
        headers=world.auth(Role.MERCHANT_OWNER),
    )

    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.startswith("<svg") and "<path" in svg.text


def test_the_owner_prints_a_static_code_on_an_a6_sheet_naming_the_shop(world: World) -> None:
    created = world.client.post(
        "/v1/checkout/static-codes",
        json={"account": "bakery"},
        headers={**world.auth(Role.MERCHANT_OWNER), "Idempotency-Key": "counter"},
    )
    assert created.status_code == 201, created.text
    assert (created.json()["kind"], created.json()["amount"]) == ("static", None)

    sheet = world.client.get(
        f"/v1/checkout/requests/{created.json()['request_id']}/sheet.svg",
        headers=world.auth(Role.MERCHANT_OWNER),
    )

    assert sheet.status_code == 200
    assert 'width="105mm"' in sheet.text and ">bakery</text>" in sheet.text


def test_the_sheet_and_the_request_name_the_shop_by_its_display_name(world: World) -> None:
    name_account(world, "bakery", "Boulangerie & Fils")
    created = world.client.post(
        "/v1/checkout/static-codes",
        json={"account": "bakery"},
        headers={**world.auth(Role.MERCHANT_OWNER), "Idempotency-Key": "counter"},
    ).json()

    sheet = world.client.get(
        f"/v1/checkout/requests/{created['request_id']}/sheet.svg",
        headers=world.auth(Role.MERCHANT_OWNER),
    )

    assert (created["account"], created["merchant_name"]) == ("bakery", "Boulangerie & Fils")
    assert ">Boulangerie &amp; Fils</text>" in sheet.text and ">bakery<" not in sheet.text


def test_the_account_names_its_holder_or_says_it_has_no_name(world: World) -> None:
    name_account(world, "bakery", "Boulangerie Etchegaray")

    named = world.client.get("/v1/accounts/bakery", headers=world.auth(Role.MERCHANT_CASHIER))
    unnamed = world.client.get("/v1/accounts/alice", headers=world.auth(Role.MEMBER))

    assert named.json()["display_name"] == "Boulangerie Etchegaray"
    assert unnamed.json()["display_name"] is None


def test_a_sale_request_has_no_printable_sheet(world: World) -> None:
    body = issue(world.client, world.auth(Role.MERCHANT_OWNER))

    response = world.client.get(
        f"/v1/checkout/requests/{body['request_id']}/sheet.svg",
        headers=world.auth(Role.MERCHANT_OWNER),
    )

    assert_problem(response, 422, "invalid_request")


def test_cancelling_a_request_closes_it_and_another_shop_cannot_see_it(world: World) -> None:
    body = issue(world.client, world.auth(Role.MERCHANT_CASHIER))
    path = f"/v1/checkout/requests/{body['request_id']}"

    cancelled = world.client.post(path + "/cancel", headers=world.auth(Role.MERCHANT_CASHIER))

    assert cancelled.json()["status"] == "cancelled"
    assert world.client.get(path, headers=world.auth(Role.MERCHANT_OWNER)).json()["status"] == (
        "cancelled"
    )
    # The town's agent is not a till; a till of another shop would be told "unknown".
    stored = world.database.read(lambda conn: checkout.get_request(conn, body["request_id"]))
    assert stored.status is checkout.RequestStatus.CANCELLED


def test_an_unknown_request_id_is_not_found(world: World) -> None:
    response = world.client.get(
        "/v1/checkout/requests/00000000000000ff", headers=world.auth(Role.MERCHANT_OWNER)
    )

    assert_problem(response, 404, "unknown_payment_request")


def test_the_published_keys_include_the_one_that_signs(world: World) -> None:
    keys = world.client.get("/v1/checkout/keys").json()["keys"]

    active = runtime_of(world.client.app).keyring.active.key_id.hex()
    assert [key["kid"] for key in keys] == [active]
    assert keys[0]["kty"] == "OKP" and keys[0]["crv"] == "Ed25519"
