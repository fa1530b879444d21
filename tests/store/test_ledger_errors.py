"""Requests the ledger must refuse, each with a clear error and no trace in the books.

Every refusal goes through :func:`tests.support.refused`, which compares everything
stored (balances, holds, postings, transactions, keys, journal) before and after.
"""

from __future__ import annotations

from typing import Any

import pytest

from monnaie_locale.errors import (
    AccountNotActive,
    AlreadyReversed,
    Conflict,
    CurrencyMismatch,
    DuplicateAccount,
    InsufficientFunds,
    InvalidAmount,
    InvalidRequest,
    LimitExceeded,
    Unbalanced,
    UnknownAccount,
    UnknownTransaction,
)
from monnaie_locale.ledger.posting import write_transaction
from monnaie_locale.model import AccountKind, AccountStatus, Leg, TransferRequest
from monnaie_locale.store.database import allocate_transaction_id
from tests.conftest import SteppingClock
from tests.engine import Engine
from tests.support import refused


@pytest.fixture
def funded(ledger: Engine) -> Engine:
    """alice holds 50.00; bob is empty; shop may hold at most 100.00; carol has 100.00 credit."""
    ledger.open_account("alice", kind=AccountKind.MEMBER, currency="MLC")
    ledger.open_account("bob", kind=AccountKind.MEMBER, currency="MLC")
    ledger.open_account("shop", kind=AccountKind.BUSINESS, currency="MLC", upper_limit=10000)
    ledger.open_account("carol", kind=AccountKind.MEMBER, currency="MLC", lower_limit=-10000)
    ledger.transfer("issuance", "alice", 5000, idempotency_key="fund-alice")
    return ledger


# Unknown names and malformed amounts ------------------------------------------------------


@pytest.mark.parametrize(("debit", "credit"), [("nobody", "bob"), ("alice", "nobody")])
def test_transfer_naming_an_unknown_account_is_refused(
    funded: Engine, debit: str, credit: str
) -> None:
    error = refused(
        funded.database,
        UnknownAccount,
        lambda: funded.transfer(debit, credit, 100, idempotency_key="k"),
    )
    assert error.account == "nobody"
    assert error.code == "unknown_account"


@pytest.mark.parametrize("amount", [0, -100, 12.5, True, "100", None])
def test_transfer_amount_must_be_a_positive_whole_number_of_cents(
    funded: Engine, amount: Any
) -> None:
    error = refused(
        funded.database,
        InvalidAmount,
        lambda: funded.transfer("alice", "bob", amount, idempotency_key="k"),
    )
    assert error.value == amount


def test_transfer_to_oneself_is_refused(funded: Engine) -> None:
    refused(
        funded.database,
        InvalidRequest,
        lambda: funded.transfer("alice", "alice", 100, idempotency_key="k"),
    )


@pytest.mark.parametrize("key", ["", "k" * 201])
def test_idempotency_key_must_be_1_to_200_characters(funded: Engine, key: str) -> None:
    refused(
        funded.database,
        InvalidRequest,
        lambda: funded.transfer("alice", "bob", 100, idempotency_key=key),
    )


# Balance per currency -------------------------------------------------------------------


def test_legs_that_do_not_sum_to_zero_are_refused_with_the_difference(funded: Engine) -> None:
    request = TransferRequest(legs=(Leg("alice", -100), Leg("bob", 50)))

    error = refused(funded.database, Unbalanced, lambda: funded.post(request, idempotency_key="k"))

    assert error.sums == {"MLC": -50}


def test_legs_across_currencies_must_balance_in_each_currency(funded: Engine) -> None:
    # Sums to zero overall, but 1.00 MLC would vanish and 1.00 EUR appear from nowhere.
    request = TransferRequest(legs=(Leg("alice", -100), Leg("external", 100)))

    error = refused(funded.database, Unbalanced, lambda: funded.post(request, idempotency_key="k"))

    assert error.sums == {"MLC": -100, "EUR": 100}


def test_a_leg_whose_account_holds_another_currency_than_stated_is_refused(
    funded: Engine, clock: SteppingClock
) -> None:
    request = TransferRequest.simple("alice", "bob", 100)

    def post_stating_euros(conn: Any) -> object:
        return write_transaction(
            conn,
            request,
            transaction_id=allocate_transaction_id(conn),
            clock=clock,
            currencies={"bob": "EUR"},
        )

    error = refused(
        funded.database, CurrencyMismatch, lambda: funded.database.write(post_stating_euros)
    )
    assert (error.account, error.expected, error.given) == ("bob", "MLC", "EUR")


# Account status -------------------------------------------------------------------------


@pytest.mark.parametrize(("debit", "credit"), [("alice", "bob"), ("bob", "alice")])
def test_frozen_account_neither_pays_nor_receives(funded: Engine, debit: str, credit: str) -> None:
    funded.transfer("alice", "bob", 1000, idempotency_key="before")
    funded.set_status("alice", AccountStatus.FROZEN)

    error = refused(
        funded.database,
        AccountNotActive,
        lambda: funded.transfer(debit, credit, 100, idempotency_key="k"),
    )

    assert (error.account, error.status) == ("alice", "frozen")
    funded.set_status("alice", AccountStatus.ACTIVE)
    funded.transfer(debit, credit, 100, idempotency_key="k")
    assert funded.account("bob").balance == 1000 + (100 if credit == "bob" else -100)


def test_closed_account_receives_nothing_and_cannot_be_reopened(funded: Engine) -> None:
    funded.set_status("bob", AccountStatus.CLOSED)

    error = refused(
        funded.database,
        AccountNotActive,
        lambda: funded.transfer("alice", "bob", 100, idempotency_key="k"),
    )

    assert (error.account, error.status) == ("bob", "closed")
    refused(funded.database, Conflict, lambda: funded.set_status("bob", AccountStatus.ACTIVE))


def test_account_with_money_cannot_be_closed(funded: Engine) -> None:
    refused(funded.database, Conflict, lambda: funded.set_status("alice", AccountStatus.CLOSED))


def test_opening_an_account_whose_code_is_taken_is_refused(funded: Engine) -> None:
    refused(
        funded.database,
        DuplicateAccount,
        lambda: funded.open_account("alice", kind=AccountKind.MEMBER, currency="MLC"),
    )


@pytest.mark.parametrize(
    "options",
    [
        {"currency": "XYZ"},
        {"currency": "MLC", "lower_limit": 1},
        {"currency": "MLC", "upper_limit": -1},
    ],
)
def test_opening_an_account_with_impossible_settings_is_refused(
    funded: Engine, options: dict[str, Any]
) -> None:
    refused(
        funded.database,
        InvalidRequest,
        lambda: funded.open_account("dave", kind=AccountKind.MEMBER, **options),
    )


# Limits ---------------------------------------------------------------------------------


def test_overdraft_is_refused_saying_what_was_needed_and_what_is_available(
    funded: Engine,
) -> None:
    error = refused(
        funded.database,
        InsufficientFunds,
        lambda: funded.transfer("alice", "bob", 5001, idempotency_key="k"),
    )

    assert (error.account, error.needed, error.available) == ("alice", 5001, 5000)
    # Said as people write amounts, never in minor units.
    assert "50.01" in error.message and "50.00" in error.message


def test_held_money_is_not_available_to_a_transfer(funded: Engine) -> None:
    funded.place_hold("alice", "bob", 1000, idempotency_key="hold")

    error = refused(
        funded.database,
        InsufficientFunds,
        lambda: funded.transfer("alice", "bob", 4001, idempotency_key="k"),
    )

    assert (error.needed, error.available) == (4001, 4000)
    funded.transfer("alice", "bob", 4000, idempotency_key="k")
    assert funded.account("alice").balance == 1000


def test_credit_beyond_the_upper_limit_is_refused(funded: Engine) -> None:
    funded.transfer("issuance", "shop", 6000, idempotency_key="first")

    error = refused(
        funded.database,
        LimitExceeded,
        lambda: funded.transfer("issuance", "shop", 4001, idempotency_key="k"),
    )

    assert (error.account, error.amount, error.upper_limit) == ("shop", 4001, 10000)
    funded.transfer("issuance", "shop", 4000, idempotency_key="k")
    assert funded.account("shop").balance == 10000


def test_credit_line_allows_overdraft_down_to_its_limit_and_no_further(funded: Engine) -> None:
    funded.transfer("carol", "bob", 10000, idempotency_key="spend")
    assert funded.account("carol").balance == -10000
    assert funded.account("carol").available == 0

    error = refused(
        funded.database,
        InsufficientFunds,
        lambda: funded.transfer("carol", "bob", 1, idempotency_key="k"),
    )

    assert (error.account, error.needed, error.available) == ("carol", 1, 0)


def test_unbounded_system_account_may_go_as_negative_as_needed(funded: Engine) -> None:
    funded.transfer("issuance", "bob", 10**12, idempotency_key="big")
    assert funded.account("issuance").balance == -5000 - 10**12


# Reversals ------------------------------------------------------------------------------


def test_second_reversal_of_a_transaction_is_refused(funded: Engine) -> None:
    payment = funded.transfer("alice", "bob", 1000, idempotency_key="pay")
    funded.reverse(payment.id, idempotency_key="undo")

    error = refused(
        funded.database,
        AlreadyReversed,
        lambda: funded.reverse(payment.id, idempotency_key="undo-again"),
    )

    assert error.transaction_id == payment.id


def test_a_reversal_cannot_itself_be_reversed(funded: Engine) -> None:
    payment = funded.transfer("alice", "bob", 1000, idempotency_key="pay")
    reversal = funded.reverse(payment.id, idempotency_key="undo")

    error = refused(
        funded.database,
        InvalidRequest,
        lambda: funded.reverse(reversal.id, idempotency_key="undo-undo"),
    )

    assert str(reversal.id) in error.message


def test_reversing_an_unknown_transaction_is_refused(funded: Engine) -> None:
    error = refused(
        funded.database,
        UnknownTransaction,
        lambda: funded.reverse(999_999, idempotency_key="undo"),
    )
    assert error.transaction_id == 999_999


def test_reversal_that_would_overdraw_the_payee_is_refused(funded: Engine) -> None:
    payment = funded.transfer("alice", "bob", 1000, idempotency_key="pay")
    funded.transfer("bob", "shop", 1000, idempotency_key="spent")

    error = refused(
        funded.database,
        InsufficientFunds,
        lambda: funded.reverse(payment.id, idempotency_key="undo"),
    )

    assert (error.account, error.needed, error.available) == ("bob", 1000, 0)


def test_empty_batch_is_refused(funded: Engine) -> None:
    refused(funded.database, InvalidRequest, lambda: funded.batch([], idempotency_key="k"))


def test_a_refused_call_leaves_its_key_free_for_the_corrected_request(funded: Engine) -> None:
    refused(
        funded.database,
        InsufficientFunds,
        lambda: funded.transfer("alice", "bob", 9000, idempotency_key="k"),
    )

    funded.transfer("alice", "bob", 900, idempotency_key="k")

    assert funded.account("bob").balance == 900
