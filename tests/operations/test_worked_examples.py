"""DOMAIN's worked entries 1 to 12, each as the operations book it: postings, balances and
the reserve report after each step."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from monnaie_locale.errors import LimitExceeded
from monnaie_locale.ledger import service
from monnaie_locale.model import Transaction, TransferRequest
from monnaie_locale.operations import conversion, notes, offices, payouts, reconversion
from monnaie_locale.store import Database
from tests.conftest import SteppingClock
from tests.operations.conftest import BAKERY_IBAN, Books, make_books, make_deployment


def pay(books: Books, debit: str, credit: str, amount: int, key: str, **extra: str) -> Transaction:
    request = TransferRequest.simple(debit, credit, amount, kind=extra.get("kind", "payment"))
    if "reference" in extra:
        request = TransferRequest(
            legs=request.legs, kind=request.kind, reference=extra["reference"]
        )
    return books.write(
        lambda conn: service.post_transfer(conn, request, idempotency_key=key, clock=books.clock)
    )


def convert_alice_by_transfer(books: Books, amount: int) -> conversion.Conversion:
    order = books.run(
        conversion.order_conversion, account="alice", amount=amount, idempotency_key="order-1"
    )
    return books.run(
        conversion.credit_conversion_order,
        reference=order.reference,
        amount=amount,
        bank_reference="BANK-1",
    )


def stock_office_3(books: Books) -> None:
    books.run(notes.print_notes, bundle={2000: 25}, idempotency_key="print-1")
    books.run(notes.deliver_notes, office="3", bundle={2000: 25}, idempotency_key="deliver-1")


def bob_buys_20(books: Books) -> notes.NoteMovement:
    return books.run(notes.sell_notes, office="3", bundle={2000: 1}, idempotency_key="sale-1")


def assert_fully_covered(books: Books, circulation: int) -> None:
    report = books.report()
    assert report.position.circulation == circulation
    assert report.position.reserve_total == circulation
    assert report.coverage == (Fraction(1) if circulation else None)
    assert report.discrepancies == ()


def test_entry_1_bank_transfer_conversion_issues_units_when_the_money_is_seen(
    books: Books,
) -> None:
    order = books.run(
        conversion.order_conversion, account="alice", amount=5000, idempotency_key="order-1"
    )
    assert order.status == "pending"
    assert order.reference is not None and order.reference.startswith("MLC-")
    pending = books.report()
    assert pending.pending_conversions.count == 1
    assert pending.pending_conversions.amount == 5000
    assert pending.position.circulation == 0
    assert books.posting_count() == 0

    credited = books.run(
        conversion.credit_conversion_order,
        reference=order.reference,
        amount=5000,
        bank_reference="BANK-1",
    )

    assert credited.status == "credited"
    assert books.postings_of(credited.transaction_batch) == {
        "reserve:digital": -5000,
        "external": 5000,
        "issuance": -5000,
        "alice": 5000,
    }
    assert books.balance("alice") == 5000
    report = books.report()
    assert report.pending_conversions.count == 0
    assert report.position.digital["member"] == 5000
    assert report.position.reserve["reserve:digital"] == 5000
    assert_fully_covered(books, 5000)


def test_entry_2_bonus_is_funded_by_the_association_and_coverage_stays_exact(
    database: Database, clock: SteppingClock
) -> None:
    books = make_books(database, clock, make_deployment(conversion_bonus_bps=300))
    books.fund_association(1000)

    credited = convert_alice_by_transfer(books, 5000)

    assert credited.bonus == 150
    assert books.postings_of(credited.transaction_batch) == {
        "reserve:digital": -5150,
        # 5000 from outside, and the bonus's cost: Dr expense:bonus / Cr external
        "external": 5150,
        "association:operating": 150,
        "expense:bonus": -150,
        "issuance": -5150,
        "alice": 5150,
    }
    assert books.balance("alice") == 5150
    assert books.balance("association:operating") == -850
    assert_fully_covered(books, 5150)


def test_entry_2_bonus_the_association_cannot_fund_is_refused(
    database: Database, clock: SteppingClock
) -> None:
    books = make_books(database, clock, make_deployment(conversion_bonus_bps=300))
    order = books.run(
        conversion.order_conversion, account="alice", amount=5000, idempotency_key="order-1"
    )

    with pytest.raises(LimitExceeded):
        books.run(
            conversion.credit_conversion_order,
            reference=order.reference,
            amount=5000,
            bank_reference="BANK-1",
        )

    assert books.posting_count() == 0
    assert books.report().pending_conversions.count == 1


def test_entry_3_printing_and_delivering_notes_creates_no_circulation(books: Books) -> None:
    printed = books.run(notes.print_notes, bundle={5000: 10}, idempotency_key="print-1")
    assert books.postings_of(printed.transaction_batch) == {
        "issuance": -50000,
        "notes:vault": 50000,
    }
    assert books.report().position.note_stocks == {"vault": 50000, "office:3": 0}

    delivered = books.run(
        notes.deliver_notes, office="3", bundle={5000: 10}, idempotency_key="deliver-1"
    )

    assert books.postings_of(delivered.transaction_batch) == {
        "notes:vault": -50000,
        "notes:office:3": 50000,
    }
    report = books.report()
    assert report.position.note_stocks == {"vault": 0, "office:3": 50000}
    assert report.position.issued == 50000
    assert_fully_covered(books, 0)


def test_entry_4_notes_sold_for_cash_enter_circulation_backed_by_the_till(books: Books) -> None:
    stock_office_3(books)

    sale = bob_buys_20(books)

    assert books.postings_of(sale.transaction_batch) == {
        "office:3:till": -2000,
        "external": 2000,
        "notes:office:3": -2000,
        "notes:circulation": 2000,
    }
    report = books.report()
    assert report.position.paper == 2000
    assert report.position.reserve["office:3:till"] == 2000
    assert report.position.note_stocks["office:3"] == 48000
    assert_fully_covered(books, 2000)


def test_entry_5_banking_the_till_goes_through_transit_and_keeps_the_reserve(
    books: Books,
) -> None:
    stock_office_3(books)
    bob_buys_20(books)

    deposit = books.run(offices.bank_till, office="3", amount=2000, idempotency_key="bank-1")
    assert deposit.status == "in_transit"
    in_transit = books.report()
    assert in_transit.position.reserve["transit"] == 2000
    assert in_transit.position.reserve["office:3:till"] == 0
    assert_fully_covered(books, 2000)

    received = books.run(
        offices.receive_till_deposit, deposit_id=deposit.id, bank_reference="DEP-1"
    )

    assert received.status == "received"
    assert books.balances("reserve:notes", "transit", "office:3:till") == {
        "reserve:notes": -2000,
        "transit": 0,
        "office:3:till": 0,
    }
    assert books.report().position.reserve["reserve:notes"] == 2000
    assert_fully_covered(books, 2000)


def test_entries_6_and_7_payment_and_linked_refund_move_units_between_holders(
    books: Books,
) -> None:
    convert_alice_by_transfer(books, 5000)

    payment = pay(books, "alice", "bakery", 1250, "pay-1")
    refund = pay(books, "bakery", "alice", 250, "refund-1", reference=str(payment.id))

    assert payment.amount_for("alice") == -1250 and payment.amount_for("bakery") == 1250
    assert refund.reference == str(payment.id)
    assert books.balances("alice", "bakery") == {"alice": 4000, "bakery": 1000}
    report = books.report()
    assert report.position.digital["member"] == 4000
    assert report.position.digital["business"] == 1000
    assert_fully_covered(books, 5000)


def test_entry_8_reconversion_is_held_then_paid_with_the_fee_kept_in_circulation(
    books: Books,
) -> None:
    books.run(
        conversion.convert_by_card,
        account="bakery",
        amount=10000,
        payment_reference="PSP-1",
        idempotency_key="card-1",
    )

    request = books.run(
        reconversion.request_reconversion,
        account="bakery",
        amount=10000,
        creditor_name="Boulangerie du Port",
        iban=BAKERY_IBAN,
        idempotency_key="reconvert-1",
    )
    assert (request.fee, request.payout) == (500, 9500)
    assert books.held("bakery") == 10000
    held = books.report()
    assert held.pending_reconversions.count == 1
    assert held.pending_reconversions.amount == 10000
    assert_fully_covered(books, 10000)

    batch = books.run(
        payouts.validate_batch,
        request_ids=[request.id],
        validated_by="treasurer",
        idempotency_key="batch-1",
    )
    books.run(payouts.export_batch, batch_id=batch.id, execution_date=date(2026, 11, 3))
    paid = books.run(payouts.mark_paid, request_id=request.id, bank_reference="VIR-95")

    assert paid.status == "paid"
    assert books.postings_of(paid.transaction_batch) == {
        "reconversion:pending": -10000,
        "issuance": 9500,
        "association:fees": 500,
        # The payout's 9500 and the fee's 500, booked as income: Dr external / Cr income
        "external": -10000,
        "income:reconversion_fees": 500,
        "reserve:digital": 9500,
    }
    assert books.balances("bakery", "reconversion:pending", "association:fees") == {
        "bakery": 0,
        "reconversion:pending": 0,
        "association:fees": 500,
    }
    assert books.held("bakery") == 0
    report = books.report()
    assert report.pending_reconversions.count == 0
    assert report.position.digital["association"] == 500
    assert_fully_covered(books, 500)


def test_entry_9_deposited_notes_become_digital_and_the_euros_follow(books: Books) -> None:
    stock_office_3(books)
    bob_buys_20(books)
    deposit = books.run(offices.bank_till, office="3", amount=2000, idempotency_key="bank-1")
    books.run(offices.receive_till_deposit, deposit_id=deposit.id, bank_reference="DEP-1")

    moved = books.run(
        notes.deposit_notes,
        office="3",
        account="bob",
        bundle={2000: 1},
        idempotency_key="deposit-1",
    )

    assert books.postings_of(moved.transaction_batch) == {
        "notes:circulation": -2000,
        "bob": 2000,
        "issuance": -2000,
        "notes:office:3": 2000,
        "reserve:digital": -2000,
        "reserve:notes": 2000,
    }
    report = books.report()
    assert report.position.paper == 0
    assert report.position.digital["member"] == 2000
    assert report.position.reserve["reserve:digital"] == 2000
    assert report.position.reserve["reserve:notes"] == 0
    assert report.position.note_stocks["office:3"] == 50000
    assert_fully_covered(books, 2000)


def test_entry_10_a_regie_collects_units_from_a_member(books: Books) -> None:
    convert_alice_by_transfer(books, 5000)

    taken = pay(books, "alice", "town:regie-pool", 800, "regie-1")

    assert taken.amount_for("town:regie-pool") == 800
    report = books.report()
    assert report.position.digital["authority"] == 800
    assert report.position.digital["member"] == 4200
    assert_fully_covered(books, 5000)


def test_entry_11_demurrage_moves_units_to_the_association_still_in_circulation(
    books: Books,
) -> None:
    books.run(
        conversion.convert_by_card,
        account="carol",
        amount=30000,
        payment_reference="PSP-7",
        idempotency_key="card-7",
    )

    pay(books, "carol", "association:demurrage", 300, "demurrage-1", kind="demurrage")

    assert books.balances("carol", "association:demurrage") == {
        "carol": 29700,
        "association:demurrage": 300,
    }
    assert books.report().position.digital["association"] == 300
    assert_fully_covered(books, 30000)


def test_entry_12_missing_till_cash_is_booked_as_a_loss_and_replaced_by_the_association(
    books: Books,
) -> None:
    stock_office_3(books)
    bob_buys_20(books)
    books.fund_association(1000)

    closing = books.run(offices.close_till, office="3", counted=1800, idempotency_key="close-1")

    assert (closing.expected, closing.counted, closing.difference) == (2000, 1800, -200)
    assert books.postings_of(closing.transaction_batch) == {
        "association:losses": -200,
        "office:3:till": 200,
        "reserve:notes": -200,
        "association:operating": 200,
    }
    report = books.report()
    assert report.position.reserve["office:3:till"] == 1800
    assert report.position.reserve["reserve:notes"] == 200
    assert_fully_covered(books, 2000)


def test_entry_12_a_shortage_the_association_cannot_replace_is_refused(books: Books) -> None:
    stock_office_3(books)
    bob_buys_20(books)
    before = books.posting_count()

    with pytest.raises(LimitExceeded):
        books.run(offices.close_till, office="3", counted=1800, idempotency_key="close-1")

    assert books.posting_count() == before
    assert books.balance("office:3:till") == -2000


def test_a_till_with_more_cash_than_booked_shows_a_surplus(books: Books) -> None:
    stock_office_3(books)
    bob_buys_20(books)

    closing = books.run(offices.close_till, office="3", counted=2100, idempotency_key="close-1")

    assert closing.difference == 100
    assert books.postings_of(closing.transaction_batch) == {
        "office:3:till": -100,
        "association:losses": 100,
    }
    report = books.report()
    assert report.coverage == Fraction(2100, 2000)
    assert report.discrepancies == ("reserve above circulation by 1.00 (surplus)",)
