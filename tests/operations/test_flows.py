"""The association's other money flows, each with its entries worked out by hand.

Amounts are in cents. A leg reads as the ledger stores it: credits positive, so a euro
asset (reserve, operating) that grows reads negative, an expense is negative and an income
positive. ``postings_of`` nets a batch per account.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from monnaie_locale.deployment import EXPENSE_BANK_FEES, RESERVE_DIGITAL
from monnaie_locale.errors import (
    AccountNotActive,
    AccountNotEmpty,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    InvalidRequest,
    MonnaieLocaleError,
    UnknownAccount,
)
from monnaie_locale.exports.account_map import LIAISON, AccountMap
from monnaie_locale.exports.source import iter_transactions
from monnaie_locale.ledger import service
from monnaie_locale.ledger.accounts import get_account, set_status
from monnaie_locale.model import AccountStatus, TransferRequest
from monnaie_locale.operations import bank_costs, conversion, gifts, leaving, notes, surplus
from monnaie_locale.operations.errors import (
    CoverageViolation,
    NotesUnavailable,
    OperatingShort,
    OperationNotAllowed,
    WrongState,
)
from monnaie_locale.operations.reversals import reverse_conversion
from monnaie_locale.operations.write_offs import write_off_series
from monnaie_locale.store import Database
from monnaie_locale.store.tables import transactions
from tests.conftest import SteppingClock
from tests.operations.conftest import Books, make_books, make_deployment
from tests.support import snapshot


@pytest.fixture
def books(database: Database, clock: SteppingClock) -> Books:
    # A 3 % conversion bonus, as Sol-Violette or La Pêche give.
    return make_books(database, clock, make_deployment(conversion_bonus_bps=300))


@pytest.fixture(autouse=True)
def liaison_nets_to_zero(books: Books) -> Iterator[None]:
    """After each test, every entry nets the chart's liaison account (issuance, external,
    the unsold notes, the association's own units) to zero, so the FEC shows each flow as
    income, an expense, or money moving between real accounts."""
    yield
    mapping = AccountMap()

    def unbalanced(conn: Any) -> list[str]:
        return [
            transaction.kind
            for transaction in iter_transactions(conn)
            # A raw transfer (raw() below) sets a scene beneath every rule: not a flow.
            if transaction.kind != "transfer"
            and sum(
                posting.amount
                for posting in transaction.postings
                if mapping.lookup(posting.account).number == LIAISON[0]
            )
        ]

    assert books.read(unbalanced) == []


def card(books: Books, account: str, amount: int, key: str) -> conversion.Conversion:
    """A card conversion, its bonus first given to the association (a donation)."""
    books.fund_association(books.deployment.bonus_for(amount), key=f"bonus-{key}")
    return books.run(
        conversion.convert_by_card,
        account=account,
        amount=amount,
        payment_reference=f"PSP-{key}",
        idempotency_key=key,
    )


def raw(books: Books, debit: str, credit: str, amount: int, key: str) -> None:
    """A plain ledger transfer, beneath every operation's rule."""
    request = TransferRequest.simple(debit, credit, amount)
    books.write(
        lambda conn: service.post_transfer(conn, request, idempotency_key=key, clock=books.clock)
    )


def refused(books: Books, error: type[MonnaieLocaleError], call: Callable[[], Any]) -> None:
    """``call`` raises ``error`` and the books are as they were."""
    before = snapshot(books.database)
    with pytest.raises(error):
        call()
    assert snapshot(books.database) == before


# 1. Bank and card fees, interest ---------------------------------------------------------


def test_a_fee_on_the_operating_account_is_an_expense(books: Books) -> None:
    books.fund_association(10000)

    booked = books.run(
        bank_costs.book_bank_fee,
        account="association:operating",
        amount=250,
        fee="bank",
        idempotency_key="fee-1",
    )

    # EUR Dr expense:bank_fees 2.50 / Cr association:operating 2.50
    assert books.postings_of(booked.transaction_batch) == {
        "expense:bank_fees": -250,
        "association:operating": 250,
    }
    assert (booked.kind, booked.extra) == ("bank_fee", 0)
    again = books.run(
        bank_costs.book_bank_fee,
        account="association:operating",
        amount=250,
        fee="bank",
        idempotency_key="fee-1",
    )
    assert again == booked
    assert books.balance("association:operating") == -9750


def test_a_fee_and_interest_seen_on_a_statement_are_booked_on_the_bank_s_days(
    books: Books,
) -> None:
    card(books, "alice", 5000, "c1")
    books.fund_association(1000)

    fee = books.run(
        bank_costs.book_bank_fee,
        account=RESERVE_DIGITAL,
        amount=200,
        fee="bank",
        idempotency_key="f-oct",
        on=date(2026, 10, 30),
    )
    earned = books.run(
        bank_costs.book_interest,
        account=RESERVE_DIGITAL,
        amount=150,
        idempotency_key="i-oct",
        on=date(2026, 10, 31),
    )

    def days(conn: Any, batch: str | None) -> set[date | None]:
        query = select(transactions.c.operation_date).where(transactions.c.batch == batch)
        return set(conn.execute(query).scalars())

    assert books.read(days, fee.transaction_batch) == {date(2026, 10, 30)}
    assert books.read(days, earned.transaction_batch) == {date(2026, 10, 31)}
    # The same key with another day is another request: refused, nothing booked twice.
    refused(
        books,
        IdempotencyConflict,
        lambda: books.run(
            bank_costs.book_interest,
            account=RESERVE_DIGITAL,
            amount=150,
            idempotency_key="i-oct",
            on=date(2026, 10, 29),
        ),
    )


def test_interest_on_the_reserve_then_a_card_fee_it_covers(books: Books) -> None:
    card(books, "alice", 5000, "c1")  # 50 + 1.50 bonus, reserve 51.50
    books.fund_association(1000)

    earned = books.run(
        bank_costs.book_interest, account=RESERVE_DIGITAL, amount=1000, idempotency_key="i1"
    )
    # EUR Dr reserve:digital 10 / Cr income:interest 10
    assert books.postings_of(earned.transaction_batch) == {
        "reserve:digital": -1000,
        "income:interest": 1000,
    }
    fee = books.run(
        bank_costs.book_bank_fee,
        account=RESERVE_DIGITAL,
        amount=300,
        fee="card",
        idempotency_key="f1",
    )
    # The surplus of 10 pays it: EUR Dr expense:card_fees 3 / Cr reserve:digital 3, no top-up.
    assert books.postings_of(fee.transaction_batch) == {
        "expense:card_fees": -300,
        "reserve:digital": 300,
    }
    assert fee.extra == 0
    report = books.report()
    assert report.position.reserve_total - report.position.circulation == 700


def test_a_fee_that_would_leave_the_reserve_short_is_topped_up_from_operating(
    books: Books,
) -> None:
    card(books, "alice", 5000, "c1")  # reserve 51.50 for 51.50 in circulation
    books.fund_association(2000)

    fee = books.run(
        bank_costs.book_bank_fee,
        account=RESERVE_DIGITAL,
        amount=120,
        fee="bank",
        idempotency_key="f1",
    )

    # EUR Dr expense:bank_fees 1.20 / Cr reserve:digital 1.20, and in the same batch
    # EUR Dr reserve:digital 1.20 / Cr association:operating 1.20: net on the reserve, zero.
    assert books.postings_of(fee.transaction_batch) == {
        "expense:bank_fees": -120,
        "reserve:digital": 0,
        "association:operating": 120,
    }
    assert fee.extra == 120
    assert books.report().coverage == 1
    assert books.balance("association:operating") == -(2000 - 120)


def test_a_fee_the_operating_account_cannot_top_up_is_refused(books: Books) -> None:
    card(books, "alice", 5000, "c1")
    books.fund_association(100)  # 1 of the 1.20 a top-up needs

    refused(
        books,
        OperatingShort,
        lambda: books.run(
            bank_costs.book_bank_fee,
            account=RESERVE_DIGITAL,
            amount=120,
            fee="bank",
            idempotency_key="f1",
        ),
    )


@pytest.mark.parametrize(
    ("account", "amount", "error"),
    [
        ("alice", 100, InvalidRequest),  # not a bank account
        ("nowhere", 100, InvalidRequest),
        (RESERVE_DIGITAL, 0, InvalidAmount),
        (RESERVE_DIGITAL, -5, InvalidAmount),
        ("association:operating", 100, Exception),  # operating holds nothing: overdrawn
    ],
)
def test_a_bad_fee_changes_nothing(
    books: Books, account: str, amount: int, error: type[MonnaieLocaleError]
) -> None:
    refused(
        books,
        error,
        lambda: books.run(
            bank_costs.book_bank_fee,
            account=account,
            amount=amount,
            fee="bank",
            idempotency_key="f",
        ),
    )


def test_a_key_used_for_another_fee_is_refused(books: Books) -> None:
    books.fund_association(1000)
    books.run(
        bank_costs.book_bank_fee,
        account="association:operating",
        amount=100,
        fee="bank",
        idempotency_key="f1",
    )
    refused(
        books,
        IdempotencyConflict,
        lambda: books.run(
            bank_costs.book_bank_fee,
            account="association:operating",
            amount=200,
            fee="bank",
            idempotency_key="f1",
        ),
    )


# The coverage guard ----------------------------------------------------------------------


def test_books_already_short_still_take_what_raises_the_coverage(books: Books) -> None:
    card(books, "alice", 10000, "c1")  # 100 + 3 bonus: 103 / 103
    books.fund_association(1000)
    raw(books, EXPENSE_BANK_FEES, RESERVE_DIGITAL, 500, "raw-fee")  # 98 / 103
    assert books.report().coverage < 1

    # A conversion raises it (148 / 154.50 > 98 / 103): it goes through.
    card(books, "bob", 5000, "c2")
    # Interest raises it too.
    books.run(bank_costs.book_interest, account=RESERVE_DIGITAL, amount=100, idempotency_key="i")
    # A donation in units would lower it (reserve and circulation down alike): refused.
    refused(
        books,
        CoverageViolation,
        lambda: books.run(gifts.donate_units, account="bob", amount=1000, idempotency_key="d"),
    )
    # So would moving a surplus there is none of.
    refused(
        books,
        CoverageViolation,
        lambda: books.run(
            surplus.move_to_operating, what="surplus", amount=100, idempotency_key="s"
        ),
    )


# 2. Fees held and surplus to the operating account ----------------------------------------


def test_fees_held_and_a_surplus_move_to_operating(books: Books) -> None:
    card(books, "alice", 5000, "c1")
    raw(books, "alice", "association:fees", 500, "fees")
    books.run(bank_costs.book_interest, account=RESERVE_DIGITAL, amount=200, idempotency_key="i")

    fees = books.run(surplus.move_to_operating, what="fees", amount=500, idempotency_key="m1")
    # Unit Dr association:fees 5 / Cr issuance 5; EUR Dr operating 5 / Cr reserve:digital 5.
    assert books.postings_of(fees.transaction_batch) == {
        "association:fees": -500,
        "issuance": 500,
        "association:operating": -500,
        "reserve:digital": 500,
    }
    extra = books.run(surplus.move_to_operating, what="surplus", amount=200, idempotency_key="m2")
    # EUR Dr association:operating 2 / Cr reserve:digital 2.
    assert books.postings_of(extra.transaction_batch) == {
        "association:operating": -200,
        "reserve:digital": 200,
    }
    assert books.report().coverage == 1
    # One cent more would leave a unit unbacked.
    refused(
        books,
        CoverageViolation,
        lambda: books.run(
            surplus.move_to_operating, what="surplus", amount=1, idempotency_key="m3"
        ),
    )
    # More fee units than the association holds.
    refused(
        books,
        InsufficientFunds,
        lambda: books.run(surplus.move_to_operating, what="fees", amount=1, idempotency_key="m4"),
    )
    assert (
        books.run(surplus.move_to_operating, what="fees", amount=500, idempotency_key="m1") == fees
    )


# 3. Donations and grants ------------------------------------------------------------------


def test_donations_and_grants_in_euros_and_in_units(books: Books) -> None:
    gift = books.run(
        gifts.receive_gift, gift="donation", amount=3000, memo="Mme Durand", idempotency_key="g1"
    )
    # EUR Dr association:operating 30 / Cr income:donations 30
    assert books.postings_of(gift.transaction_batch) == {
        "association:operating": -3000,
        "income:donations": 3000,
    }
    grant = books.run(
        gifts.receive_gift, gift="grant", amount=125000, memo="", idempotency_key="g2"
    )
    # EUR Dr association:operating 1250 / Cr income:grants 1250
    assert books.postings_of(grant.transaction_batch) == {
        "association:operating": -125000,
        "income:grants": 125000,
    }
    card(books, "alice", 5000, "c1")
    units = books.run(gifts.donate_units, account="alice", amount=1000, idempotency_key="u1")
    # Unit Dr alice 10 / Cr issuance 10; EUR Dr operating 10 / Cr reserve:digital 10, and
    # Dr external 10 / Cr income:donations 10 (the debt to alice gone is the gift).
    assert books.postings_of(units.transaction_batch) == {
        "alice": -1000,
        "issuance": 1000,
        "association:operating": -1000,
        "reserve:digital": 1000,
        "external": -1000,
        "income:donations": 1000,
    }
    assert (units.currency, books.report().coverage) == ("MLC", 1)
    assert (
        books.run(gifts.donate_units, account="alice", amount=1000, idempotency_key="u1") == units
    )
    refused(
        books,
        UnknownAccount,
        lambda: books.run(gifts.donate_units, account="nobody", amount=100, idempotency_key="u2"),
    )
    refused(
        books,
        InsufficientFunds,
        lambda: books.run(gifts.donate_units, account="alice", amount=9999, idempotency_key="u3"),
    )
    refused(
        books,
        InvalidAmount,
        lambda: books.run(
            gifts.receive_gift, gift="grant", amount=0, memo="", idempotency_key="g3"
        ),
    )


# 4. A member leaving or dying ---------------------------------------------------------------


def test_a_member_who_leaves_is_refunded_and_the_account_refuses_everything(
    books: Books,
) -> None:
    card(books, "alice", 5000, "c1")  # 51.50 with the bonus

    closed = books.run(
        leaving.close_for_good,
        account="alice",
        reason="left",
        settlement="refund",
        paid_to="Alice Martin FR76...",
        idempotency_key="bye",
    )

    # Unit Dr alice 51.50 / Cr issuance 51.50; EUR Dr external 51.50 / Cr reserve:digital.
    assert books.postings_of(closed.transaction_batch) == {
        "alice": -5150,
        "issuance": 5150,
        "external": -5150,
        "reserve:digital": 5150,
    }
    assert (closed.reason, closed.settlement, closed.amount) == ("left", "refund", 5150)
    assert books.read(get_account, "alice").status is AccountStatus.CLOSED
    assert books.report().coverage is None  # nothing circulates any more
    again = books.run(
        leaving.close_for_good,
        account="alice",
        reason="left",
        settlement="refund",
        paid_to="Alice Martin FR76...",
        idempotency_key="bye",
    )
    assert again == closed
    card(books, "bob", 1000, "c2")
    refused(books, AccountNotActive, lambda: raw(books, "bob", "alice", 100, "after"))


def test_the_heirs_who_do_not_claim_leave_the_balance_to_the_association(books: Books) -> None:
    card(books, "bob", 2000, "c1")  # 20.60
    books.write(lambda conn: set_status(conn, "bob", AccountStatus.FROZEN))

    closed = books.run(
        leaving.close_for_good,
        account="bob",
        reason="deceased",
        settlement="donate",
        idempotency_key="heirs",
    )

    # A donation in units: unit Dr bob 20.60 / Cr issuance; EUR Dr operating / Cr reserve,
    # Dr external / Cr income:donations.
    assert books.postings_of(closed.transaction_batch) == {
        "bob": -2060,
        "issuance": 2060,
        "association:operating": -2060,
        "reserve:digital": 2060,
        "external": -2060,
        "income:donations": 2060,
    }
    assert books.read(get_account, "bob").status is AccountStatus.CLOSED


def test_a_closure_refused_changes_nothing(books: Books) -> None:
    card(books, "alice", 5000, "c1")
    books.write(
        lambda conn: service.place_hold(
            conn, debit="alice", credit="bakery", amount=100, idempotency_key="h", clock=books.clock
        )
    )
    refused(
        books,
        AccountNotEmpty,
        lambda: books.run(
            leaving.close_for_good,
            account="alice",
            reason="left",
            settlement="donate",
            idempotency_key="k1",
        ),
    )
    refused(
        books,
        InvalidRequest,  # a refund names its payee
        lambda: books.run(
            leaving.close_for_good,
            account="bob",
            reason="left",
            settlement="refund",
            idempotency_key="k2",
        ),
    )
    refused(
        books,
        UnknownAccount,
        lambda: books.run(
            leaving.close_for_good,
            account="nobody",
            reason="left",
            settlement="donate",
            idempotency_key="k3",
        ),
    )


# 5. A lost note series written off -----------------------------------------------------------


def test_a_series_stolen_from_the_vault_and_one_lost_in_circulation(books: Books) -> None:
    books.run(notes.print_notes, bundle={2000: 10}, idempotency_key="print")
    books.run(notes.deliver_notes, office="3", bundle={2000: 3}, idempotency_key="deliver")
    books.fund_association(10000)
    books.run(notes.lose_notes, location="3", bundle={2000: 2}, idempotency_key="lose")

    stolen = books.run(
        write_off_series,
        series="A-0001..A-0005",
        location="vault",
        bundle={2000: 5},
        reason="stolen",
        idempotency_key="w1",
    )
    # Unit Dr notes:vault 100 / Cr issuance 100; no euros: they never circulated.
    assert books.postings_of(stolen.transaction_batch) == {"notes:vault": -10000, "issuance": 10000}
    gone = books.run(
        write_off_series,
        series="B-0010..B-0011",
        location="lost",
        bundle={2000: 2},
        reason="destroyed",
        idempotency_key="w2",
    )
    # Unit Dr notes:circulation 40 / Cr issuance 40, and EUR Dr external 40 / Cr
    # income:other 40 (the debt gone); the association's 40 € stay in reserve.
    assert books.postings_of(gone.transaction_batch) == {
        "notes:circulation": -4000,
        "issuance": 4000,
        "external": -4000,
        "income:other": 4000,
    }
    report = books.report()
    assert (report.position.reserve_total, report.position.circulation) == (4000, 0)
    assert report.position.note_stocks["vault"] == 4000
    again = books.run(
        write_off_series,
        series="A-0001..A-0005",
        location="vault",
        bundle={2000: 5},
        reason="stolen",
        idempotency_key="w1",
    )
    assert again == stolen
    refused(
        books,
        WrongState,  # a series is written off once
        lambda: books.run(
            write_off_series,
            series="A-0001..A-0005",
            location="vault",
            bundle={2000: 1},
            reason="stolen",
            idempotency_key="w3",
        ),
    )
    refused(
        books,
        NotesUnavailable,
        lambda: books.run(
            write_off_series,
            series="C-1..C-9",
            location="3",
            bundle={2000: 9},
            reason="destroyed",
            idempotency_key="w4",
        ),
    )


# 6. Conversions reversed and charged back ------------------------------------------------------


def test_a_reversal_takes_back_the_units_and_the_bonus(books: Books) -> None:
    books.fund_association(1000)
    converted = card(books, "alice", 10000, "c1")  # 100 + 3 bonus

    taken = books.run(
        reverse_conversion, conversion_id=converted.id, how="reversed", idempotency_key="r1"
    )

    # Unit Dr alice 100 / Cr issuance; EUR Dr external 100 / Cr reserve:digital 100; and the
    # bonus: unit Dr alice 3 / Cr issuance; EUR Dr operating 3 / Cr reserve:digital 3 and
    # Dr external 3 / Cr expense:bonus 3 (its cost taken back).
    assert books.postings_of(taken.transaction_batch) == {
        "alice": -10300,
        "issuance": 10300,
        "external": -10300,
        "expense:bonus": 300,
        "reserve:digital": 10300,
        "association:operating": -300,
    }
    assert (taken.taken_back, taken.borne) == (10300, 0)
    assert books.read(conversion.load_conversion, converted.id).status == "reversed"
    assert books.balance("association:operating") == -(1000 + 300)
    refused(
        books,
        WrongState,
        lambda: books.run(
            reverse_conversion, conversion_id=converted.id, how="reversed", idempotency_key="r2"
        ),
    )


def test_a_chargeback_on_units_already_spent_is_borne_by_the_association(books: Books) -> None:
    books.fund_association(10000)
    converted = card(books, "alice", 10000, "c1")  # 103 on alice
    raw(books, "alice", "bakery", 6000, "spent")  # 43 left

    charged = books.run(
        reverse_conversion, conversion_id=converted.id, how="charged_back", idempotency_key="cb"
    )

    # Unit Dr alice 43 / Cr issuance 43. EUR Cr reserve:digital 100 to the card network,
    # Dr external 43 (paid for by the units taken back) and Dr expense:chargebacks 57 (the
    # loss); EUR Dr reserve:digital 57 / Cr association:operating 57: the reserve keeps
    # backing the 60 the bakery holds (57 of the payment, 3 of the bonus).
    assert books.postings_of(charged.transaction_batch) == {
        "alice": -4300,
        "issuance": 4300,
        "external": -4300,
        "expense:chargebacks": -5700,
        "association:operating": 5700,
        "reserve:digital": 4300,
    }
    assert (charged.taken_back, charged.borne) == (4300, 5700)
    assert books.read(conversion.load_conversion, converted.id).status == "charged_back"
    assert books.report().coverage == 1
    again = books.run(
        reverse_conversion, conversion_id=converted.id, how="charged_back", idempotency_key="cb"
    )
    assert again == charged


def test_a_cash_conversion_is_not_charged_back(books: Books) -> None:
    books.fund_association(1000)
    converted = books.run(
        conversion.convert_cash, office="3", account="alice", amount=2000, idempotency_key="c"
    )
    refused(
        books,
        OperationNotAllowed,
        lambda: books.run(
            reverse_conversion, conversion_id=converted.id, how="charged_back", idempotency_key="x"
        ),
    )
    # Reversed, its euros go back out of the till.
    taken = books.run(
        reverse_conversion, conversion_id=converted.id, how="reversed", idempotency_key="y"
    )
    assert books.postings_of(taken.transaction_batch) == {
        "alice": -2060,
        "issuance": 2060,
        "external": -2060,
        "expense:bonus": 60,
        "office:3:till": 2000,
        "association:operating": -60,
        "reserve:digital": 60,
    }


@pytest.mark.parametrize(
    ("operation", "fields"),
    [
        (bank_costs.book_bank_fee, {"account": RESERVE_DIGITAL, "amount": 100, "fee": "atm"}),
        (gifts.receive_gift, {"gift": "legacy", "amount": 100, "memo": ""}),
        (surplus.move_to_operating, {"what": "everything", "amount": 100}),
    ],
    ids=["fee", "gift", "to-operating"],
)
def test_a_kind_the_books_do_not_know_is_refused_by_the_core_and_changes_nothing(
    books: Books, operation: Callable[..., Any], fields: dict[str, Any]
) -> None:
    card(books, "alice", 5000, "c1")
    books.fund_association(1000)

    refused(books, InvalidRequest, lambda: books.run(operation, idempotency_key="odd", **fields))
