"""The OpenAPI document: complete, with examples, money as strings, problems declared, and
as strict as the server: what it lets through, the server accepts for its form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.schemas.common import MAX_ROW_ID
from monnaie_locale.auth import Role
from monnaie_locale.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from monnaie_locale.config import Settings
from tests.api.conftest import World
from tests.api.helpers import assert_problem

PUBLIC = {("get", "/healthz"), ("get", "/readyz"), ("post", "/v1/auth/login")}
# The keys that verify payment codes and receipts are published to anyone.
PUBLIC |= {("get", "/v1/checkout/keys")}
# Signing in with a passkey, as with a password.
PUBLIC |= {("post", "/v1/auth/passkeys/sign-in/options"), ("post", "/v1/auth/passkeys/sign-in")}
# The directory of businesses and exchange offices is for anyone to read.
PUBLIC |= {("get", "/v1/directory"), ("get", "/v1/directory/offices")}
# The published log is for anyone to watch: its checkpoints, keys and consistency proofs.
PUBLIC |= {
    ("get", "/v1/transparency/checkpoint"),
    ("get", "/.well-known/monnaie-locale/checkpoint"),
    ("get", "/v1/transparency/checkpoints/{checkpoint_id}"),
    ("get", "/v1/transparency/checkpoints"),
    ("get", "/v1/transparency/keys"),
    ("get", "/v1/transparency/proof/consistency"),
}
# The published log's witnesses: who they are, and what they send, signed by their own keys.
PUBLIC |= {
    ("get", "/v1/transparency/witnesses"),
    ("post", "/v1/transparency/cosignatures"),
    ("post", "/v1/transparency/forks"),
}


@pytest.fixture
def document(world: World) -> dict[str, Any]:
    response = world.client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_every_protected_operation_declares_its_security(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        declared = bool(operation.get("security"))
        assert declared == ((method, path) not in PUBLIC), f"{method} {path}"


def test_every_request_body_has_an_example(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for method, path, operation in _operations(document):
        if "requestBody" not in operation:
            continue
        # JSON, a form with a file (a bank statement's upload), or a signed note's text.
        [(media_type, body)] = operation["requestBody"]["content"].items()
        assert media_type in ("application/json", "multipart/form-data", "text/plain"), path
        if media_type == "text/plain":
            assert body.get("example"), f"{method} {path} has no example body"
            continue
        content = body["schema"]
        ref = content.get("$ref") or next(
            option["$ref"] for option in content.get("anyOf", []) if "$ref" in option
        )
        schema = schemas[ref.rsplit("/", 1)[1]]
        assert schema.get("examples"), f"{method} {path} has no example body"


def test_money_is_documented_as_strings(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for name in ("TransferIn", "HoldIn"):
        assert schemas[name]["properties"]["amount"]["type"] == "string"
    for name in ("AccountOut", "PostingOut", "StatementLineOut"):
        for field, spec in schemas[name]["properties"].items():
            if field in ("amount", "balance", "balance_after"):
                assert spec["type"] == "string", f"{name}.{field}"


def test_error_responses_are_problem_documents(document: dict[str, Any]) -> None:
    assert "Problem" in document["components"]["schemas"]
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert list(response["content"]) == ["application/problem+json"], (
                    f"{method} {path} {status}"
                )


def test_money_moving_operations_require_an_idempotency_key(document: dict[str, Any]) -> None:
    moving = {
        ("post", "/v1/transfers"),
        ("post", "/v1/holds"),
        ("post", "/v1/holds/{hold_id}/post"),
        ("post", "/v1/transactions/{transaction_id}/reversal"),
    }
    # The QR checkout: issuing a request or code, paying it, refunding.
    moving |= {
        ("post", "/v1/checkout/requests"),
        ("post", "/v1/checkout/static-codes"),
        ("post", "/v1/checkout/pay"),
        ("post", "/v1/checkout/payments/{payment_id}/refunds"),
    }
    # A régie's counter issues a payment request for each sale, as a shop's till does.
    moving |= {("post", "/v1/regies/{code}/sales")}
    # The currency operations: conversions, reconversions and their payouts, paper notes,
    # tills, membership fees; and the settlements the bank confirms, statements included.
    moving |= {
        ("post", "/v1/conversions/orders"),
        ("post", "/v1/conversions/orders/{reference}/credit"),
        ("post", "/v1/conversions/card"),
        ("post", "/v1/conversions/cash"),
        ("post", "/v1/reconversions"),
        ("post", "/v1/reconversions/{request_id}/paid"),
        ("post", "/v1/payout-batches"),
        ("post", "/v1/payout-batches/{batch_id}/paid"),
        ("post", "/v1/offices/{office}/closings"),
        ("post", "/v1/offices/{office}/bank-deposits"),
        ("post", "/v1/bank-deposits/{deposit_id}/received"),
        ("post", "/v1/membership/fees"),
        ("post", "/v1/bank/statements"),
    }
    # The association's other money flows.
    moving |= {
        ("post", f"/v1/books/{flow}")
        for flow in (
            "bank-fees",
            "card-fees",
            "interest",
            "to-operating",
            "donations",
            "grants",
            "unit-donations",
            "closures",
            "note-write-offs",
            "conversion-reversals",
        )
    }
    # A local authority's mandates: proposing one (recorded once), paying it.
    moving |= {
        ("post", "/v1/authorities/{code}/mandates"),
        ("post", "/v1/authorities/{code}/mandates/{mandate_id}/approval"),
    }
    # A régie's versement: its units held toward the Trésor once per key.
    moving |= {("post", "/v1/regies/{code}/versements")}
    moving |= {
        ("post", f"/v1/notes/{movement}")
        for movement in ("print", "deliver", "return", "sell", "deposit", "destroy", "lose", "find")
    }
    for method, path, operation in _operations(document):
        headers = {
            p["name"]: p["required"] for p in operation.get("parameters", []) if p["in"] == "header"
        }
        assert (headers.get("Idempotency-Key") is True) == ((method, path) in moving), path


# As strict as the server, and complete -------------------------------------------------------


RULE = {"pattern": "association:fees", "number": "706100", "label": "Commissions"}


def _request_properties(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(schema, property, its schema) for every property of every request body."""
    schemas = document["components"]["schemas"]
    found: list[tuple[str, str, dict[str, Any]]] = []
    seen: set[str] = set()

    def walk(schema: dict[str, Any]) -> None:
        for option in [*schema.get("anyOf", []), *([schema["items"]] if "items" in schema else [])]:
            walk(option)
        ref = schema.get("$ref")
        if ref is None or ref in seen:
            return
        seen.add(ref)
        name = ref.rsplit("/", 1)[1]
        for field, spec in schemas[name].get("properties", {}).items():
            plain = next((o for o in spec.get("anyOf", []) if o.get("type") != "null"), spec)
            found.append((name, field, plain))
            walk(plain)

    for _, _, operation in _operations(document):
        for body in operation.get("requestBody", {}).get("content", {}).values():
            walk(body["schema"])
    return found


def _ecma(pattern: str) -> re.Pattern[str]:
    # JSON Schema patterns are ECMA-262, where "$" matches only at the very end.
    return re.compile(pattern.replace("$", r"\Z"))


def test_no_request_amount_pattern_admits_zero_or_spaces(document: dict[str, Any]) -> None:
    amounts = [
        (name, field, spec)
        for name, field, spec in _request_properties(document)
        if field.endswith(("amount", "denomination", "counted", "limit"))
    ]
    assert len(amounts) >= 15
    for name, field, spec in amounts:
        pattern = _ecma(spec["pattern"])
        assert pattern.search("12.50") and pattern.search("12,5"), f"{name}.{field}"
        for bad in (" 12.50", "12.50\n", "1e3", "12.505", "01.00", "10000000000000"):
            assert not pattern.search(bad), f"{name}.{field} admits {bad!r}"
        if field.endswith(("amount", "denomination")):
            for zero in ("0", "0.00", "0,0", "-1"):
                assert not pattern.search(zero), f"{name}.{field} admits {zero!r}"


def test_new_passwords_are_documented_as_the_server_checks_them(
    document: dict[str, Any],
) -> None:
    passwords = [
        (name, field, spec)
        for name, field, spec in _request_properties(document)
        if field.endswith("password")
    ]
    assert {(name, field) for name, field, _ in passwords} == {
        ("CashierIn", "password"),
        ("LoginIn", "password"),
        ("PasswordChangeIn", "current_password"),
        ("PasswordChangeIn", "new_password"),
        ("PasswordResetIn", "password"),
        ("UserIn", "password"),
    }
    for name, field, spec in passwords:
        assert spec["maxLength"] == MAX_PASSWORD_LENGTH
        checked = name != "LoginIn" and field != "current_password"
        expected = MIN_PASSWORD_LENGTH if checked else 1
        assert spec["minLength"] == expected, f"{name}.{field}"


def test_dates_and_moments_are_strings_of_one_shape(document: dict[str, Any]) -> None:
    schemas = [
        (f"{method} {path} {parameter['name']}", parameter["schema"])
        for method, path, operation in _operations(document)
        for parameter in operation.get("parameters", [])
    ]
    schemas += [(f"{name}.{field}", spec) for name, field, spec in _request_properties(document)]
    dated = []
    for where, schema in schemas:
        plain = next((o for o in schema.get("anyOf", []) if o.get("type") != "null"), schema)
        if plain.get("format") in ("date", "date-time"):
            dated.append(where)
            assert plain["type"] == "string" and plain["pattern"].startswith("^"), where
    assert len(dated) >= 7


@pytest.mark.parametrize(
    ("path", "role", "params"),
    [
        ("/v1/membership/status", Role.AUDITOR, {"on": "0"}),
        ("/v1/reserve/report", Role.AUDITOR, {"as_of": "0.5"}),
        ("/v1/reserve/report", Role.AUDITOR, {"as_of": "1700000000"}),
        ("/v1/exports/fec", Role.AUDITOR, {"to": "0"}),
        ("/v1/reports/income-statement", Role.AUDITOR, {"from": "20261102"}),
        ("/v1/reports/balance-sheet", Role.AUDITOR, {"to": "0"}),
        ("/v1/accounts/alice/statement", Role.MEMBER, {"format": "csv", "from": "20261102"}),
    ],
)
def test_a_number_given_for_a_date_is_refused(
    world: World, path: str, role: Role, params: dict[str, str]
) -> None:
    response = world.client.get(path, headers=world.auth(role), params=params)
    assert_problem(response, 422, "validation_failed")


def test_time_zones_are_the_ones_the_server_knows(document: dict[str, Any]) -> None:
    zones = [
        parameter["schema"]
        for _, _, operation in _operations(document)
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "timezone"
    ]
    # The exports (4 routes) and the income statement and balance sheet.
    assert len(zones) == 6
    for schema in zones:
        assert "Europe/Paris" in schema["enum"] and "Nowhere/Town" not in schema["enum"]


def test_every_route_the_limits_count_documents_429(world: World) -> None:
    """Each POST, made by a caller over a payment limit of one a minute, reveals whether
    the limit counts it; every route that answers 429 must say so, and no other."""
    settings = Settings(payment_attempts_per_minute=1)
    limited = create_app(settings, database=world.database, clock=world.clock)
    admin = world.auth(Role.ADMIN)
    with TestClient(limited) as client:
        document = client.get("/openapi.json").json()
        client.post("/v1/transfers", headers=admin, json={})  # the one attempt allowed
        answered = set()
        for method, path, _ in _operations(document):
            if method != "post" or path == "/v1/auth/logout":  # logout ends the session
                continue
            response = client.post(re.sub(r"\{[^}]+\}", "1", path), headers=admin, json={})
            if response.status_code == 429:
                assert response.headers["Retry-After"]
                answered.add(path)
    documented = {
        path for method, path, operation in _operations(document) if "429" in operation["responses"]
    }
    # The sign-in limit and lock, by address and by user, are shown in test_auth (and
    # for passkeys in test_passkeys).
    assert documented - answered == {
        "/v1/auth/login",
        "/v1/auth/password",
        "/v1/auth/passkeys/sign-in/options",
        "/v1/auth/passkeys/sign-in",
    }
    assert answered <= documented
    assert len(answered) >= 30
    for _, path, operation in _operations(document):
        if "429" in operation["responses"]:
            assert operation["responses"]["429"]["headers"]["Retry-After"]["required"], path


def test_the_document_says_what_a_receipt_signature_covers(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for name in ("PaymentOut", "PaymentLineOut", "RefundOut"):
        assert schemas[name]["properties"]["receipt"]["$ref"].endswith("/SignedReceipt")
    description = schemas["SignedReceipt"]["description"]
    for words in ("Ed25519", "canonical JSON", "keys sorted", "RFC 8785", "/v1/checkout/keys"):
        assert words in description
    receipt = schemas["ReceiptFields"]["properties"]
    assert receipt["type"]["const"] == "monnaie-locale/payment-receipt/v1"


def test_the_webhooks_are_documented_as_standard_webhooks(document: dict[str, Any]) -> None:
    webhooks = document["webhooks"]
    assert set(webhooks) == {"checkout.payment", "checkout.refund"}
    for webhook in webhooks.values():
        operation = webhook["post"]
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}
        assert "Standard Webhooks" in operation["description"]
        assert "<webhook-id>.<webhook-timestamp>.<body>" in operation["description"]
        assert "HMAC-SHA256" in operation["description"]


@pytest.mark.parametrize(
    ("path", "role", "body"),
    [
        # A boolean, a count and an id are JSON values of their type, never strings or 0/1.
        ("/v1/exports/fec", Role.AUDITOR, {"rules": [RULE | {"auxiliary": 0}]}),
        ("/v1/notes/print", Role.ADMIN, {"notes": [{"denomination": "20", "count": "1"}]}),
        ("/v1/payout-batches", Role.ADMIN, {"request_ids": ["12"]}),
        ("/v1/payout-batches", Role.ADMIN, {"request_ids": [2**53]}),
    ],
)
def test_a_body_value_of_another_json_type_is_refused(
    world: World, path: str, role: Role, body: dict[str, Any]
) -> None:
    headers = world.auth(role) | {"Idempotency-Key": "k1"}
    response = world.client.post(path, headers=headers, json=body)
    assert_problem(response, 422, "validation_failed")


def test_ids_are_bounded_by_what_a_json_double_holds(document: dict[str, Any]) -> None:
    conversion = document["paths"]["/v1/conversions/{conversion_id}"]["get"]
    bounds = [parameter["schema"]["maximum"] for parameter in conversion["parameters"]]
    bounds += [
        spec["items"]["maximum"]
        for _, field, spec in _request_properties(document)
        if field == "request_ids"
    ]
    assert bounds == [MAX_ROW_ID, MAX_ROW_ID]
    assert float(MAX_ROW_ID) == MAX_ROW_ID


def test_a_bad_time_zone_is_refused_for_a_json_statement_too(world: World) -> None:
    response = world.client.get(
        "/v1/accounts/alice/statement", headers=world.auth(Role.MEMBER), params={"timezone": "AAA"}
    )
    assert_problem(response, 422, "invalid_request")
