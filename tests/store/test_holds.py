"""Two-phase transfers: a hold reserves money, then is posted (in full or in part),
voided, or expires; every settlement happens at most once.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from monnaie_locale.errors import (
    AccountNotActive,
    CurrencyMismatch,
    HoldExpired,
    HoldNotPending,
    InsufficientFunds,
    InvalidAmount,
    InvalidRequest,
    UnknownAccount,
    UnknownHold,
)
from monnaie_locale.model import AccountKind, AccountStatus, HoldStatus
from tests.conftest import SteppingClock
from tests.engine import Engine
from tests.support import refused


@pytest.fixture
def funded(ledger: Engine) -> Engine:
    """bakery holds 100.00 and may reconvert into reconversion:pending."""
    ledger.open_account("bakery", kind=AccountKind.BUSINESS, currency="MLC")
    ledger.open_account("reconversion:pending", kind=AccountKind.SYSTEM, currency="MLC")
    ledger.transfer("issuance", "bakery", 10000, idempotency_key="fund")
    return ledger


def held_and_balance(ledger: Engine, code: str) -> tuple[int, int]:
    account = ledger.account(code)
    return account.held, account.balance


# Happy paths ------------------------------------------------------------------------------


def test_hold_reserves_money_without_moving_it(funded: Engine) -> None:
    hold = funded.place_hold("bakery", "reconversion:pending", 3000, idempotency_key="h", memo="m")

    assert (hold.status, hold.amount, hold.debit_account, hold.credit_account, hold.memo) == (
        HoldStatus.PENDING,
        3000,
        "bakery",
        "reconversion:pending",
        "m",
    )
    assert held_and_balance(funded, "bakery") == (3000, 10000)
    assert funded.account("bakery").available == 7000
    assert funded.account("reconversion:pending").balance == 0


def test_posting_a_hold_moves_the_full_amount_and_releases_it(funded: Engine) -> None:
    hold = funded.place_hold("bakery", "reconversion:pending", 3000, idempotency_key="h")

    tx = funded.post_hold(hold.id, idempotency_key="p")

    assert {p.account: p.amount for p in tx.postings} == {
        "bakery": -3000,
        "reconversion:pending": 3000,
    }
    assert held_and_balance(funded, "bakery") == (0, 7000)
    settled = funded.get_hold(hold.id)
    assert (settled.status, settled.posted_amount, settled.transaction_id) == (
        HoldStatus.POSTED,
        3000,
        tx.id,
    )


def test_posting_part_of_a_hold_releases_the_rest(funded: Engine) -> None:
    hold = funded.place_hold("bakery", "reconversion:pending", 3000, idempotency_key="h")

    tx = funded.post_hold(hold.id, idempotency_key="p", amount=1200)

    assert tx.amount_for("reconversion:pending") == 1200
    assert held_and_balance(funded, "bakery") == (0, 8800)
    assert funded.get_hold(hold.id).posted_amount == 1200


def test_voiding_a_hold_releases_it_and_moves_nothing(funded: Engine) -> None:
    hold = funded.place_hold("bakery", "reconversion:pending", 3000, idempotency_key="h")

    voided = funded.void_hold(hold.id)

    assert voided.status is HoldStatus.VOIDED
    assert held_and_balance(funded, "bakery") == (0, 10000)
    assert funded.account("reconversion:pending").balance == 0


def test_expire_holds_releases_the_held_amount_of_holds_past_their_expiry(
    funded: Engine, clock: SteppingClock
) -> None:
    soon = funded.place_hold(
        "bakery",
        "reconversion:pending",
        3000,
        idempotency_key="soon",
        expires_at=clock() + timedelta(minutes=10),
    )
    later = funded.place_hold(
        "bakery",
        "reconversion:pending",
        2000,
        idempotency_key="later",
        expires_at=clock() + timedelta(hours=2),
    )
    clock.advance(timedelta(hours=1))

    expired = funded.expire_holds()

    assert [h.id for h in expired] == [soon.id]
    assert funded.get_hold(soon.id).status is HoldStatus.EXPIRED
    assert funded.get_hold(later.id).status is HoldStatus.PENDING
    assert held_and_balance(funded, "bakery") == (2000, 10000)
    assert funded.expire_holds() == []
    assert funded.verify_journal().ok


# Refusals -----------------------------------------------------------------------------------


def test_hold_over_the_available_amount_is_refused(funded: Engine) -> None:
    funded.place_hold("bakery", "reconversion:pending", 6000, idempotency_key="first")

    error = refused(
        funded.database,
        InsufficientFunds,
        lambda: funded.place_hold("bakery", "reconversion:pending", 4001, idempotency_key="k"),
    )

    assert (error.account, error.needed, error.available) == ("bakery", 4001, 4000)


@pytest.mark.parametrize("amount", [0, -5])
def test_hold_of_no_money_is_refused(funded: Engine, amount: int) -> None:
    refused(
        funded.database,
        InvalidAmount,
        lambda: funded.place_hold("bakery", "reconversion:pending", amount, idempotency_key="k"),
    )


def test_hold_between_accounts_of_different_currencies_is_refused(funded: Engine) -> None:
    refused(
        funded.database,
        CurrencyMismatch,
        lambda: funded.place_hold("bakery", "external", 100, idempotency_key="k"),
    )


def test_hold_on_an_unknown_or_frozen_account_is_refused(funded: Engine) -> None:
    refused(
        funded.database,
        UnknownAccount,
        lambda: funded.place_hold("bakery", "nobody", 100, idempotency_key="k"),
    )
    funded.set_status("bakery", AccountStatus.FROZEN)
    refused(
        funded.database,
        AccountNotActive,
        lambda: funded.place_hold("bakery", "reconversion:pending", 100, idempotency_key="k"),
    )


def test_hold_expiring_in_the_past_is_refused(funded: Engine, clock: SteppingClock) -> None:
    refused(
        funded.database,
        InvalidRequest,
        lambda: funded.place_hold(
            "bakery",
            "reconversion:pending",
            100,
            idempotency_key="k",
            expires_at=clock() - timedelta(seconds=1),
        ),
    )


def test_posting_more_than_the_hold_is_refused(funded: Engine) -> None:
    hold = funded.place_hold("bakery", "reconversion:pending", 3000, idempotency_key="h")

    error = refused(
        funded.database,
        InvalidAmount,
        lambda: funded.post_hold(hold.id, idempotency_key="p", amount=3001),
    )

    assert error.value == 3001
    assert funded.get_hold(hold.id).status is HoldStatus.PENDING


def test_posting_a_hold_twice_is_refused(funded: Engine) -> None:
    hold = funded.place_hold("bakery", "reconversion:pending", 3000, idempotency_key="h")
    funded.post_hold(hold.id, idempotency_key="p")

    error = refused(
        funded.database,
        HoldNotPending,
        lambda: funded.post_hold(hold.id, idempotency_key="p2"),
    )

    assert (error.hold_id, error.status) == (hold.id, "posted")
    assert funded.account("reconversion:pending").balance == 3000


def test_a_voided_hold_cannot_be_posted_nor_voided_again(funded: Engine) -> None:
    hold = funded.place_hold("bakery", "reconversion:pending", 3000, idempotency_key="h")
    funded.void_hold(hold.id)

    error = refused(
        funded.database, HoldNotPending, lambda: funded.post_hold(hold.id, idempotency_key="p")
    )
    assert error.status == "voided"
    refused(funded.database, HoldNotPending, lambda: funded.void_hold(hold.id))


def test_an_expired_hold_cannot_be_posted_nor_voided(funded: Engine, clock: SteppingClock) -> None:
    hold = funded.place_hold(
        "bakery",
        "reconversion:pending",
        3000,
        idempotency_key="h",
        expires_at=clock() + timedelta(minutes=15),
    )
    clock.advance(timedelta(minutes=16))

    error = refused(
        funded.database, HoldExpired, lambda: funded.post_hold(hold.id, idempotency_key="p")
    )

    assert error.hold_id == hold.id
    refused(funded.database, HoldExpired, lambda: funded.void_hold(hold.id))
    funded.expire_holds()
    refused(funded.database, HoldNotPending, lambda: funded.post_hold(hold.id, idempotency_key="p"))
    assert held_and_balance(funded, "bakery") == (0, 10000)


def test_a_hold_still_before_its_expiry_can_be_posted(funded: Engine, clock: SteppingClock) -> None:
    hold = funded.place_hold(
        "bakery",
        "reconversion:pending",
        3000,
        idempotency_key="h",
        expires_at=clock() + timedelta(minutes=15),
    )
    clock.advance(timedelta(minutes=14))

    funded.post_hold(hold.id, idempotency_key="p")

    assert funded.account("reconversion:pending").balance == 3000


def test_an_unknown_hold_cannot_be_posted_nor_voided(funded: Engine) -> None:
    refused(funded.database, UnknownHold, lambda: funded.post_hold(999, idempotency_key="p"))
    refused(funded.database, UnknownHold, lambda: funded.void_hold(999))


def test_posting_a_hold_into_a_frozen_account_is_refused_and_keeps_the_hold(
    funded: Engine,
) -> None:
    hold = funded.place_hold("bakery", "reconversion:pending", 3000, idempotency_key="h")
    funded.set_status("reconversion:pending", AccountStatus.FROZEN)

    refused(
        funded.database,
        AccountNotActive,
        lambda: funded.post_hold(hold.id, idempotency_key="p"),
    )

    assert funded.get_hold(hold.id).status is HoldStatus.PENDING
    assert held_and_balance(funded, "bakery") == (3000, 10000)
