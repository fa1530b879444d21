"""The ledger's value types refuse malformed requests before anything reaches storage."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monnaie_locale.errors import InvalidAmount, InvalidRequest, Unbalanced
from monnaie_locale.model import (
    Account,
    AccountKind,
    AccountStatus,
    Leg,
    Posting,
    Transaction,
    TransferRequest,
    check_balanced,
    check_positive,
)
from monnaie_locale.money import MAX_AMOUNT

NOT_WHOLE_CENTS = [12.5, 1.0, True, False, "100", None, Decimal("12.50")]

# Legs --------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [1, -1, MAX_AMOUNT, -MAX_AMOUNT])
def test_leg_accepts_any_non_zero_whole_amount_within_bounds(amount: int) -> None:
    assert Leg("alice", amount).amount == amount


@pytest.mark.parametrize("amount", [0, MAX_AMOUNT + 1, -MAX_AMOUNT - 1, *NOT_WHOLE_CENTS])
def test_leg_refuses_zero_huge_and_non_integer_amounts(amount: Any) -> None:
    with pytest.raises(InvalidAmount) as refused:
        Leg("alice", amount)
    assert refused.value.value == amount


@pytest.mark.parametrize("amount", [1, 5000, MAX_AMOUNT])
def test_check_positive_returns_a_valid_amount(amount: int) -> None:
    assert check_positive(amount) == amount


@pytest.mark.parametrize("amount", [0, -1, MAX_AMOUNT + 1, *NOT_WHOLE_CENTS])
def test_check_positive_refuses_anything_else(amount: Any) -> None:
    with pytest.raises(InvalidAmount):
        check_positive(amount)


# Transfer requests -------------------------------------------------------------------------


def test_simple_transfer_debits_one_account_and_credits_the_other() -> None:
    request = TransferRequest.simple("alice", "bakery", 1250, kind="payment", memo="bread")

    assert request.legs == (Leg("alice", -1250), Leg("bakery", 1250))
    assert (request.kind, request.memo, request.reference) == ("payment", "bread", None)


@pytest.mark.parametrize("amount", [0, -1250, *NOT_WHOLE_CENTS])
def test_simple_transfer_refuses_an_amount_that_is_not_positive_cents(amount: Any) -> None:
    with pytest.raises(InvalidAmount):
        TransferRequest.simple("alice", "bakery", amount)


def test_simple_transfer_refuses_an_account_paying_itself() -> None:
    with pytest.raises(InvalidRequest):
        TransferRequest.simple("alice", "alice", 100)


@pytest.mark.parametrize("legs", [(), (Leg("alice", -100),)])
def test_transfer_request_needs_two_legs(legs: tuple[Leg, ...]) -> None:
    with pytest.raises(InvalidRequest):
        TransferRequest(legs=legs)


def test_transfer_request_names_each_account_once() -> None:
    with pytest.raises(InvalidRequest):
        TransferRequest(legs=(Leg("alice", -100), Leg("alice", 50), Leg("bob", 50)))


def test_transfer_request_memo_is_limited_to_500_characters() -> None:
    assert len(TransferRequest.simple("a", "b", 1, memo="m" * 500).memo) == 500
    with pytest.raises(InvalidRequest):
        TransferRequest.simple("a", "b", 1, memo="m" * 501)


def test_fingerprint_is_equal_for_equal_requests() -> None:
    first = TransferRequest.simple("alice", "bob", 100, memo="rent")
    again = TransferRequest.simple("alice", "bob", 100, memo="rent")

    assert first.fingerprint() == again.fingerprint()


@pytest.mark.parametrize(
    "other",
    [
        TransferRequest.simple("alice", "bob", 101, memo="rent"),
        TransferRequest.simple("bob", "alice", 100, memo="rent"),
        TransferRequest.simple("alice", "carol", 100, memo="rent"),
        TransferRequest.simple("alice", "bob", 100, memo="rent!"),
        TransferRequest.simple("alice", "bob", 100, memo="rent", kind="payment"),
        TransferRequest(legs=(Leg("alice", -100), Leg("bob", 100)), memo="rent", reference="r"),
    ],
    ids=["amount", "direction", "payee", "memo", "kind", "reference"],
)
def test_fingerprint_tells_apart_requests_that_differ_in_anything(other: TransferRequest) -> None:
    base = TransferRequest.simple("alice", "bob", 100, memo="rent")
    assert other.fingerprint() != base.fingerprint()


# Balance per currency -----------------------------------------------------------------------


def test_check_balanced_accepts_legs_summing_to_zero_in_each_currency() -> None:
    check_balanced([("EUR", -5000), ("EUR", 5000), ("MLC", -5000), ("MLC", 2000), ("MLC", 3000)])


def test_check_balanced_reports_each_currency_that_does_not_sum_to_zero() -> None:
    with pytest.raises(Unbalanced) as refused:
        check_balanced([("EUR", -5000), ("EUR", 5000), ("MLC", -100), ("MLC", 99)])
    assert refused.value.sums == {"MLC": -1}


def test_check_balanced_does_not_let_one_currency_pay_for_another() -> None:
    with pytest.raises(Unbalanced) as refused:
        check_balanced([("EUR", 100), ("MLC", -100)])
    assert refused.value.sums == {"EUR": 100, "MLC": -100}
    assert "EUR +100" in refused.value.message and "MLC -100" in refused.value.message


legs_in_currencies = st.lists(
    st.tuples(st.sampled_from(["EUR", "MLC", "LEMAN"]), st.integers(-(10**9), 10**9)),
    max_size=12,
)


@given(legs=legs_in_currencies)
def test_check_balanced_accepts_any_legs_with_their_opposites(legs: list[tuple[str, int]]) -> None:
    check_balanced(legs + [(currency, -amount) for currency, amount in legs])


@given(legs=legs_in_currencies, currency=st.sampled_from(["EUR", "MLC"]), off=st.integers(1, 99))
def test_check_balanced_refuses_any_legs_off_by_some_cents(
    legs: list[tuple[str, int]], currency: str, off: int
) -> None:
    balanced = legs + [(c, -amount) for c, amount in legs]
    with pytest.raises(Unbalanced) as refused:
        check_balanced([*balanced, (currency, off)])
    assert refused.value.sums == {currency: off}


# Stored values ------------------------------------------------------------------------------


def account(*, balance: int, held: int, lower_limit: int | None) -> Account:
    return Account(
        id=1,
        code="alice",
        kind=AccountKind.MEMBER,
        currency="MLC",
        status=AccountStatus.ACTIVE,
        owner_ref=None,
        lower_limit=lower_limit,
        upper_limit=None,
        balance=balance,
        held=held,
    )


@pytest.mark.parametrize(
    ("balance", "held", "lower_limit", "available"),
    [(5000, 0, 0, 5000), (5000, 1200, 0, 3800), (-2000, 500, -10000, 7500), (0, 0, 0, 0)],
)
def test_available_is_balance_minus_holds_down_to_the_lower_limit(
    balance: int, held: int, lower_limit: int, available: int
) -> None:
    assert account(balance=balance, held=held, lower_limit=lower_limit).available == available


def test_an_account_unbounded_below_has_everything_available() -> None:
    assert account(balance=-(10**9), held=0, lower_limit=None).available == MAX_AMOUNT


def test_transaction_reports_what_it_moved_per_account_and_per_currency() -> None:
    stamp = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    legs = [("reserve:digital", "EUR", -5000), ("external", "EUR", 5000)]
    legs += [("issuance", "MLC", -5000), ("alice", "MLC", 5000)]
    tx = Transaction(
        id=7,
        kind="conversion",
        memo="",
        reference=None,
        created_at=stamp,
        postings=tuple(
            Posting(i, 7, code, currency, amount, amount, stamp)
            for i, (code, currency, amount) in enumerate(legs, start=1)
        ),
    )

    assert tx.amount_for("alice") == 5000
    assert tx.amount_for("reserve:digital") == -5000
    assert tx.amount_for("bob") == 0
    assert tx.sums() == {"EUR": 0, "MLC": 0}
