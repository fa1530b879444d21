"""The association's books: worked entries through the chart of accounts, the FEC, the
income statement and the balance sheet, and a property over random sequences of
operations: the FEC balances, its classes 7 − 6 equal the income statement's result, the
balance sheet balances, and it agrees with the reserve report."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import UTC, date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monnaie_locale import chart
from monnaie_locale.books_report import Books as BooksReport
from monnaie_locale.books_report import books as books_report
from monnaie_locale.deployment import Deployment, MembershipFee
from monnaie_locale.exports import fec
from monnaie_locale.exports.account_map import AccountRule
from monnaie_locale.model import AccountKind
from monnaie_locale.operations import conversion, notes, payouts, reconversion
from monnaie_locale.operations.membership import pay_membership_fee
from tests.operations.conftest import BAKERY_IBAN, Books, make_deployment
from tests.operations.test_coverage_property import Scenario, actions

FEES = {
    AccountKind.MEMBER: MembershipFee(1500, "year"),
    AccountKind.BUSINESS: MembershipFee(1000, "month"),
}


@pytest.fixture
def deployment() -> Deployment:
    return make_deployment(conversion_bonus_bps=500, membership_fees=FEES)


# Reading the FEC back -------------------------------------------------------------


def _cents(text: str) -> int:
    return int(Decimal(text.replace(",", ".")) * 100) if text else 0


def fec_entries(books: Books, **period: Any) -> list[list[tuple[str, str, int, int]]]:
    """The FEC's écritures, each a list of (CompteNum, CompAuxNum, debit, credit)."""
    out = io.BytesIO()
    books.database.read(
        lambda conn: fec(conn, out, zone=UTC, account_map=chart.account_map(conn), **period)
    )
    rows = out.getvalue().decode("iso-8859-15").split("\r\n")[1:-1]
    # An écriture is its journal and its number there (each journal numbers its own), in
    # the file's order.
    entries: dict[tuple[str, str], list[tuple[str, str, int, int]]] = defaultdict(list)
    for row in rows:
        cells = row.split("|")
        entries[cells[0], cells[2]].append(
            (cells[4], cells[6], _cents(cells[11]), _cents(cells[12]))
        )
    return list(entries.values())


def fec_result(entries: list[list[tuple[str, str, int, int]]]) -> int:
    """Classes 7 − 6 of the FEC: credits minus debits of every class 6 and 7 line."""
    return sum(
        credit - debit
        for entry in entries
        for number, _, debit, credit in entry
        if number[0] in "67"
    )


def net(entry: list[tuple[str, str, int, int]]) -> dict[str, int]:
    """An écriture per chart account: debits positive, credits negative."""
    totals: dict[str, int] = defaultdict(int)
    for number, _, debit, credit in entry:
        totals[number] += debit - credit
    return {number: amount for number, amount in totals.items() if amount}


def report(books: Books, **period: Any) -> BooksReport:
    return books.database.read(
        lambda conn: books_report(conn, chart.account_map(conn), zone=UTC, **period)
    )


def last_entry(books: Books) -> list[tuple[str, str, int, int]]:
    return fec_entries(books)[-1]


def card(books: Books, account: str, amount: int, key: str) -> conversion.Conversion:
    return books.run(
        conversion.convert_by_card,
        account=account,
        amount=amount,
        payment_reference=key,
        idempotency_key=key,
    )


# Worked entries -------------------------------------------------------------------


def test_a_membership_fee_in_euros_is_income_756_against_the_operating_account(
    books: Books,
) -> None:
    paid = books.run(
        pay_membership_fee, account="bob", period="2026", paid_in="euros", idempotency_key="m1"
    )

    # EUR Dr association:operating 15 / Cr income:membership 15: nothing from external.
    assert books.postings_of(paid.transaction_batch) == {
        "association:operating": -1500,
        "income:membership": 1500,
    }
    assert last_entry(books) == [("512300", "", 1500, 0), ("756000", "", 0, 1500)]
    assert report(books).income_statement.result == 1500


def test_a_membership_fee_in_units_is_income_756_not_706(books: Books) -> None:
    books.fund_association(1000)  # for the 5 % bonus
    card(books, "alice", 5000, "c1")

    paid = books.run(
        pay_membership_fee, account="alice", period="2026", paid_in="units", idempotency_key="m1"
    )

    # Units: Dr alice 15 / Cr association:fees 15; EUR: Dr external 15 / Cr income 15.
    assert books.postings_of(paid.transaction_batch) == {
        "alice": -1500,
        "association:fees": 1500,
        "external": -1500,
        "income:membership": 1500,
    }
    entry = last_entry(books)
    assert ("467100", "alice", 1500, 0) in entry
    assert ("756000", "", 0, 1500) in entry
    assert not any(number == "706000" for number, *_ in entry)
    # The liaison lines (association:fees, external) cancel: the debt to alice becomes income.
    assert net(entry) == {"467100": 1500, "756000": -1500}


def test_a_conversion_with_a_5_percent_bonus_shows_the_bonus_as_a_657_expense(
    books: Books,
) -> None:
    books.fund_association(1000)

    made = card(books, "alice", 10000, "c1")

    assert made.bonus == 500
    # Conversion: EUR Dr reserve:digital 100 / Cr external 100; MLC Dr issuance / Cr alice 100.
    # Bonus: EUR Dr reserve:digital 5 / Cr association:operating 5, Dr expense:bonus 5 /
    # Cr external 5; MLC Dr issuance 5 / Cr alice 5.
    assert books.postings_of(made.transaction_batch) == {
        "reserve:digital": -10500,
        "external": 10500,
        "issuance": -10500,
        "alice": 10500,
        "association:operating": 500,
        "expense:bonus": -500,
    }
    converted, bonus = fec_entries(books)[-2:]
    assert net(converted) == {"512100": 10000, "467100": -10000}
    assert net(bonus) == {"512100": 500, "512300": -500, "657000": 500, "467100": -500}
    assert sorted(bonus) == sorted(
        [
            ("512100", "", 500, 0),
            ("512300", "", 0, 500),
            ("581000", "", 500, 0),
            ("467100", "alice", 0, 500),
            ("657000", "", 500, 0),
            ("581000", "", 0, 500),
        ]
    )
    found = report(books)
    assert [(line.number, line.amount) for line in found.income_statement.expenses] == [
        ("657000", 500)
    ]


def test_a_reconversion_with_its_fee_books_the_fee_alone_in_706(books: Books) -> None:
    books.fund_association(1000)  # 10 € of the association's own, 5 of which fund the bonus
    card(books, "bakery", 10000, "c1")
    request = books.run(
        reconversion.request_reconversion,
        account="bakery",
        amount=10000,
        creditor_name="Boulangerie",
        iban=BAKERY_IBAN,
        idempotency_key="r1",
    )
    batch = books.run(
        payouts.validate_batch, request_ids=[request.id], validated_by="t", idempotency_key="b1"
    )
    books.run(payouts.export_batch, batch_id=batch.id, execution_date=date(2026, 11, 3))

    paid = books.run(payouts.mark_paid, request_id=request.id, bank_reference="VIR-95")

    # MLC Dr reconversion:pending 100 / Cr issuance 95 / Cr association:fees 5;
    # EUR Dr external 100 / Cr reserve:digital 95 / Cr income:reconversion_fees 5.
    assert books.postings_of(paid.transaction_batch) == {
        "reconversion:pending": -10000,
        "issuance": 9500,
        "association:fees": 500,
        "external": -10000,
        "reserve:digital": 9500,
        "income:reconversion_fees": 500,
    }
    assert net(last_entry(books)) == {"467600": 10000, "512100": -9500, "706000": -500}
    found = report(books)
    assert [(line.number, line.amount) for line in found.income_statement.income] == [
        ("706000", 500),
        ("758000", 1000),
    ]
    sheet = found.balance_sheet
    # The bakery got 105 (5 of bonus) and reconverted 100: it still holds 5. The reserve
    # keeps 10 €: its 5 and the association's own 5 units (the fee), which are funds, not
    # a debt. Result: 10 received + 5 fee - 5 bonus.
    assert [(line.number, line.amount) for line in sheet.assets] == [
        ("512100", 1000),
        ("512300", 500),
    ]
    assert [(line.number, line.amount) for line in sheet.liabilities] == [("467200", 500)]
    assert (sheet.result, sheet.reserve, sheet.circulation, sheet.association_units) == (
        1000,
        1000,
        1000,
        500,
    )
    assert sheet.total_assets == sheet.total_liabilities == 1500


def test_printing_notes_is_no_economic_entry(books: Books) -> None:
    books.fund_association(1000)
    card(books, "alice", 1000, "c1")
    before, books_before = fec_entries(books), report(books)

    printed = books.run(notes.print_notes, bundle={2000: 155}, idempotency_key="p1")
    books.run(notes.deliver_notes, office="3", bundle={2000: 10}, idempotency_key="d1")

    # MLC Dr issuance 3100 / Cr notes:vault 3100: both in the liaison account 581000.
    assert books.postings_of(printed.transaction_batch) == {
        "issuance": -310000,
        "notes:vault": 310000,
    }
    assert fec_entries(books) == before
    assert report(books) == books_before


def test_selling_printed_notes_is_cash_against_notes_in_circulation(books: Books) -> None:
    books.run(notes.print_notes, bundle={2000: 5}, idempotency_key="p1")
    books.run(notes.deliver_notes, office="3", bundle={2000: 5}, idempotency_key="d1")

    books.run(notes.sell_notes, office="3", bundle={2000: 1}, idempotency_key="s1")

    # EUR Dr office:3:till 20 / Cr external 20; MLC Dr notes:office:3 20 / Cr circulation 20.
    entries = fec_entries(books)
    assert len(entries) == 1
    assert net(entries[0]) == {"530000": 2000, "467500": -2000}


# The report against the FEC, by period ---------------------------------------------


def test_the_result_equals_the_fec_classes_7_minus_6_over_the_same_period(
    books: Books,
) -> None:
    books.fund_association(1000)  # income:other, 758
    card(books, "alice", 4000, "c1")  # bonus 2 € on 2 November
    books.clock.advance(timedelta(days=3))
    books.run(
        pay_membership_fee, account="bob", period="2026", paid_in="euros", idempotency_key="m1"
    )
    books.run(
        pay_membership_fee, account="alice", period="2026", paid_in="units", idempotency_key="m2"
    )
    books.clock.advance(timedelta(days=30))
    card(books, "bob", 2000, "c2")  # bonus 1 € in December

    november = {"start": date(2026, 11, 1), "end": date(2026, 11, 30)}
    found = report(books, **november)
    entries = fec_entries(books, **november)

    assert found.income_statement.result == fec_result(entries)
    # 10 € other income, 15 + 15 € fees, 2 € of bonus in November.
    assert found.income_statement.total_income == 4000
    assert found.income_statement.total_expenses == 200
    assert found.income_statement.result == 3800
    december = report(books, start=date(2026, 12, 1), end=date(2026, 12, 31))
    assert december.income_statement.result == -100
    assert december.balance_sheet.retained == 3800
    assert december.balance_sheet.balanced
    assert fec_result(fec_entries(books)) == report(books).income_statement.result == 3700


def test_association_rules_change_the_fec_and_the_report_alike(books: Books) -> None:
    books.run(
        pay_membership_fee, account="bob", period="2026", paid_in="euros", idempotency_key="m1"
    )
    books.write(
        lambda conn: chart.set_rule(
            conn,
            AccountRule("income:membership", "756100", "Cotisations des adhérents", False, "EUR"),
            now=books.clock(),
            by="treasurer",
        )
    )

    assert net(last_entry(books)) == {"512300": 1500, "756100": -1500}
    found = report(books)
    assert [(line.number, line.label) for line in found.income_statement.income] == [
        ("756100", "Cotisations des adhérents")
    ]


def test_a_period_that_ends_before_it_starts_is_refused(books: Books) -> None:
    with pytest.raises(Exception, match="before it starts"):
        report(books, start=date(2026, 12, 1), end=date(2026, 11, 1))


# The property ---------------------------------------------------------------------


class BooksScenario(Scenario):
    """The coverage scenario, with membership fees in euros and in units."""

    def do_fee(self, account: str, month: int, paid_in: str) -> None:
        # Yearly for members, monthly for businesses: a year per month keeps periods apart.
        period = f"{2000 + month}" if account != "bakery" else f"2026-{month:02d}"
        self.books.run(
            pay_membership_fee,
            account=account,
            period=period,
            paid_in=paid_in,
            idempotency_key=self.key(),
        )


fees = st.tuples(
    st.just("fee"),
    st.sampled_from(("alice", "bob", "bakery")),
    st.integers(min_value=1, max_value=12),
    st.sampled_from(("euros", "units")),
)


def assert_books_agree(books: Books) -> None:
    entries = fec_entries(books)
    debit = sum(line[2] for entry in entries for line in entry)
    credit = sum(line[3] for entry in entries for line in entry)
    assert debit == credit
    for entry in entries:
        assert sum(line[2] - line[3] for line in entry) == 0
        by_auxiliary: dict[tuple[str, str], int] = defaultdict(int)
        for number, auxiliary, debit_, credit_ in entry:
            by_auxiliary[(number, auxiliary)] += debit_ - credit_
        assert any(by_auxiliary.values()), "an écriture that cancels per account is left out"
    found = report(books)
    assert found.income_statement.result == fec_result(entries)
    sheet = found.balance_sheet
    assert sheet.balanced, (sheet.total_assets, sheet.total_liabilities)
    assert "581000" not in {line.number for line in (*sheet.assets, *sheet.liabilities)}
    reserve = books.report()
    assert sheet.reserve == reserve.position.reserve_total
    assert sheet.circulation == reserve.position.circulation
    # Under the built-in chart, the same figures by account number.
    assets = {line.number: line.amount for line in sheet.assets}
    debts = {line.number: line.amount for line in sheet.liabilities}
    assert sheet.reserve == sum(assets.get(n, 0) for n in ("512100", "512200", "530000", "580000"))
    assert sheet.circulation - sheet.association_units == sum(
        amount for number, amount in debts.items() if number.startswith("467")
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.one_of(actions, fees), min_size=5, max_size=30))
def test_any_sequence_of_operations_keeps_the_fec_the_report_and_the_reserve_agreed(
    books: Books, steps: list[tuple[Any, ...]]
) -> None:
    scenario = BooksScenario(books)
    books.fund_association(100_000, key=scenario.key())
    for action in steps:
        scenario.act(action)
    assert_books_agree(books)
    scenario.settle_everything()
    assert_books_agree(books)
