"""The merchant's event feed: every payment and refund once, in journal order, resumable
from the journal sequence of the last event seen."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

from monnaie_locale import checkout
from monnaie_locale.errors import InsufficientFunds, InvalidRequest
from monnaie_locale.payments import verify_receipt
from monnaie_locale.store import Database
from tests.checkout.conftest import PUBLIC, Shop, open_shop
from tests.conftest import SteppingClock


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
    last_seen = everything[1].sequence

    resumed = feed(shop, "bakery", last_seen)

    assert [e.payment_id for e in resumed] == [p.id for p in payments[2:]]
    assert all(e.sequence > last_seen for e in resumed)
    assert feed(shop, "bakery", everything[-1].sequence) == []


def test_an_event_s_sequence_is_its_transaction_s_place_in_the_journal(shop: Shop) -> None:
    payment = shop.pay(shop.issue_dynamic(3_00).token, payer="alice", key="p")
    refund = shop.refund(payment.id, amount=1_00, key="r")

    events = feed(shop, "bakery", 0)

    assert [(e.transaction_id, e.sequence) for e in events] == [
        (payment.transaction.id, shop.sequence_of(payment.transaction.id)),
        (refund.transaction.id, shop.sequence_of(refund.transaction.id)),
    ]
    assert events[0].id == payment.event_id  # the row id still names it in webhooks


def test_a_merchant_sees_only_its_own_events(shop: Shop) -> None:
    shop.pay(shop.issue_dynamic(1_00).token, payer="alice", key="a")
    grocer = shop.pay(
        shop.issue_dynamic(2_00, merchant_account="grocer").token, payer="bob", key="b"
    )

    assert [e.payment_id for e in feed(shop, "grocer", 0)] == [grocer.id]


def test_event_ids_grow_in_the_order_payments_are_sealed(shop: Shop) -> None:
    for n in range(3):
        shop.pay(shop.issue_dynamic(1_00).token, payer="alice", key=f"k{n}")
    shop.pay(shop.issue_dynamic(1_00, merchant_account="grocer").token, payer="bob", key="g")
    shop.pay(shop.issue_dynamic(1_00).token, payer="alice", key="k3")

    sequences = [e.sequence for e in feed(shop, "bakery", 0)]

    assert sequences == sorted(sequences) and len(set(sequences)) == 4
    # Another shop's payment took a place in the journal: the ids of one shop have gaps.
    assert sequences[-1] - sequences[-2] == 2


def test_a_refused_payment_writes_no_event(shop: Shop) -> None:
    issued = shop.issue_dynamic(1_000_000_00)
    with pytest.raises(InsufficientFunds):
        shop.pay(issued.token, payer="alice", key="k")

    assert feed(shop, "bakery", 0) == []


def test_sse_message_carries_id_event_name_and_receipt(shop: Shop) -> None:
    shop.pay(shop.issue_dynamic(1_00).token, payer="alice", key="p")
    event = feed(shop, "bakery", 0)[0]

    message = checkout.format_sse(event)

    assert message == f"id: {event.sequence}\nevent: payment\ndata: {event.data}\n\n"


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


@pytest.mark.postgres
def test_an_event_reaches_the_feed_once_sealed_and_never_below_a_sequence_already_seen(
    postgres_database: Database, clock: SteppingClock
) -> None:
    shop = open_shop(postgres_database, clock)
    first = shop.pay(shop.issue_dynamic(1_00).token, payer="alice", key="a")
    seen = feed(shop, "bakery", 0)[-1].sequence

    later = shop.pay(shop.issue_dynamic(2_00).token, payer="alice", key="b", seal=False)
    unsealed = feed(shop, "bakery", seen)
    shop.ledger.seal_journal()
    sealed = feed(shop, "bakery", seen)

    assert shop.sequence_of(first.transaction.id) == seen
    assert later.receipt["receipt"]["journal_sequence"] == 0  # signed before sealing
    assert unsealed == []
    assert [(e.payment_id, e.sequence) for e in sealed] == [
        (later.id, shop.sequence_of(later.transaction.id))
    ]
    assert sealed[0].sequence > seen


def test_a_counter_code_payment_reaches_the_feed_and_the_webhooks_like_any_other(
    shop: Shop,
) -> None:
    shop.database.write(
        lambda conn: checkout.add_endpoint(
            conn,
            merchant_account="bakery",
            url=PUBLIC.check_url("https://hooks.bakery.example/h"),
            clock=shop.clock,
        )
    )
    counter = shop.issue_static()
    payment = shop.pay(counter.token, payer="alice", key="counter", amount=3_20)
    sent: list[bytes] = []

    def server(url: str, body: bytes, headers: Mapping[str, str]) -> int:
        sent.append(body)
        return 204

    checkout.deliver_due(shop.database, send=server, clock=shop.clock)

    (event,) = feed(shop, "bakery", 0)
    assert (event.kind, event.payment_id) == ("payment", payment.id)
    assert json.loads(event.data)["receipt"]["amount_cents"] == 3_20
    assert [json.loads(body)["data"] for body in sent] == [payment.receipt]
