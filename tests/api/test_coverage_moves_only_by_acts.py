"""A stateful property: whatever plain calls any role makes, in any order, the reserve and
the circulation the reserve report divides do not move. Only the currency's own acts
(conversions here) move them. On both engines.

The plain calls are those an attacker reaches with any sign-in: transfers, holds placed,
posted and voided, reversals, between any two accounts of the plan (note stocks, tills,
the reserve, issuance and pending reconversions included).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import Connection

from monnaie_locale.auth import Role, find_user, issue_token, link_account
from monnaie_locale.deployment import (
    ASSOCIATION_BONUS,
    ASSOCIATION_LOSSES,
    ASSOCIATION_OPERATING,
    ISSUANCE,
    NOTES_CIRCULATION,
    NOTES_VAULT,
    RECONVERSION_PENDING,
    RESERVE_DIGITAL,
    RESERVE_NOTES,
    office_notes,
    office_till,
)
from monnaie_locale.deployment import from_settings as deployment_from_settings
from monnaie_locale.reserve import position
from monnaie_locale.store import Database
from tests.api.operations_support import BAKERY_IBAN, OFFICE, Ops, make_ops, ops_settings
from tests.conftest import SteppingClock

ACCOUNTS = [
    "alice",
    "bakery",
    "town",
    ASSOCIATION_BONUS,
    ASSOCIATION_OPERATING,
    ASSOCIATION_LOSSES,
    ISSUANCE,
    NOTES_VAULT,
    NOTES_CIRCULATION,
    RECONVERSION_PENDING,
    RESERVE_DIGITAL,
    RESERVE_NOTES,
    office_notes(OFFICE),
    office_till(OFFICE),
]
AMOUNTS = st.sampled_from(["0.01", "1.00", "20.00", "50.00", "100.00"])


@pytest.fixture
def ops(database: Database, clock: SteppingClock) -> Iterator[Ops]:
    made = make_ops(database, clock)
    books = next(made)
    books.converted("alice", "50", key="fund-alice")
    books.converted("bakery", "200", key="fund-bakery")
    printed = books.post(
        Role.ASSOCIATION_OPERATOR,
        "/v1/notes/print",
        {"notes": [{"denomination": "20", "count": 5}]},
    )
    assert printed.status_code == 201, printed.text
    body = {"office": OFFICE, "notes": [{"denomination": "20", "count": 5}]}
    delivered = books.post(Role.ASSOCIATION_OPERATOR, "/v1/notes/deliver", body, key="deliver")
    assert delivered.status_code == 201, delivered.text
    yield books
    made.close()


def office_operator_with_both_office_accounts(ops: Ops) -> str:
    def link(conn: Connection) -> str:
        user = find_user(conn, "counter")
        assert user is not None
        link_account(conn, user.id, account_code=office_notes(OFFICE))
        return issue_token(conn, user.id, now=ops.clock(), ttl=timedelta(hours=1)).token

    return ops.database.write(link)


def test_plain_calls_by_any_role_never_move_coverage(ops: Ops) -> None:
    deployment = deployment_from_settings(ops_settings())
    tokens = dict(ops.tokens)
    tokens[Role.OFFICE_OPERATOR] = office_operator_with_both_office_accounts(ops)
    # A reconversion's hold, for the calls that try to settle it outside its batch.
    reconversion = {"account": "bakery", "amount": "20", "creditor_name": "B", "iban": BAKERY_IBAN}
    assert ops.post(Role.MERCHANT_OWNER, "/v1/reconversions", reconversion).status_code == 201

    def figures() -> tuple[int, int]:
        now = ops.database.read(lambda conn: position(conn, deployment))
        return now.reserve_total, now.circulation

    class Attacker(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.calls = 0
            self.expected = figures()

        def call(self, role: Role, url: str, body: object = None) -> int:
            self.calls += 1
            headers = {
                "Authorization": f"Bearer {tokens[role]}",
                "Idempotency-Key": f"attack-{id(self)}-{self.calls}",
            }
            response = ops.client.post(url, json=body, headers=headers)
            assert response.status_code < 500, response.text
            return int(response.status_code)

        @rule(
            role=st.sampled_from(list(Role)),
            payer=st.sampled_from(ACCOUNTS),
            payee=st.sampled_from(ACCOUNTS),
            amount=AMOUNTS,
        )
        def transfer(self, role: Role, payer: str, payee: str, amount: str) -> None:
            body = {"payer": payer, "payee": payee, "amount": amount}
            self.call(role, "/v1/transfers", body)

        @rule(
            role=st.sampled_from(list(Role)),
            payer=st.sampled_from(ACCOUNTS),
            payee=st.sampled_from(ACCOUNTS),
            amount=AMOUNTS,
        )
        def hold(self, role: Role, payer: str, payee: str, amount: str) -> None:
            self.call(role, "/v1/holds", {"payer": payer, "payee": payee, "amount": amount})

        @rule(
            role=st.sampled_from(list(Role)),
            hold_id=st.integers(min_value=1, max_value=6),
            settle=st.sampled_from(["post", "void"]),
        )
        def settle_hold(self, role: Role, hold_id: int, settle: str) -> None:
            self.call(role, f"/v1/holds/{hold_id}/{settle}")

        @rule(role=st.sampled_from(list(Role)), transaction_id=st.integers(1, 12))
        def reverse(self, role: Role, transaction_id: int) -> None:
            self.call(role, f"/v1/transactions/{transaction_id}/reversal", {"memo": "undo"})

        @rule(account=st.sampled_from(["alice", "bakery", "town"]), amount=AMOUNTS)
        def convert(self, account: str, amount: str) -> None:
            """The act that may move the figures: the new ones become the expected ones."""
            body = {"account": account, "amount": amount, "payment_reference": f"c{self.calls}"}
            self.call(Role.ASSOCIATION_OPERATOR, "/v1/conversions/card", body)
            self.expected = figures()

        @invariant()
        def reserve_and_circulation_stay(self) -> None:
            assert figures() == self.expected

    run_state_machine_as_test(
        Attacker,
        settings=settings(
            max_examples=20,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
