"""The HTTP floor of ``bench.http_load --floor`` answers a payment's request as the service
does (status and shape), so that what it measures is the same exchange without the ledger."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.schemas.ledger import TransactionOut
from bench.floor_app import create_app

BODY = {"payer": "member:0001", "payee": "business:0001", "amount": "1.00", "memo": "bench"}
HEADERS = {"Authorization": "Bearer x", "Idempotency-Key": "k-1"}


def test_the_floor_answers_a_payment_with_the_services_shape() -> None:
    with TestClient(create_app()) as client:
        first = client.post("/v1/transfers", json=BODY, headers=HEADERS)
        second = client.post("/v1/transfers", json=BODY, headers=HEADERS)

    assert first.status_code == 201
    answer = TransactionOut.model_validate(first.json())  # the service's own answer model
    assert [(p.account, p.amount) for p in answer.postings] == [
        ("member:0001", "-1.00"),
        ("business:0001", "1.00"),
    ]
    assert second.json()["id"] == answer.id + 1


def test_the_floor_refuses_a_request_without_its_headers() -> None:
    with TestClient(create_app()) as client:
        answer = client.post("/v1/transfers", json=BODY)

    assert answer.status_code == 422
