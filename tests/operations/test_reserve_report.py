"""The reserve report: as of any moment, as data, CSV and a text table, with discrepancies."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger import service
from monnaie_locale.model import TransferRequest
from monnaie_locale.operations import conversion, notes, payouts, reconversion
from monnaie_locale.reserve import Pending, Position, ReserveReport, to_csv, to_data, to_text
from tests.operations.conftest import BAKERY_IBAN, Books


def position(*, circulation: int, reserve: int) -> Position:
    return Position(
        digital={"member": circulation},
        reconversion_pending=0,
        paper=0,
        note_stocks={"vault": 0},
        reserve={"reserve:digital": reserve},
        issued=circulation,
    )


def report_of(here: Position, *discrepancies: str) -> ReserveReport:
    return ReserveReport("MLC", None, here, Pending(0, 0), Pending(0, 0), discrepancies)


def test_coverage_is_an_exact_fraction_and_its_percentage_is_rounded_down() -> None:
    report = report_of(position(circulation=3, reserve=2))

    assert report.coverage == Fraction(2, 3)
    assert report.coverage_percent == Decimal("66.66")


def test_a_reserve_short_by_one_cent_never_reads_as_full_coverage() -> None:
    report = report_of(position(circulation=10**9, reserve=10**9 - 1))

    assert report.coverage is not None and report.coverage < 1
    assert report.coverage_percent == Decimal("99.99")


def test_coverage_is_undefined_when_nothing_circulates() -> None:
    report = report_of(position(circulation=0, reserve=0))

    assert report.coverage is None
    assert report.coverage_percent is None
    assert ["coverage", "ratio", "n/a"] in list(csv.reader(io.StringIO(to_csv(report))))


def advance(books: Books, hours: int = 1) -> datetime:
    """Move the clock on and return a moment between what came before and what follows."""
    books.clock.advance(timedelta(hours=hours))
    moment = books.clock()
    books.clock.advance(timedelta(hours=hours))
    return moment


def test_the_report_reads_the_books_as_of_any_past_moment(books: Books) -> None:
    before_anything = advance(books)
    order = books.run(
        conversion.order_conversion, account="bakery", amount=10000, idempotency_key="o1"
    )
    order_waiting = advance(books)
    books.run(
        conversion.credit_conversion_order,
        reference=order.reference,
        amount=10000,
        bank_reference="B1",
    )
    converted = advance(books)
    made = books.run(
        reconversion.request_reconversion,
        account="bakery",
        amount=4000,
        creditor_name="Boulangerie",
        iban=BAKERY_IBAN,
        idempotency_key="r1",
    )
    requested = advance(books)
    batch = books.run(
        payouts.validate_batch,
        request_ids=[made.id],
        validated_by="treasurer",
        idempotency_key="b1",
    )
    books.run(payouts.export_batch, batch_id=batch.id, execution_date=date(2026, 11, 3))
    books.run(payouts.mark_paid, request_id=made.id, bank_reference="P1")

    empty = books.report(as_of=before_anything)
    assert empty.position.circulation == 0
    assert empty.pending_conversions == Pending(0, 0)

    waiting = books.report(as_of=order_waiting)
    assert waiting.pending_conversions == Pending(1, 10000)
    assert waiting.position.circulation == 0

    after_credit = books.report(as_of=converted)
    assert after_credit.pending_conversions == Pending(0, 0)
    assert after_credit.position.digital["business"] == 10000
    assert after_credit.coverage == 1

    held = books.report(as_of=requested)
    assert held.pending_reconversions == Pending(1, 4000)
    assert held.position.circulation == 10000

    now = books.report()
    assert now.pending_reconversions == Pending(0, 0)
    assert now.position.digital == {
        "member": 0,
        "business": 6000,
        "authority": 0,
        "association": 200,
    }
    assert now.position.reserve_total == 6200
    assert now.coverage == 1


def test_a_moment_without_time_zone_is_refused(books: Books) -> None:
    with pytest.raises(InvalidRequest):
        books.report(as_of=datetime(2026, 11, 2, 12, 0))


def test_the_csv_lists_every_section_with_decimal_amounts(books: Books) -> None:
    books.run(
        conversion.convert_by_card,
        account="alice",
        amount=5000,
        payment_reference="PSP-1",
        idempotency_key="c1",
    )
    books.run(notes.print_notes, bundle={1000: 3}, idempotency_key="p1")

    rows = list(csv.reader(io.StringIO(to_csv(books.report()))))

    assert rows[0] == ["section", "item", "value"]
    assert ["circulation", "digital member", "50.00"] in rows
    assert ["circulation", "total MLC", "50.00"] in rows
    assert ["note stock", "vault", "30.00"] in rows
    assert ["reserve", "reserve:digital", "50.00"] in rows
    assert ["reserve", "total EUR", "50.00"] in rows
    assert ["pending", "conversions (0)", "0.00"] in rows
    assert ["coverage", "ratio", "100.00%"] in rows
    assert not [row for row in rows if row[0] == "discrepancy"]


def test_the_text_table_aligns_values_and_names_the_moment(books: Books) -> None:
    books.run(
        conversion.convert_by_card,
        account="alice",
        amount=5000,
        payment_reference="PSP-1",
        idempotency_key="c1",
    )
    moment = advance(books)

    text = to_text(books.report(as_of=moment))

    lines = text.splitlines()
    assert lines[0] == f"Reserve report (MLC), as of {moment.isoformat()}"
    coverage_line = next(line for line in lines if line.startswith("coverage"))
    assert coverage_line.endswith("100.00%")
    ends = {len(line) for line in lines[1:]}
    assert len(ends) == 1, "every value ends in the same column"


def test_a_hand_made_entry_shows_as_a_note_count_discrepancy(books: Books) -> None:
    books.write(
        lambda conn: service.post_transfer(
            conn,
            TransferRequest.simple("issuance", "notes:vault", 1000),
            idempotency_key="by-hand",
            clock=books.clock,
        )
    )

    report = books.report()

    assert report.discrepancies == (
        "notes at vault: the ledger says 10.00, the note counts say 0.00",
    )
    assert ["discrepancy", report.discrepancies[0], ""] in list(
        csv.reader(io.StringIO(to_csv(report)))
    )


def test_the_data_form_keeps_exact_amounts_and_the_exact_ratio() -> None:
    data = to_data(report_of(position(circulation=3, reserve=2), "reserve short of circulation"))

    assert data["circulation"]["total"] == 3
    assert data["reserve"] == {"accounts": {"reserve:digital": 2}, "total": 2}
    assert data["coverage"] == {"ratio": "2/3", "percent": "66.66"}
    assert data["discrepancies"] == ["reserve short of circulation"]
    assert json.loads(json.dumps(data)) == data
