"""Membership fees: per kind and period, paid in units or euros; who is up to date."""

from __future__ import annotations

from datetime import date

import pytest

from monnaie_locale.deployment import MembershipFee
from monnaie_locale.errors import IdempotencyConflict, InvalidRequest, MonnaieLocaleError
from monnaie_locale.model import AccountKind
from monnaie_locale.operations import conversion
from monnaie_locale.operations.errors import OperationNotAllowed, WrongState
from monnaie_locale.operations.membership import (
    MembershipStatus,
    membership_status,
    pay_membership_fee,
)
from monnaie_locale.store import Database
from tests.conftest import SteppingClock
from tests.operations.conftest import Books, make_books, make_deployment

FEES = {
    AccountKind.MEMBER: MembershipFee(1500, "year"),
    AccountKind.BUSINESS: MembershipFee(1000, "month"),
}


@pytest.fixture
def books(database: Database, clock: SteppingClock) -> Books:
    return make_books(database, clock, make_deployment(membership_fees=FEES))


def pay(books: Books, account: str, period: str, paid_in: str, key: str) -> str:
    """The ledger batch that booked the fee."""
    return books.run(
        pay_membership_fee, account=account, period=period, paid_in=paid_in, idempotency_key=key
    ).transaction_batch


def card(books: Books, account: str, amount: int) -> None:
    books.run(
        conversion.convert_by_card,
        account=account,
        amount=amount,
        payment_reference=f"PSP-{account}",
        idempotency_key=f"card-{account}",
    )


def test_a_fee_paid_in_units_goes_to_the_association_and_stays_backed(books: Books) -> None:
    card(books, "alice", 5000)

    batch = pay(books, "alice", "2026", "units", "m1")

    # The units go to the association; the euro pair books the fee as income (756).
    assert books.postings_of(batch) == {
        "alice": -1500,
        "association:fees": 1500,
        "external": -1500,
        "income:membership": 1500,
    }
    report = books.report()
    assert report.position.digital["association"] == 1500
    assert report.coverage == 1


def test_a_fee_paid_in_euros_funds_the_association(books: Books) -> None:
    batch = pay(books, "bob", "2026", "euros", "m1")

    assert books.postings_of(batch) == {
        "association:operating": -1500,
        "income:membership": 1500,
    }
    assert books.report().position.reserve_total == 0


def test_businesses_pay_by_month_and_members_by_year(books: Books) -> None:
    card(books, "bakery", 5000)
    pay(books, "bakery", "2026-11", "units", "m1")

    with pytest.raises(InvalidRequest):
        pay(books, "bakery", "2026", "units", "m2")
    with pytest.raises(InvalidRequest):
        pay(books, "alice", "2026-11", "euros", "m3")


def test_a_period_is_paid_once(books: Books) -> None:
    pay(books, "bob", "2026", "euros", "m1")
    before = books.posting_count()

    with pytest.raises(WrongState):
        pay(books, "bob", "2026", "euros", "m2")

    assert books.posting_count() == before


def test_a_retry_with_the_same_key_pays_once(books: Books) -> None:
    first = pay(books, "bob", "2026", "euros", "m1")

    assert pay(books, "bob", "2026", "euros", "m1") == first
    with pytest.raises(IdempotencyConflict):
        pay(books, "bob", "2027", "euros", "m1")


def test_the_payment_says_what_was_paid_and_in_what_even_when_retried(books: Books) -> None:
    card(books, "bakery", 5000)
    retried = [
        books.run(pay_membership_fee, account=account, period=period, paid_in=paid_in,
                  idempotency_key=key)
        for account, period, paid_in, key in (
            ("alice", "2026", "euros", "m1"), ("bakery", "2026-11", "units", "m2"),
            ("alice", "2026", "euros", "m1"), ("bakery", "2026-11", "units", "m2"),
        )
    ]  # fmt: skip

    assert retried[2:] == retried[:2]
    euros, units = retried[:2]
    assert (euros.account, euros.period) == ("alice", "2026")
    assert (euros.amount, euros.currency) == (FEES[AccountKind.MEMBER].amount, "EUR")
    assert (units.amount, units.currency) == (
        FEES[AccountKind.BUSINESS].amount,
        books.deployment.unit.code,
    )
    assert books.postings_of(units.transaction_batch)["bakery"] == -units.amount


def test_a_kind_without_a_fee_is_refused(books: Books) -> None:
    with pytest.raises(OperationNotAllowed):
        pay(books, "town:regie-pool", "2026", "euros", "m1")


def test_paying_in_units_without_the_units_is_refused(books: Books) -> None:
    with pytest.raises(MonnaieLocaleError):
        pay(books, "carol", "2026", "units", "m1")

    assert books.posting_count() == 0


def test_the_status_lists_who_is_up_to_date_for_the_period_of_a_day(books: Books) -> None:
    card(books, "bakery", 5000)
    pay(books, "alice", "2026", "euros", "m1")
    pay(books, "bakery", "2026-10", "units", "m2")

    status = books.read(
        lambda conn: membership_status(conn, books.deployment, on=date(2026, 11, 2))
    )

    assert status == [
        MembershipStatus("bakery", "business", "2026-11", False),
        MembershipStatus("alice", "member", "2026", True),
        MembershipStatus("bob", "member", "2026", False),
        MembershipStatus("carol", "member", "2026", False),
    ]
