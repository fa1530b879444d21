"""The OpenAPI document: complete, with examples, money as strings, problems declared."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import World

PUBLIC = {("get", "/healthz"), ("get", "/readyz"), ("post", "/v1/auth/login")}
# The keys that verify payment codes and receipts are published to anyone.
PUBLIC |= {("get", "/v1/checkout/keys")}


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
        # JSON, or a form with a file (a bank statement's upload).
        [(media_type, body)] = operation["requestBody"]["content"].items()
        assert media_type in ("application/json", "multipart/form-data"), f"{method} {path}"
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
    moving |= {
        ("post", f"/v1/notes/{movement}")
        for movement in ("print", "deliver", "return", "sell", "deposit", "destroy", "lose", "find")
    }
    for method, path, operation in _operations(document):
        headers = {
            p["name"]: p["required"] for p in operation.get("parameters", []) if p["in"] == "header"
        }
        assert (headers.get("Idempotency-Key") is True) == ((method, path) in moving), path
