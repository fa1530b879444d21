"""Cash conversions, note returns and retried note movements."""

from __future__ import annotations

from monnaie_locale.operations import conversion, notes
from tests.operations.conftest import Books


def test_a_cash_conversion_puts_the_euros_in_the_till(books: Books) -> None:
    made = books.run(
        conversion.convert_cash, office="3", account="alice", amount=3000, idempotency_key="k1"
    )

    assert (made.method, made.office, made.status) == ("cash", "3", "credited")
    assert books.postings_of(made.transaction_batch) == {
        "office:3:till": -3000,
        "external": 3000,
        "issuance": -3000,
        "alice": 3000,
    }
    report = books.report()
    assert report.position.reserve["office:3:till"] == 3000
    assert report.coverage == 1


def test_pending_orders_are_listed_oldest_first_until_settled(books: Books) -> None:
    first = books.run(
        conversion.order_conversion, account="alice", amount=1000, idempotency_key="o1"
    )
    second = books.run(
        conversion.order_conversion, account="bob", amount=2000, idempotency_key="o2"
    )
    assert first.reference != second.reference

    books.plain(conversion.cancel_conversion_order, reference=first.reference)

    pending = books.read(conversion.pending_conversion_orders)
    assert [(o.account, o.amount) for o in pending] == [("bob", 2000)]


def test_notes_returned_by_an_office_go_back_to_the_vault(books: Books) -> None:
    books.run(notes.print_notes, bundle={1000: 5, 2000: 2}, idempotency_key="p1")
    books.run(notes.deliver_notes, office="3", bundle={1000: 5, 2000: 2}, idempotency_key="d1")

    back = books.run(notes.return_notes, office="3", bundle={2000: 2}, idempotency_key="r1")

    assert back.amount == 4000
    assert books.postings_of(back.transaction_batch) == {
        "notes:office:3": -4000,
        "notes:vault": 4000,
    }
    report = books.report()
    assert report.position.note_stocks == {"vault": 4000, "office:3": 5000}
    assert report.discrepancies == ()


def test_a_retried_note_movement_moves_the_notes_once(books: Books) -> None:
    first = books.run(notes.print_notes, bundle={1000: 5}, idempotency_key="p1")
    count = books.posting_count()

    again = books.run(notes.print_notes, bundle={1000: 5}, idempotency_key="p1")

    assert again == first
    assert books.posting_count() == count
    report = books.report()
    assert report.position.note_stocks["vault"] == 5000
    assert report.discrepancies == ()
