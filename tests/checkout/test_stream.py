"""The SSE stream: resumes after Last-Event-ID without a gap, then delivers live events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import pytest

from monnaie_locale import checkout
from monnaie_locale.checkout.stream import KEEPALIVE
from monnaie_locale.store import Database
from tests.checkout.conftest import Shop, open_shop
from tests.conftest import SteppingClock

WAIT = 30.0


async def next_message(stream: AsyncGenerator[str, None]) -> str:
    return await asyncio.wait_for(anext(stream), WAIT)


def event_id(message: str) -> int:
    fields = dict(line.split(": ", 1) for line in message.strip().splitlines())
    return int(fields["id"])


def pay_one(shop: Shop, n: int, *, seal: bool = True) -> checkout.Payment:
    return shop.pay(shop.issue_dynamic(1_00 + n).token, payer="alice", key=f"k{n}", seal=seal)


def sequence(shop: Shop, payment: checkout.Payment) -> int:
    found = shop.sequence_of(payment.transaction.id)
    assert found is not None, "the payment is not sealed"
    return found


def test_reconnect_with_last_event_id_gets_exactly_the_later_events_then_live_ones(
    shop: Shop,
) -> None:
    earlier = [pay_one(shop, n) for n in range(3)]
    notifier = checkout.InProcessNotifier()

    async def scenario() -> list[int]:
        stream = checkout.event_stream(
            shop.database,
            notifier,
            merchant_account="bakery",
            last_event_id=sequence(shop, earlier[0]),
            keepalive_seconds=WAIT,
        )
        assert (await next_message(stream)).startswith("retry: ")
        seen = [event_id(await next_message(stream)) for _ in range(2)]
        live = await asyncio.to_thread(pay_one, shop, 9)
        notifier.publish(live.merchant_account_id)
        seen.append(event_id(await next_message(stream)))
        await stream.aclose()
        return seen

    seen = asyncio.run(scenario())

    expected = [sequence(shop, p) for p in earlier[1:]]
    assert seen[:2] == expected
    assert seen[2] > expected[-1]


def test_an_idle_stream_sends_keep_alives(shop: Shop) -> None:
    notifier = checkout.InProcessNotifier()

    async def scenario() -> str:
        stream = checkout.event_stream(
            shop.database,
            notifier,
            merchant_account="bakery",
            last_event_id=0,
            keepalive_seconds=0.01,
        )
        await next_message(stream)
        message = await next_message(stream)
        await stream.aclose()
        return message

    assert asyncio.run(scenario()) == KEEPALIVE


def test_a_stream_reads_on_when_more_than_a_page_is_waiting(shop: Shop) -> None:
    payments = [pay_one(shop, n) for n in range(5)]
    notifier = checkout.InProcessNotifier()

    async def scenario() -> list[int]:
        stream = checkout.event_stream(
            shop.database,
            notifier,
            merchant_account="bakery",
            last_event_id=0,
            keepalive_seconds=WAIT,
            page=2,
        )
        await next_message(stream)
        ids = [event_id(await next_message(stream)) for _ in range(5)]
        await stream.aclose()
        return ids

    assert asyncio.run(scenario()) == [sequence(shop, p) for p in payments]


def test_a_stream_ends_when_its_notifier_closes_as_the_process_stops(shop: Shop) -> None:
    notifier = checkout.InProcessNotifier()

    async def rest(stream: AsyncGenerator[str, None]) -> list[str]:
        return [message async for message in stream]

    async def scenario() -> list[str]:
        stream = checkout.event_stream(
            shop.database,
            notifier,
            merchant_account="bakery",
            last_event_id=0,
            keepalive_seconds=WAIT,
        )
        await next_message(stream)
        remaining = asyncio.ensure_future(rest(stream))
        await asyncio.sleep(0.1)  # usually parks the stream on its wait; it ends either way
        notifier.close()
        return await asyncio.wait_for(remaining, WAIT)

    assert asyncio.run(scenario()) == []


@pytest.mark.postgres
def test_a_payment_committed_by_another_connection_reaches_the_stream_once_sealed(
    postgres_database: Database, clock: SteppingClock
) -> None:
    shop = open_shop(postgres_database, clock)
    notifier = checkout.PostgresNotifier.for_database(postgres_database, poll_seconds=0.2)

    async def scenario() -> tuple[int, checkout.Payment, bool]:
        stream = checkout.event_stream(
            shop.database,
            notifier,
            merchant_account="bakery",
            last_event_id=0,
            keepalive_seconds=WAIT,
        )
        await next_message(stream)
        # The pause usually parks the stream on its wait first. The payment's commit
        # shows it nothing (not sealed yet); the sealer's commit must wake it.
        pending = asyncio.ensure_future(next_message(stream))
        await asyncio.sleep(0.2)
        payment = await asyncio.to_thread(pay_one, shop, 1, seal=False)
        await asyncio.sleep(0.3)
        early = pending.done()
        await asyncio.to_thread(shop.ledger.seal_journal)
        message = await pending
        await stream.aclose()
        return event_id(message), payment, early

    try:
        assert notifier.wait_listening(timeout=WAIT)
        received, payment, early = asyncio.run(scenario())
    finally:
        notifier.close()

    assert not early, "an unsealed payment reached the stream"
    assert received == sequence(shop, payment)
