"""Payments through the API on PostgreSQL with group commit asked for.

Payments sent at once share transactions, and each is still posted exactly once, with
its own answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import event

from monnaie_locale.auth import Role
from monnaie_locale.money import format_amount
from monnaie_locale.store import Database
from monnaie_locale.store.group_commit import POSTGRES
from tests.api.conftest import ALICE_FUNDS, World

pytestmark = pytest.mark.postgres

# More clients than groups under way at once: the others join groups.
THREADS = 3 * POSTGRES.writers


@pytest.fixture
def database(postgres_database: Database) -> Iterator[Database]:
    """The world's database: PostgreSQL, its writes grouped."""
    grouped = Database(postgres_database.engine, group_commit=True)
    yield grouped
    grouped.dispose()


def _amount(key: int) -> int:
    return 100 + key  # minor units, distinct per key so a double posting would show


def test_payments_sent_at_once_share_commits_and_each_is_posted_once(world: World) -> None:
    headers = world.auth(Role.MEMBER)
    # How many payments each commit that holds any carried: the rows this transaction
    # wrote, its savepoints' included, are the ones whose writer is still in progress
    # (another transaction's would not be visible yet).
    per_commit: list[int] = []

    def committed(conn: Any) -> None:
        cursor = conn.connection.dbapi_connection.cursor()
        cursor.execute(
            "SELECT count(*) FROM transactions "
            "WHERE pg_xact_status(xmin::text::xid8) = 'in progress'"
        )
        inserted = cursor.fetchone()[0]
        if inserted:
            per_commit.append(inserted)

    def send(key: int) -> tuple[int, int]:
        response = world.client.post(
            "/v1/transfers",
            headers=headers | {"Idempotency-Key": f"together-{key}"},
            json={"payer": "alice", "payee": "bakery", "amount": format_amount(_amount(key))},
        )
        assert response.status_code == 201, response.text
        return key, response.json()["id"]

    payments = 64
    event.listen(world.database.engine, "commit", committed)
    try:
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(send, range(payments)))
    finally:
        event.remove(world.database.engine, "commit", committed)

    assert sum(per_commit) == payments
    assert max(per_commit) > 1, "payments arriving together share a commit"
    assert len({transaction_id for _, transaction_id in results}) == payments
    paid = sum(_amount(key) for key in range(payments))
    assert world.ledger.account("alice").balance == ALICE_FUNDS - paid
    assert world.ledger.account("bakery").balance == paid
