"""The demonstration deployment plays the whole story with its own sign-ins: a member pays
the bakery, the bakery reconverts, the association pays it with a pain.001 file, and the
exchange office closes its till."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from schwifty import IBAN

from api.app import create_app
from monnaie_locale import demo
from monnaie_locale.clock import utc_now
from monnaie_locale.config import Settings
from monnaie_locale.store import Database

PASSWORDS = {user.username: user.password for user in demo.DEMO_USERS}


class Demo:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self._keys = iter(range(1, 1000))

    def sign_in(self, username: str) -> dict[str, str]:
        answer = self.client.post(
            "/v1/auth/login", json={"username": username, "password": PASSWORDS[username]}
        )
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['token']}"}

    def post(self, who: dict[str, str], path: str, body: dict[str, Any], **params: str) -> Any:
        headers = {**who, "Idempotency-Key": f"demo-story-{next(self._keys)}"}
        return self.client.post(path, json=body, headers=headers, params=params)


@pytest.fixture
def served(database: Database) -> Iterator[Demo]:
    settings = demo.demo_settings(Settings())
    database.write(lambda conn: demo.seed_demo(conn, settings, clock=utc_now))
    with TestClient(create_app(settings, database=database)) as client:
        yield Demo(client)


def test_the_demo_office_operator_closes_the_demo_office_till(served: Demo) -> None:
    closing = served.post(
        served.sign_in("comptoir"), f"/v1/offices/{demo.DEMO_OFFICE}/closings", {"counted": "0.00"}
    )
    assert closing.status_code == 201, closing.text
    assert closing.json()["difference"] == "0.00"


def test_the_demo_association_pays_a_reconversion_with_a_pain001_file(served: Demo) -> None:
    paid = served.post(
        served.sign_in("alice"),
        "/v1/transfers",
        {"payer": "member:alice", "payee": "business:boulangerie", "amount": "20.00"},
    )
    assert paid.status_code == 201, paid.text
    asked = served.post(
        served.sign_in("boulangerie"),
        "/v1/reconversions",
        {
            "account": "business:boulangerie",
            "amount": "20.00",
            "creditor_name": "Boulangerie Etchegaray",
            "iban": "FR14 2004 1010 0505 0001 3M02 606",
        },
    )
    assert asked.status_code == 201, asked.text
    association = served.sign_in("asso")
    batch = served.post(association, "/v1/payout-batches", {"request_ids": [asked.json()["id"]]})
    assert batch.status_code == 201, batch.text
    pain = served.post(
        association,
        f"/v1/payout-batches/{batch.json()['id']}/pain001",
        {},
        execution_date="2026-12-01",
    )
    assert pain.status_code == 200, pain.text
    assert demo.DEMO_RESERVE_IBAN in pain.text


def test_the_demo_reserve_iban_is_a_valid_iban() -> None:
    assert IBAN(demo.DEMO_RESERVE_IBAN).validate()
