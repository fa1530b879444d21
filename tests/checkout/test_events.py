"""The merchant's event feed: every payment and refund once, in order, resumable by id."""

from __future__ import annotations

import json

import pytest

from monnaie_locale import checkout
from monnaie_locale.errors import InsufficientFunds, InvalidRequest
from monnaie_locale.payments import verify_receipt
from tests.checkout.conftest import Shop


def feed(shop: Shop, merchant: str, after: int) -> list[checkout.CheckoutEvent]:
    return shop.database.read(lambda conn: checkout.events_after(conn, merchant, after))


def test_each_payment_and_refund_appears_once_with_its_signed_receipt(shop: Shop) -> None:
    payment = shop.pay(shop.issue_dynamic(8_00).token, payer="alice", key="p")
    refund = shop.refund(payment.id, amount=3_00, key="r")

    events = feed(shop, "bakery", 0)

    assert [(e.kind, e.payment_id, e.refund_id) for e in events] == [
        ("payment", payment.id, None),
        ("refund", payment.id, refund.id),
    ]
    assert json.loads(events[0].data) == payment.receipt
    assert json.loads(events[1].data) == refund.receipt
    for event in events:
        verify_receipt(json.loads(event.data), keys=shop.keyring.jwks()["keys"])


def test_events_after_a_last_event_id_are_exactly_the_later_ones(shop: Shop) -> None:
    payments = [
        shop.pay(shop.issue_dynamic(1_00 + n).token, payer="alice", key=f"p{n}") for n in range(5)
    ]
    everything = feed(shop, "bakery", 0)
    last_seen = everything[1].id

    resumed = feed(shop, "bakery", last_seen)

    assert [e.payment_id for e in resumed] == [p.id for p in payments[2:]]
    assert all(e.id > last_seen for e in resumed)
    assert feed(shop, "bakery", everything[-1].id) == []


def test_a_merchant_sees_only_its_own_events(shop: Shop) -> None:
    shop.pay(shop.issue_dynamic(1_00).token, payer="alice", key="a")
    grocer = shop.pay(
        shop.issue_dynamic(2_00, merchant_account="grocer").token, payer="bob", key="b"
    )

    assert [e.payment_id for e in feed(shop, "grocer", 0)] == [grocer.id]


def test_event_ids_grow_in_the_order_payments_commit(shop: Shop) -> None:
    ids = [
        shop.pay(shop.issue_dynamic(1_00).token, payer="alice", key=f"k{n}").event_id
        for n in range(3)
    ]

    assert ids == sorted(ids) and len(set(ids)) == 3


def test_a_refused_payment_writes_no_event(shop: Shop) -> None:
    issued = shop.issue_dynamic(1_000_000_00)
    with pytest.raises(InsufficientFunds):
        shop.pay(issued.token, payer="alice", key="k")

    assert feed(shop, "bakery", 0) == []


def test_sse_message_carries_id_event_name_and_receipt(shop: Shop) -> None:
    shop.pay(shop.issue_dynamic(1_00).token, payer="alice", key="p")
    event = feed(shop, "bakery", 0)[0]

    message = checkout.format_sse(event)

    assert message == f"id: {event.id}\nevent: payment\ndata: {event.data}\n\n"


@pytest.mark.parametrize(("header", "expected"), [(None, 0), ("", 0), (" 42 ", 42)])
def test_last_event_id_header_is_read_as_a_number(header: str | None, expected: int) -> None:
    assert checkout.parse_last_event_id(header) == expected


@pytest.mark.parametrize("header", ["-1", "abc", "1e3", "٣", "9" * 19])
def test_last_event_id_that_is_no_id_is_refused(header: str) -> None:
    with pytest.raises(InvalidRequest):
        checkout.parse_last_event_id(header)


def test_feed_page_size_is_bounded(shop: Shop) -> None:
    with pytest.raises(InvalidRequest):
        shop.database.read(lambda conn: checkout.events_after(conn, "bakery", 0, 0))
