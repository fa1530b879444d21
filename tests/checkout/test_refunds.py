"""Refunds: linked to the payment, never above what remains, within a cashier's daily limit."""

from __future__ import annotations

from datetime import UTC, timedelta, tzinfo

import pytest

from monnaie_locale import journal
from monnaie_locale.checkout import CashierAllowance, errors
from monnaie_locale.checkout.refunds import REFUND_KIND
from monnaie_locale.clock import zone_named
from monnaie_locale.errors import IdempotencyConflict, InvalidAmount
from monnaie_locale.payments import verify_receipt
from tests.checkout.conftest import ALICE_FUNDS, Shop


@pytest.fixture
def paid(shop: Shop) -> int:
    """A payment of 30.00 from alice to the bakery; its id."""
    return shop.pay(shop.issue_dynamic(30_00).token, payer="alice", key="sale").id


def test_refund_moves_money_back_linked_to_the_payment(shop: Shop, paid: int) -> None:
    refund = shop.refund(paid, amount=10_00, key="r1")

    legs = {(p.account, p.amount) for p in refund.transaction.postings}
    assert legs == {("bakery", -10_00), ("alice", 10_00)}
    assert refund.transaction.kind == REFUND_KIND
    assert refund.transaction.reference == f"payment:{paid}"
    assert shop.balance("alice") == ALICE_FUNDS - 30_00 + 10_00
    receipt = verify_receipt(refund.receipt, keys=shop.keyring.jwks()["keys"])
    assert (receipt.payer_account, receipt.payee_account, receipt.amount_cents) == (
        shop.account_id("bakery"),
        shop.account_id("alice"),
        10_00,
    )


def test_refunds_are_capped_at_what_was_paid(shop: Shop, paid: int) -> None:
    shop.refund(paid, amount=20_00, key="r1")
    before = shop.counts()

    with pytest.raises(errors.RefundExceedsPayment) as caught:
        shop.refund(paid, amount=10_01, key="r2")

    assert caught.value.refundable == 10_00
    assert shop.counts() == before
    shop.refund(paid, amount=10_00, key="r3")
    assert shop.balance("alice") == ALICE_FUNDS


def cashier(subject: str = "user:7", limit: int = 10_00) -> CashierAllowance:
    return CashierAllowance(subject=subject, daily_limit=limit)


def test_cashier_limit_refuses_a_larger_refund(shop: Shop, paid: int) -> None:
    before = shop.counts()

    with pytest.raises(errors.RefundLimitExceeded) as caught:
        shop.refund(paid, amount=15_00, key="r1", cashier=cashier())

    assert caught.value.limit == 10_00
    assert shop.counts() == before
    assert shop.refund(paid, amount=10_00, key="r2", cashier=cashier()).amount == 10_00


def test_a_cashier_s_refunds_of_one_day_count_together_against_the_limit(
    shop: Shop, paid: int
) -> None:
    shop.refund(paid, amount=6_00, key="r1", cashier=cashier())
    shop.refund(paid, amount=3_00, key="r2", cashier=cashier())
    before = shop.counts()

    with pytest.raises(errors.RefundLimitExceeded) as caught:
        shop.refund(paid, amount=2_00, key="r3", cashier=cashier())

    assert (caught.value.amount, caught.value.limit, caught.value.refunded) == (
        2_00,
        10_00,
        9_00,
    )
    assert shop.counts() == before
    assert shop.refund(paid, amount=1_00, key="r4", cashier=cashier()).amount == 1_00


def test_a_refund_replayed_by_its_key_is_not_counted_twice(shop: Shop, paid: int) -> None:
    shop.refund(paid, amount=8_00, key="r1", cashier=cashier())

    again = shop.refund(paid, amount=8_00, key="r1", cashier=cashier())

    assert again.replayed
    assert shop.refund(paid, amount=2_00, key="r2", cashier=cashier()).amount == 2_00


def test_each_cashier_has_a_limit_of_its_own_and_a_new_day_a_fresh_one(
    shop: Shop, paid: int
) -> None:
    shop.refund(paid, amount=10_00, key="a1", cashier=cashier("user:7"))

    other = shop.refund(paid, amount=10_00, key="b1", cashier=cashier("key:3"))
    with pytest.raises(errors.RefundLimitExceeded):
        shop.refund(paid, amount=1, key="a2", cashier=cashier("user:7"))
    shop.advance(timedelta(days=1))
    next_day = shop.refund(paid, amount=10_00, key="a3", cashier=cashier("user:7"))

    assert (other.amount, next_day.amount) == (10_00, 10_00)


def test_a_refund_refused_for_the_payment_leaves_the_cashier_s_allowance(
    shop: Shop, paid: int
) -> None:
    shop.refund(paid, amount=25_00, key="owner")

    with pytest.raises(errors.RefundExceedsPayment):
        shop.refund(paid, amount=6_00, key="r1", cashier=cashier())

    assert shop.refund(paid, amount=5_00, key="r2", cashier=cashier()).amount == 5_00
    assert shop.refund_allowance_used("user:7") == 5_00


def test_refund_retry_with_the_same_key_returns_the_first(shop: Shop, paid: int) -> None:
    first = shop.refund(paid, amount=5_00, key="r1")
    before = shop.counts()

    again = shop.refund(paid, amount=5_00, key="r1")

    assert again.replayed and again.id == first.id and again.receipt == first.receipt
    assert shop.counts() == before


def test_refund_key_reused_for_another_amount_is_refused(shop: Shop, paid: int) -> None:
    shop.refund(paid, amount=5_00, key="r1")
    before = shop.counts()

    with pytest.raises(IdempotencyConflict):
        shop.refund(paid, amount=6_00, key="r1")
    assert shop.counts() == before


@pytest.mark.parametrize("amount", [0, -1])
def test_refund_of_no_money_is_refused(shop: Shop, paid: int, amount: int) -> None:
    before = shop.counts()

    with pytest.raises(InvalidAmount):
        shop.refund(paid, amount=amount, key="r")
    assert shop.counts() == before


def test_refund_of_an_unknown_payment_is_refused(shop: Shop) -> None:
    with pytest.raises(errors.UnknownPayment):
        shop.refund(999, amount=1_00, key="r")


def test_refund_names_the_merchant_whose_feed_it_joins(shop: Shop, paid: int) -> None:
    refund = shop.refund(paid, amount=1_00, key="r")

    assert refund.merchant_account_id == shop.account_id("bakery")


def test_books_still_verify_after_payments_and_refunds(shop: Shop, paid: int) -> None:
    shop.refund(paid, amount=30_00, key="all")
    shop.pay(shop.issue_static().token, payer="bob", key="s", amount=2_50)

    result = shop.database.read(lambda conn: journal.verify(conn))

    assert result.ok, result.discrepancies
    assert shop.balance("bakery") == 2_50


def test_a_cashier_s_day_turns_at_midnight_in_the_deployment_s_zone(shop: Shop, paid: int) -> None:
    """A Paris shop's day ends at midnight in Paris, not at 1 a.m. when UTC's does."""
    paris = zone_named("Europe/Paris")
    # 2026-11-02 22:00 UTC is 23:00 in Paris (UTC+1): the cashier refunds the day's limit.
    shop.advance(timedelta(hours=13))
    shop.refund(paid, amount=10_00, key="late", cashier=cashier_in(paris))
    with pytest.raises(errors.RefundLimitExceeded):
        shop.refund(paid, amount=1, key="still-today", cashier=cashier_in(paris))

    # 23:30 UTC, still 2 November in UTC, is 00:30 on 3 November in Paris: a new day.
    shop.advance(timedelta(hours=1, minutes=30))
    after_midnight = shop.refund(paid, amount=10_00, key="next", cashier=cashier_in(paris))

    assert after_midnight.amount == 10_00


def test_a_cashier_s_day_in_utc_has_not_turned_at_half_past_midnight_in_paris(
    shop: Shop, paid: int
) -> None:
    shop.advance(timedelta(hours=13))
    shop.refund(paid, amount=10_00, key="late", cashier=cashier_in(UTC))
    shop.advance(timedelta(hours=1, minutes=30))
    with pytest.raises(errors.RefundLimitExceeded):
        shop.refund(paid, amount=10_00, key="next", cashier=cashier_in(UTC))


def cashier_in(zone: tzinfo, subject: str = "user:7") -> CashierAllowance:
    return CashierAllowance(subject=subject, daily_limit=10_00, zone=zone)
