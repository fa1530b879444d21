"""Bad input and forbidden operations: each gets a clear error and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from monnaie_locale.errors import (
    AccountNotActive,
    IdempotencyConflict,
    InvalidAmount,
    InvalidRequest,
    MonnaieLocaleError,
    UnknownAccount,
)
from monnaie_locale.ledger import service
from monnaie_locale.ledger.accounts import set_status
from monnaie_locale.model import AccountKind, AccountStatus, TransferRequest
from monnaie_locale.operations import conversion, gifts, notes, offices, payouts, reconversion
from monnaie_locale.operations.errors import (
    AmountMismatch,
    ConversionLimitExceeded,
    CoverageViolation,
    InvalidNotes,
    InvalidPayoutAccount,
    NotesUnavailable,
    OperationNotAllowed,
    ReserveInsufficient,
    UnknownRecord,
    WrongState,
)
from monnaie_locale.store import Database
from tests.conftest import SteppingClock
from tests.operations.conftest import BAKERY_IBAN, TOWN_IBAN, Books, make_books, make_deployment


def snapshot(books: Books) -> tuple[Any, ...]:
    """Everything an operation could change: postings, balances, holds, the report."""
    codes = ("alice", "bakery", "town:regie-pool", "reserve:digital", "issuance", "notes:vault")
    return (
        books.posting_count(),
        books.balances(*codes),
        {code: books.held(code) for code in codes},
        books.report(),
    )


def refused(books: Books, error: type[MonnaieLocaleError], attempt: Callable[[], Any]) -> None:
    before = snapshot(books)
    with pytest.raises(error):
        attempt()
    assert snapshot(books) == before


def card(books: Books, account: str, amount: int, key: str) -> conversion.Conversion:
    return books.run(
        conversion.convert_by_card,
        account=account,
        amount=amount,
        payment_reference=f"PSP-{key}",
        idempotency_key=key,
    )


def request(books: Books, account: str, amount: int, key: str, **kw: Any) -> Any:
    return books.run(
        reconversion.request_reconversion,
        account=account,
        amount=amount,
        creditor_name=kw.pop("creditor_name", "Holder"),
        iban=kw.pop("iban", BAKERY_IBAN),
        idempotency_key=key,
        **kw,
    )


def test_a_member_may_not_reconvert_by_default(books: Books) -> None:
    card(books, "alice", 5000, "c1")

    refused(books, OperationNotAllowed, lambda: request(books, "alice", 1000, "r1"))


def test_a_member_may_reconvert_when_the_deployment_allows_it(
    database: Database, clock: SteppingClock
) -> None:
    books = make_books(database, clock, make_deployment(members_may_reconvert=True))
    card(books, "alice", 5000, "c1")

    made = request(books, "alice", 1000, "r1")

    assert (made.fee, made.payout, made.status) == (50, 950, "requested")


def test_authorities_reconvert_under_their_convention_at_their_own_fee(books: Books) -> None:
    card(books, "town:regie-pool", 10000, "c1")

    made = request(books, "town:regie-pool", 10000, "r1", iban=TOWN_IBAN)

    assert (made.fee, made.payout, made.category) == (300, 9700, "authority")


def test_authorities_are_refused_when_the_deployment_has_no_convention(
    database: Database, clock: SteppingClock
) -> None:
    books = make_books(database, clock, make_deployment(authorities_may_reconvert=False))
    card(books, "town:regie-pool", 10000, "c1")

    refused(books, OperationNotAllowed, lambda: request(books, "town:regie-pool", 100, "r1"))


def test_a_business_of_a_reduced_category_pays_its_category_fee(books: Books) -> None:
    books.open("coop", AccountKind.BUSINESS, category="reduced")
    card(books, "coop", 10000, "c1")

    made = request(books, "coop", 10000, "r1")

    assert (made.fee, made.payout, made.category) == (300, 9700, "reduced")


@pytest.mark.parametrize(
    "iban",
    [
        "FR7630006000011234567890188",  # check digits
        "FR76300060000112345678901",  # length
        "XX7630006000011234567890189",  # country
        "",
    ],
)
def test_an_invalid_payout_iban_is_refused_before_anything_is_held(books: Books, iban: str) -> None:
    card(books, "bakery", 5000, "c1")

    refused(books, InvalidPayoutAccount, lambda: request(books, "bakery", 1000, "r1", iban=iban))


def test_an_invalid_payout_bic_is_refused(books: Books) -> None:
    card(books, "bakery", 5000, "c1")

    refused(books, InvalidPayoutAccount, lambda: request(books, "bakery", 1000, "r1", bic="CCOP"))


def test_reconverting_more_than_the_balance_is_refused(books: Books) -> None:
    card(books, "bakery", 5000, "c1")

    refused(books, MonnaieLocaleError, lambda: request(books, "bakery", 5001, "r1"))


def test_a_payout_iban_is_kept_in_its_compact_form(books: Books) -> None:
    card(books, "bakery", 5000, "c1")

    made = request(books, "bakery", 1000, "r1", iban="fr14 2004 1010 0505 0001 3m02 606")

    assert made.iban == BAKERY_IBAN


def test_cancelling_releases_the_hold_and_cancelling_twice_is_refused(books: Books) -> None:
    card(books, "bakery", 5000, "c1")
    made = request(books, "bakery", 3000, "r1")
    assert books.held("bakery") == 3000

    cancelled = books.write(
        lambda conn: reconversion.cancel_reconversion(conn, request_id=made.id, clock=books.clock)
    )

    assert cancelled.status == "cancelled"
    assert books.held("bakery") == 0
    assert books.balance("bakery") == 5000
    refused(
        books,
        WrongState,
        lambda: books.write(
            lambda conn: reconversion.cancel_reconversion(
                conn, request_id=made.id, clock=books.clock
            )
        ),
    )


def test_a_request_outside_an_exported_batch_cannot_be_paid(books: Books) -> None:
    card(books, "bakery", 5000, "c1")
    made = request(books, "bakery", 3000, "r1")

    refused(
        books,
        WrongState,
        lambda: books.run(payouts.mark_paid, request_id=made.id, bank_reference="X"),
    )
    batch = books.run(
        payouts.validate_batch,
        request_ids=[made.id],
        validated_by="treasurer",
        idempotency_key="b1",
    )
    assert batch.status == "validated"
    refused(
        books,
        WrongState,
        lambda: books.run(payouts.mark_paid, request_id=made.id, bank_reference="X"),
    )


def test_a_batched_request_can_no_longer_be_cancelled(books: Books) -> None:
    card(books, "bakery", 5000, "c1")
    made = request(books, "bakery", 3000, "r1")
    books.run(
        payouts.validate_batch,
        request_ids=[made.id],
        validated_by="treasurer",
        idempotency_key="b1",
    )

    refused(
        books,
        WrongState,
        lambda: books.write(
            lambda conn: reconversion.cancel_reconversion(
                conn, request_id=made.id, clock=books.clock
            )
        ),
    )


def test_a_batch_the_digital_reserve_cannot_pay_is_refused(books: Books) -> None:
    books.run(notes.print_notes, bundle={5000: 4}, idempotency_key="p1")
    books.run(notes.deliver_notes, office="3", bundle={5000: 4}, idempotency_key="d1")
    # Units bought with cash: their euros are in the till, not on reserve:digital.
    books.run(
        conversion.convert_cash, office="3", account="bakery", amount=10000, idempotency_key="k1"
    )
    made = request(books, "bakery", 10000, "r1")

    refused(
        books,
        ReserveInsufficient,
        lambda: books.run(
            payouts.validate_batch,
            request_ids=[made.id],
            validated_by="treasurer",
            idempotency_key="b1",
        ),
    )
    assert books.write(lambda conn: reconversion.load_reconversion(conn, made.id)).status == (
        "requested"
    )


def test_a_second_batch_counts_the_payouts_already_promised(books: Books) -> None:
    card(books, "bakery", 10000, "c1")
    first = request(books, "bakery", 6000, "r1")
    second = request(books, "bakery", 4000, "r2")
    # Another business's euros left reserve:digital meanwhile (a paid reconversion), so the
    # reserve holds less than both payouts together.
    books.run(
        payouts.validate_batch,
        request_ids=[first.id],
        validated_by="treasurer",
        idempotency_key="b1",
    )
    books.write(
        lambda conn: service.post_transfer(
            conn,
            TransferRequest.simple("external", "reserve:digital", 3000),
            idempotency_key="leak",
            clock=books.clock,
        )
    )

    with pytest.raises(ReserveInsufficient) as caught:
        books.run(
            payouts.validate_batch,
            request_ids=[second.id],
            validated_by="treasurer",
            idempotency_key="b2",
        )
    assert caught.value.needed == 3800
    assert caught.value.available == 10000 - 3000 - 5700


def test_validating_a_request_twice_is_refused(books: Books) -> None:
    card(books, "bakery", 5000, "c1")
    made = request(books, "bakery", 1000, "r1")
    books.run(
        payouts.validate_batch,
        request_ids=[made.id],
        validated_by="treasurer",
        idempotency_key="b1",
    )

    refused(
        books,
        WrongState,
        lambda: books.run(
            payouts.validate_batch,
            request_ids=[made.id],
            validated_by="treasurer",
            idempotency_key="b2",
        ),
    )


def test_books_already_short_refuse_what_lowers_the_coverage_not_what_raises_it(
    books: Books,
) -> None:
    # Units created without euros (a hand-made entry): the books are already short.
    books.write(
        lambda conn: service.post_transfer(
            conn,
            TransferRequest.simple("issuance", "alice", 1000),
            idempotency_key="unbacked",
            clock=books.clock,
        )
    )

    # A conversion brings euros for its units: 0 of 10 backed before, 5 of 15 after.
    card(books, "bob", 500, "c1")
    # Units given away with their euros: 4 of 14 would be lower than 5 of 15.
    refused(
        books,
        CoverageViolation,
        lambda: books.run(gifts.donate_units, account="bob", amount=100, idempotency_key="d"),
    )
    assert books.report().discrepancies == ("reserve short of circulation by 10.00",)


def test_crediting_an_order_with_another_amount_is_refused(books: Books) -> None:
    order = books.run(
        conversion.order_conversion, account="alice", amount=5000, idempotency_key="o1"
    )

    refused(
        books,
        AmountMismatch,
        lambda: books.run(
            conversion.credit_conversion_order,
            reference=order.reference,
            amount=4999,
            bank_reference="B1",
        ),
    )


def test_crediting_an_order_twice_moves_money_once(books: Books) -> None:
    order = books.run(
        conversion.order_conversion, account="alice", amount=5000, idempotency_key="o1"
    )
    credit = dict(reference=order.reference, amount=5000, bank_reference="B1")
    first = books.run(conversion.credit_conversion_order, **credit)

    again = books.run(conversion.credit_conversion_order, **credit)

    assert again == first
    assert books.balance("alice") == 5000
    refused(
        books,
        WrongState,
        lambda: books.run(
            conversion.credit_conversion_order,
            reference=order.reference,
            amount=5000,
            bank_reference="B2",
        ),
    )


def test_a_cancelled_order_cannot_be_credited(books: Books) -> None:
    order = books.run(
        conversion.order_conversion, account="alice", amount=5000, idempotency_key="o1"
    )
    assert order.reference is not None
    books.write(
        lambda conn: conversion.cancel_conversion_order(
            conn, reference=order.reference or "", clock=books.clock
        )
    )

    refused(
        books,
        WrongState,
        lambda: books.run(
            conversion.credit_conversion_order,
            reference=order.reference,
            amount=5000,
            bank_reference="B1",
        ),
    )
    assert books.report().pending_conversions.count == 0


def test_an_unknown_order_reference_is_refused(books: Books) -> None:
    refused(
        books,
        UnknownRecord,
        lambda: books.run(
            conversion.credit_conversion_order,
            reference="MLC-NOPE00",
            amount=5000,
            bank_reference="B1",
        ),
    )


def test_a_conversion_above_the_kind_limit_is_refused(
    database: Database, clock: SteppingClock
) -> None:
    books = make_books(database, clock, make_deployment(max_conversion={AccountKind.MEMBER: 50000}))
    card(books, "bakery", 60000, "c0")  # businesses have no limit here

    refused(books, ConversionLimitExceeded, lambda: card(books, "alice", 50001, "c1"))
    assert card(books, "alice", 50000, "c2").status == "credited"


def test_a_balance_above_the_kind_limit_is_refused(
    database: Database, clock: SteppingClock
) -> None:
    books = make_books(database, clock, make_deployment(max_balance={AccountKind.MEMBER: 10000}))
    card(books, "alice", 8000, "c1")

    refused(books, MonnaieLocaleError, lambda: card(books, "alice", 2001, "c2"))


@pytest.mark.parametrize("amount", [0, -5, 10**16])
def test_a_conversion_of_a_bad_amount_is_refused(books: Books, amount: int) -> None:
    refused(books, InvalidAmount, lambda: card(books, "alice", amount, "c1"))


def test_a_card_payment_reference_is_used_once(books: Books) -> None:
    first = books.run(
        conversion.convert_by_card,
        account="alice",
        amount=1000,
        payment_reference="PSP-9",
        idempotency_key="c1",
    )
    assert first.status == "credited"

    refused(
        books,
        WrongState,
        lambda: books.run(
            conversion.convert_by_card,
            account="bob",
            amount=1000,
            payment_reference="PSP-9",
            idempotency_key="c2",
        ),
    )


def test_converting_into_a_system_account_is_refused(books: Books) -> None:
    refused(books, InvalidRequest, lambda: card(books, "association:fees", 1000, "c1"))
    refused(books, UnknownAccount, lambda: card(books, "nobody", 1000, "c2"))


def test_cash_conversion_at_an_unknown_office_is_refused(books: Books) -> None:
    refused(
        books,
        UnknownAccount,
        lambda: books.run(
            conversion.convert_cash,
            office="9",
            account="alice",
            amount=1000,
            idempotency_key="k1",
        ),
    )


def test_a_retried_operation_returns_the_first_result_and_moves_nothing(books: Books) -> None:
    first = card(books, "alice", 1000, "c1")
    count = books.posting_count()

    again = card(books, "alice", 1000, "c1")

    assert again == first
    assert books.posting_count() == count
    assert books.balance("alice") == 1000


def test_a_key_reused_for_another_operation_is_refused(books: Books) -> None:
    card(books, "alice", 1000, "c1")

    refused(books, IdempotencyConflict, lambda: card(books, "alice", 2000, "c1"))


@pytest.mark.parametrize(
    "bundle", [{}, {300: 1}, {2000: 0}, {2000: -1}], ids=["empty", "denomination", "zero", "neg"]
)
def test_a_bundle_the_deployment_does_not_print_is_refused(
    books: Books, bundle: dict[int, int]
) -> None:
    refused(
        books,
        InvalidNotes,
        lambda: books.run(notes.print_notes, bundle=bundle, idempotency_key="p1"),
    )


def test_selling_a_denomination_the_office_lacks_is_refused(books: Books) -> None:
    books.run(notes.print_notes, bundle={1000: 4}, idempotency_key="p1")
    books.run(notes.deliver_notes, office="3", bundle={1000: 4}, idempotency_key="d1")

    refused(
        books,
        NotesUnavailable,
        lambda: books.run(notes.sell_notes, office="3", bundle={2000: 1}, idempotency_key="s1"),
    )


def test_depositing_notes_not_backed_on_the_note_reserve_is_refused(books: Books) -> None:
    books.run(notes.print_notes, bundle={1000: 4}, idempotency_key="p1")
    books.run(notes.deliver_notes, office="3", bundle={1000: 4}, idempotency_key="d1")
    books.run(notes.sell_notes, office="3", bundle={1000: 2}, idempotency_key="s1")
    # The cash is still in the till: reserve:notes holds nothing to move to reserve:digital.

    refused(
        books,
        MonnaieLocaleError,
        lambda: books.run(
            notes.deposit_notes,
            office="3",
            account="bob",
            bundle={1000: 1},
            idempotency_key="dep1",
        ),
    )


def test_notes_lost_from_a_stock_are_backed_by_the_association_until_found(
    books: Books,
) -> None:
    books.run(notes.print_notes, bundle={1000: 4}, idempotency_key="p1")
    books.fund_association(5000)

    books.run(notes.lose_notes, location="vault", bundle={1000: 1}, idempotency_key="l1")
    lost = books.report()
    assert lost.position.paper == 1000
    assert lost.position.reserve["reserve:notes"] == 1000
    assert lost.coverage == 1
    assert lost.discrepancies == ()

    books.run(notes.find_notes, location="vault", bundle={1000: 1}, idempotency_key="f1")
    found = books.report()
    assert found.position.paper == 0
    assert found.position.note_stocks["vault"] == 4000
    assert books.balance("association:operating") == -5000
    refused(
        books,
        NotesUnavailable,
        lambda: books.run(
            notes.find_notes, location="vault", bundle={1000: 1}, idempotency_key="f2"
        ),
    )


def test_destroyed_notes_leave_the_stock_and_the_issuance(books: Books) -> None:
    books.run(notes.print_notes, bundle={1000: 4}, idempotency_key="p1")

    destroyed = books.run(
        notes.destroy_notes, location="vault", bundle={1000: 3}, idempotency_key="x1"
    )

    assert books.postings_of(destroyed.transaction_batch) == {
        "notes:vault": -3000,
        "issuance": 3000,
    }
    report = books.report()
    assert report.position.issued == 1000
    assert report.discrepancies == ()
    refused(
        books,
        NotesUnavailable,
        lambda: books.run(
            notes.destroy_notes, location="vault", bundle={1000: 2}, idempotency_key="x2"
        ),
    )


def test_a_negative_till_count_is_refused(books: Books) -> None:
    refused(
        books,
        InvalidAmount,
        lambda: books.run(offices.close_till, office="3", counted=-1, idempotency_key="k"),
    )


def test_a_till_deposit_is_received_once(books: Books) -> None:
    books.run(notes.print_notes, bundle={1000: 4}, idempotency_key="p1")
    books.run(notes.deliver_notes, office="3", bundle={1000: 4}, idempotency_key="d1")
    books.run(notes.sell_notes, office="3", bundle={1000: 2}, idempotency_key="s1")
    deposit = books.run(offices.bank_till, office="3", amount=2000, idempotency_key="b1")
    books.run(offices.receive_till_deposit, deposit_id=deposit.id, bank_reference="R1")

    refused(
        books,
        WrongState,
        lambda: books.run(offices.receive_till_deposit, deposit_id=deposit.id, bank_reference="R2"),
    )


def test_banking_more_than_the_till_holds_is_refused(books: Books) -> None:
    refused(
        books,
        MonnaieLocaleError,
        lambda: books.run(offices.bank_till, office="3", amount=1, idempotency_key="b1"),
    )


def test_exporting_a_batch_without_a_reserve_iban_is_refused(
    database: Database, clock: SteppingClock
) -> None:
    books = make_books(database, clock, make_deployment(reserve_iban=None))
    card(books, "bakery", 5000, "c1")
    made = request(books, "bakery", 1000, "r1")
    batch = books.run(
        payouts.validate_batch,
        request_ids=[made.id],
        validated_by="treasurer",
        idempotency_key="b1",
    )

    refused(
        books,
        InvalidRequest,
        lambda: books.run(
            payouts.export_batch, batch_id=batch.id, execution_date=date(2026, 11, 3)
        ),
    )


def test_a_frozen_account_can_order_no_conversion(books: Books) -> None:
    books.write(lambda conn: set_status(conn, "alice", AccountStatus.FROZEN))

    refused(
        books,
        AccountNotActive,
        lambda: books.run(
            conversion.order_conversion, account="alice", amount=5000, idempotency_key="o1"
        ),
    )
    assert books.report().pending_conversions.count == 0
