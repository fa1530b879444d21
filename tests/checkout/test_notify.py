"""Waking checkout pages: in one process, and across processes through LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import threading

import pytest

from monnaie_locale import checkout
from monnaie_locale.errors import InsufficientFunds
from monnaie_locale.store import Database
from tests.checkout.conftest import open_shop
from tests.conftest import SteppingClock

MERCHANT = 42


def test_a_wake_up_published_before_the_wait_is_not_lost() -> None:
    notifier = checkout.InProcessNotifier()
    with notifier.subscribe(MERCHANT) as subscription:
        notifier.publish(MERCHANT)

        assert subscription.wait(timeout=0) is True
        assert subscription.wait(timeout=0) is False


def test_only_the_merchant_named_is_woken() -> None:
    notifier = checkout.InProcessNotifier()
    with notifier.subscribe(MERCHANT) as mine, notifier.subscribe(MERCHANT + 1) as other:
        notifier.publish(MERCHANT)

        assert mine.wait(timeout=0) is True
        assert other.wait(timeout=0) is False


def test_a_waiting_thread_is_woken_by_a_publish_from_another_thread() -> None:
    notifier = checkout.InProcessNotifier()
    results: list[bool] = []
    with notifier.subscribe(MERCHANT) as subscription:
        waiter = threading.Thread(target=lambda: results.append(subscription.wait(timeout=30)))
        waiter.start()
        notifier.publish(MERCHANT)
        waiter.join(timeout=30)

    assert results == [True]


def test_an_asyncio_waiter_is_woken_by_a_publish_from_another_thread() -> None:
    notifier = checkout.InProcessNotifier()

    async def scenario() -> bool:
        with notifier.subscribe(MERCHANT) as subscription:
            loop = asyncio.get_running_loop()
            loop.call_soon(
                lambda: threading.Thread(target=notifier.publish, args=(MERCHANT,)).start()
            )
            return await subscription.wait_async(timeout=30)

    assert asyncio.run(scenario()) is True


def test_an_asyncio_waiter_times_out_without_a_wake_up() -> None:
    notifier = checkout.InProcessNotifier()

    async def scenario() -> bool:
        with notifier.subscribe(MERCHANT) as subscription:
            return await subscription.wait_async(timeout=0.01)

    assert asyncio.run(scenario()) is False


def test_closed_subscription_is_no_longer_woken() -> None:
    notifier = checkout.InProcessNotifier()
    subscription = notifier.subscribe(MERCHANT)
    subscription.close()

    notifier.publish(MERCHANT)

    assert subscription.wait(timeout=0) is False


@pytest.mark.postgres
def test_a_committed_payment_wakes_a_page_through_listen_notify(
    postgres_database: Database, clock: SteppingClock
) -> None:
    shop = open_shop(postgres_database, clock)
    notifier = checkout.PostgresNotifier.for_database(postgres_database, poll_seconds=0.2)
    try:
        assert notifier.wait_listening(timeout=30)
        with notifier.subscribe(shop.account_id("bakery")) as subscription:
            subscription.wait(timeout=0)  # forget the wake-up sent when listening began

            shop.pay(shop.issue_dynamic(5_00).token, payer="alice", key="p")

            assert subscription.wait(timeout=30) is True
    finally:
        notifier.close()


@pytest.mark.postgres
def test_a_refused_payment_sends_no_notification(
    postgres_database: Database, clock: SteppingClock
) -> None:
    shop = open_shop(postgres_database, clock)
    notifier = checkout.PostgresNotifier.for_database(postgres_database, poll_seconds=0.2)
    try:
        assert notifier.wait_listening(timeout=30)
        with notifier.subscribe(shop.account_id("bakery")) as subscription:
            subscription.wait(timeout=0)
            with pytest.raises(InsufficientFunds):
                shop.pay(shop.issue_dynamic(1_000_000_00).token, payer="alice", key="p")

            assert subscription.wait(timeout=1.0) is False
            shop.pay(shop.issue_dynamic(1_00).token, payer="alice", key="q")
            assert subscription.wait(timeout=30) is True
    finally:
        notifier.close()
