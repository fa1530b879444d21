"""Parallel payments through the API, with idempotency keys sent several times at once.

Many threads replay the same keyed payments concurrently. Afterwards each key has
moved money exactly once: every acknowledgement of a key names one transaction, and
the balances are those of the distinct keys alone.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from monnaie_locale.auth import Role
from monnaie_locale.money import format_amount
from monnaie_locale.store.tables import transactions
from tests.api.conftest import ALICE_FUNDS, World

KEYS = 24
SENDS_PER_KEY = 4
THREADS = 8


def _amount(key: int) -> int:
    return 100 + key  # minor units, distinct per key so a double posting would show


def test_duplicated_keys_sent_in_parallel_pay_exactly_once(world: World) -> None:
    headers = world.auth(Role.MEMBER)

    def send(key: int) -> tuple[int, int, int | None]:
        response = world.client.post(
            "/v1/transfers",
            headers=headers | {"Idempotency-Key": f"parallel-{key}"},
            json={"payer": "alice", "payee": "bakery", "amount": format_amount(_amount(key))},
        )
        transaction_id = response.json()["id"] if response.status_code == 201 else None
        return key, response.status_code, transaction_id

    sends = [key for key in range(KEYS) for _ in range(SENDS_PER_KEY)]
    random.Random(7).shuffle(sends)
    before = world.database.read(
        lambda conn: conn.execute(select(func.count()).select_from(transactions)).scalar_one()
    )
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(send, sends))

    assert {status for _, status, _ in results} == {201}
    ids_by_key: dict[int, set[int | None]] = {}
    for key, _, transaction_id in results:
        ids_by_key.setdefault(key, set()).add(transaction_id)
    assert all(len(ids) == 1 for ids in ids_by_key.values())
    assert len({next(iter(ids)) for ids in ids_by_key.values()}) == KEYS

    paid = sum(_amount(key) for key in range(KEYS))
    assert world.ledger.account("alice").balance == ALICE_FUNDS - paid
    assert world.ledger.account("bakery").balance == paid
    after = world.database.read(
        lambda conn: conn.execute(select(func.count()).select_from(transactions)).scalar_one()
    )
    assert after - before == KEYS
