"""Operation dates and closed periods, on both engines.

The test clock reads 2 November 2026, 09:00 UTC (10:00 in Paris, the books' zone). Worked
figures are in minor units: 10000 is 100.00.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select, text

from monnaie_locale import exports, journal
from monnaie_locale.acting import Context
from monnaie_locale.acts import conversions, membership, periods, transfers
from monnaie_locale.auth import Role
from monnaie_locale.auth.errors import RoleForbidden
from monnaie_locale.auth.principal import Principal
from monnaie_locale.bank import StatementLine
from monnaie_locale.deployment import MembershipFee
from monnaie_locale.errors import (
    ChecklistFailed,
    OperationDateInFuture,
    PeriodClosed,
    PeriodNotOver,
)
from monnaie_locale.exports.source import iter_transactions
from monnaie_locale.ledger import service
from monnaie_locale.ledger.posting import load_batch
from monnaie_locale.model import AccountKind
from monnaie_locale.operations import conversion
from monnaie_locale.store.tables_operations import bank_statements
from monnaie_locale.store.tables_periods import closed_periods
from tests.operations.conftest import Books, make_books, make_deployment
from tests.operations.test_reconciliation import import_, statement
from tests.support import refused, snapshot

PARIS_TODAY = date(2026, 11, 2)


@pytest.fixture
def books(database: Any, clock: Any) -> Books:
    deployment = make_deployment(
        membership_fees={AccountKind.MEMBER: MembershipFee(1000)}, siren="732829320"
    )
    return make_books(database, clock, deployment)


def context(books: Books, role: Role = Role.ADMIN, *accounts: str) -> Context:
    actor = Principal(role=role, accounts=frozenset(accounts), name=str(role), user_id=1)
    return Context(
        database=books.database,
        actor=actor,
        deployment=books.deployment,
        clock=books.clock,
        seal_after_commit=True,
    )


def closings(books: Books) -> list[Any]:
    return books.read(lambda conn: conn.execute(select(closed_periods)).all())


def days_of(books: Books, batch: str | None) -> set[date | None]:
    assert batch is not None
    return {t.on for t in books.read(lambda conn: load_batch(conn, batch))}


def fec_rows(books: Books, **options: Any) -> list[list[str]]:
    out = io.BytesIO()
    books.read(lambda conn: exports.fec(conn, out, zone=books.deployment.zone, **options))
    lines = out.getvalue().decode(exports.FEC_ENCODING).splitlines()
    assert lines[0].split("|") == list(exports.FEC_COLUMNS)
    return [line.split("|") for line in lines[1:]]


def column(name: str) -> int:
    return exports.FEC_COLUMNS.index(name)


# Operation dates ----------------------------------------------------------------------


def test_a_conversion_taken_yesterday_carries_its_day_and_its_recording_time(
    books: Books,
) -> None:
    ctx = context(books)
    done = conversions.convert_cash(ctx, "3", "alice", 5000, key="c1", on=date(2026, 11, 1))

    assert days_of(books, done.transaction_batch) == {date(2026, 11, 1)}
    # Entry 4 of the domain: EUR Dr office:3:till 50 / Cr external 50; MLC Dr issuance
    # 50 / Cr alice 50.
    assert books.postings_of(done.transaction_batch) == {
        "office:3:till": -5000,
        "external": 5000,
        "issuance": -5000,
        "alice": 5000,
    }
    rows = fec_rows(books)
    assert {row[column("JournalCode")] for row in rows} == {"CA-3"}
    assert {row[column("EcritureDate")] for row in rows} == {"20261101"}
    assert {row[column("PieceDate")] for row in rows} == {"20261101"}
    assert {row[column("ValidDate")] for row in rows} == {"20261102"}
    # The date is in the journal's hash: the chain still verifies.
    assert books.read(journal.verify).ok


def test_an_undated_operation_is_dated_the_day_it_is_recorded(books: Books) -> None:
    done = conversions.convert_cash(context(books), "3", "alice", 5000, key="c1")

    assert days_of(books, done.transaction_batch) == {None}
    exported = books.read(lambda conn: list(iter_transactions(conn)))
    assert {t.day(books.deployment.zone) for t in exported} == {PARIS_TODAY}


def test_an_operation_dated_tomorrow_is_refused_and_changes_nothing(books: Books) -> None:
    ctx = context(books)
    refused(
        books.database,
        OperationDateInFuture,
        lambda: conversions.convert_cash(ctx, "3", "alice", 5000, key="c1", on=date(2026, 11, 3)),
    )


def test_only_the_association_dates_a_transfer(books: Books) -> None:
    conversions.convert_cash(context(books), "3", "alice", 5000, key="c1")
    member = context(books, Role.MEMBER, "alice")
    refused(
        books.database,
        RoleForbidden,
        lambda: transfers.transfer(member, "alice", "bakery", 100, key="t1", on=date(2026, 11, 1)),
    )
    paid = transfers.transfer(
        context(books), "alice", "bakery", 100, key="t2", on=date(2026, 11, 1)
    )
    assert paid.on == date(2026, 11, 1)


# The checklist and the closing ---------------------------------------------------------


def record_statement(books: Books, closing_balance: int) -> None:
    books.write(
        lambda conn: conn.execute(
            insert(bank_statements).values(
                fingerprint=f"statement-{closing_balance}",
                statement_id=f"STMT-{closing_balance}",
                closing_balance=closing_balance,
                imported_at=books.clock(),
            )
        )
    )


def order_and_credit(books: Books, *, on: date | None) -> str | None:
    ctx = context(books)
    order = conversions.order_conversion(ctx, "alice", 5000, key="o1")
    assert order.reference is not None
    credited = conversions.credit_order(
        ctx, order.reference, amount=5000, bank_reference="BANK-1", on=on
    )
    return credited.transaction_batch


def test_the_checklist_fails_then_passes_and_only_then_the_period_closes(
    books: Books,
) -> None:
    ctx = context(books)
    october = date(2026, 10, 31)
    # The bank says 50.00 on the reserve account; the books hold nothing yet.
    record_statement(books, 5000)
    checks = {check.name: check for check in periods.closing_checklist(ctx, october)}
    assert [checks["journal"].passed, checks["coverage"].passed] == [True, True]
    assert not checks["reconciliation"].passed
    assert checks["reconciliation"].detail == "reserve:digital -50.00"

    before = snapshot(books.database)
    with pytest.raises(ChecklistFailed) as caught:
        periods.close_period(ctx, october)
    assert caught.value.failed == "reconciliation"
    assert snapshot(books.database) == before
    assert closings(books) == []

    # The bank's booking of alice's transfer order, on 31 October: Dr reserve:digital 50
    # / Cr external 50; Dr issuance 50 / Cr alice 50. The bank and the books now agree.
    batch = order_and_credit(books, on=october)
    assert days_of(books, batch) == {october}
    checks = {check.name: check for check in periods.closing_checklist(ctx, october)}
    assert all(check.passed for check in checks.values()), checks
    assert checks["reconciliation"].detail == "reserve:digital 0.00"

    closed = periods.close_period(ctx, october, year_end=False, note="October")
    assert closed.closed_through == october
    assert [(p.closed_through, p.closed_by) for p in periods.list_periods(ctx)] == [
        (october, "admin")
    ]


def closed_through_october(books: Books) -> str | None:
    record_statement(books, 5000)
    batch = order_and_credit(books, on=date(2026, 10, 31))
    periods.close_period(context(books), date(2026, 10, 31))
    return batch


def test_nothing_can_be_dated_inside_a_closed_period(books: Books) -> None:
    closed_through_october(books)
    ctx = context(books)

    error = refused(
        books.database,
        PeriodClosed,
        lambda: conversions.convert_cash(ctx, "3", "bob", 2000, key="c2", on=date(2026, 10, 31)),
    )
    assert (error.on, error.closed_through) == ("2026-10-31", "2026-10-31")
    refused(
        books.database,
        PeriodClosed,
        lambda: membership.pay_fee(
            ctx, "alice", "2026", paid_in="units", key="f1", on=date(2026, 1, 15)
        ),
    )
    # The day after the closing is open.
    done = conversions.convert_cash(ctx, "3", "bob", 2000, key="c3", on=date(2026, 11, 1))
    assert days_of(books, done.transaction_batch) == {date(2026, 11, 1)}


def test_the_database_refuses_a_row_dated_inside_a_closed_period(books: Books) -> None:
    closed_through_october(books)
    before = snapshot(books.database)
    with pytest.raises(Exception, match="closed") as caught, books.database.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO transactions (id, kind, memo, created_at, operation_date) "
                "VALUES (9999, 'forged', '', :at, :on)"
            ),
            {"at": datetime(2026, 11, 2, tzinfo=UTC), "on": date(2026, 10, 15)},
        )
    assert "period is closed" in str(caught.value)
    assert snapshot(books.database) == before


def test_a_closing_can_be_neither_changed_nor_removed(books: Books) -> None:
    closed_through_october(books)
    for sql in (
        "UPDATE closed_periods SET closed_through = '2026-09-30'",
        "DELETE FROM closed_periods",
    ):
        with pytest.raises(Exception, match="append-only"), books.database.engine.begin() as conn:
            conn.execute(text(sql))
    assert [row.closed_through for row in closings(books)] == [date(2026, 10, 31)]


def test_a_reversal_of_a_closed_periods_entry_lands_in_the_open_period(books: Books) -> None:
    batch = closed_through_october(books)
    assert batch is not None
    (original,) = books.read(lambda conn: load_batch(conn, batch))

    reversal = books.write(
        lambda conn: service.reverse(conn, original.id, idempotency_key="r1", clock=books.clock)
    )

    assert reversal.on is None  # dated the day it is recorded: today, in the open period
    assert {p.account: p.amount for p in reversal.postings} == {
        "reserve:digital": 5000,
        "external": -5000,
        "issuance": 5000,
        "alice": -5000,
    }
    rows = fec_rows(books, start=date(2026, 11, 1))
    reversed_rows = [row for row in rows if row[column("EcritureLib")].startswith("reversal")]
    assert {row[column("EcritureDate")] for row in reversed_rows} == {"20261102"}


def test_a_closing_must_be_of_a_past_day_not_yet_closed(books: Books) -> None:
    closed_through_october(books)
    ctx = context(books)
    with pytest.raises(PeriodNotOver):
        periods.close_period(ctx, PARIS_TODAY)
    with pytest.raises(PeriodClosed):
        periods.close_period(ctx, date(2026, 9, 30))
    assert len(closings(books)) == 1


def test_an_auditor_reads_the_checklist_but_closes_nothing(books: Books) -> None:
    auditor = context(books, Role.AUDITOR)
    assert [check.name for check in periods.closing_checklist(auditor, date(2026, 10, 31))] == [
        "journal",
        "coverage",
        "reconciliation",
    ]
    for role in (Role.AUDITOR, Role.OFFICE_OPERATOR, Role.MEMBER):
        with pytest.raises(RoleForbidden):
            periods.close_period(context(books, role), date(2026, 10, 31))
    assert closings(books) == []


# The FEC of the second year -------------------------------------------------------------


def two_years(books: Books) -> None:
    """Year 1 (2025), entered late with its days; year 2 (2026)."""
    ctx = context(books)
    # 1 March 2025, office 3: alice buys 100.00 of units with cash. EUR Dr office:3:till
    # 100 / Cr external 100; MLC Dr issuance 100 / Cr alice 100.
    conversions.convert_cash(ctx, "3", "alice", 10000, key="y1-c", on=date(2025, 3, 1))
    # 1 June 2025: alice pays her 2025 fee in units, 10.00: MLC Dr alice 10 / Cr
    # association:fees 10; EUR Dr external 10 / Cr income:membership 10 (756000, class 7:
    # the year's income).
    membership.pay_fee(ctx, "alice", "2025", paid_in="units", key="y1-f", on=date(2025, 6, 1))
    # 1 February 2026: alice pays the bakery 30.00: Dr alice 30 / Cr bakery 30.
    transfers.transfer(ctx, "alice", "bakery", 3000, key="y2-t", on=date(2026, 2, 1))


def test_the_fec_of_year_two_opens_with_year_ones_balances(books: Books) -> None:
    two_years(books)

    rows = fec_rows(books, start=date(2026, 1, 1), end=date(2026, 12, 31))

    opening = [row for row in rows if row[column("JournalCode")] == "AN"]
    picked = ("CompteNum", "CompAuxNum", "Debit", "Credit", "Montantdevise", "Idevise")
    assert [tuple(row[column(name)] for name in picked) for row in opening] == [
        ("467100", "alice", "0,00", "90,00", "90,00", "MLC"),  # 100 bought - 10 of fee
        ("530000", "office:3:till", "100,00", "0,00", "", ""),  # the till holds 100 €
        # The liaison account (issuance, external, the association's units), per currency:
        # 90 units out in the unit, 90 € in (100 from outside, less the 10 of the fee).
        ("581000", "", "90,00", "0,00", "90,00", "MLC"),
        ("581000", "", "0,00", "90,00", "", ""),
        ("120000", "", "0,00", "10,00", "", ""),  # 2025's result: 10.00 of fees, excédent
    ]
    assert {row[column("EcritureNum")] for row in opening} == {"1"}
    assert {row[column("EcritureDate")] for row in opening} == {"20260101"}
    # Year 1's own entries are not in the file; year 2's payment is, numbered 1 in ML.
    rest = [row for row in rows if row[column("JournalCode")] != "AN"]
    assert [
        (row[column("JournalCode")], row[column("EcritureNum")], row[column("EcritureDate")])
        for row in rest
    ] == [("ML", "1", "20260201"), ("ML", "1", "20260201")]
    debit = sum(int(row[column("Debit")].replace(",", "")) for row in rows)
    credit = sum(int(row[column("Credit")].replace(",", "")) for row in rows)
    assert debit == credit == 19000 + 3000


def test_the_fec_of_year_one_has_no_opening_and_numbers_each_journal(books: Books) -> None:
    two_years(books)

    rows = fec_rows(books, start=date(2025, 1, 1), end=date(2025, 12, 31))

    assert [
        (row[column("JournalCode")], row[column("EcritureNum")], row[column("EcritureDate")])
        for row in rows
    ] == [("CA-3", "1", "20250301")] * 4 + [("OD", "1", "20250601")] * 4
    assert {row[column("ValidDate")] for row in rows} == {"20261102"}


def test_the_fec_file_is_named_after_the_siren_and_the_closing_day() -> None:
    assert exports.fec_file_name("732829320", date(2026, 12, 31)) == "732829320FEC20261231.txt"
    assert exports.fec_file_name(None, date(2026, 12, 31)) == "FEC20261231.txt"
    assert exports.fec_file_name("732829320", None) == "732829320FEC.txt"


def test_the_plain_text_journal_dates_by_the_operation_and_keeps_the_recording_day(
    books: Books,
) -> None:
    conversions.convert_cash(context(books), "3", "alice", 5000, key="c1", on=date(2026, 11, 1))

    def written(assertions: bool) -> str:
        out = io.StringIO()
        books.read(
            lambda conn: exports.hledger_journal(
                conn, out, assertions=assertions, zone=books.deployment.zone
            )
        )
        return out.getvalue()

    assert "\n2026-11-01=2026-11-02 * (" in written(False)
    # With assertions, hledger checks balances in date order: the recording day first.
    assert "\n2026-11-02=2026-11-01 * (" in written(True)


def bank_line(day: date, remittance: str, reference: str) -> StatementLine:
    return StatementLine(
        booking_date=day, amount_cents=2000, remittance=remittance, bank_reference=reference
    )


def test_a_bank_line_is_booked_on_its_day_unless_that_period_is_closed(books: Books) -> None:
    ctx = context(books)
    early = conversions.order_conversion(ctx, "bob", 2000, key="o-early")
    late = conversions.order_conversion(ctx, "carol", 2000, key="o-late")
    import_(books, statement(bank_line(date(2026, 10, 20), f"CONV {early.reference}", "B1")))
    credited = books.read(conversion.order_by_reference, early.reference)
    assert days_of(books, credited.transaction_batch) == {date(2026, 10, 20)}

    periods.close_period(ctx, date(2026, 10, 31))
    # The bank booked carol's on 30 October, but October is closed: it lands today.
    item = statement(bank_line(date(2026, 10, 30), f"CONV {late.reference}", "B2"), name="S2")
    import_(books, item)
    credited = books.read(conversion.order_by_reference, late.reference)
    assert credited.status == "credited"
    assert days_of(books, credited.transaction_batch) == {None}


def test_a_year_end_closing_sets_which_result_awaits_its_allocation(books: Books) -> None:
    ctx = context(books)
    conversions.convert_cash(ctx, "3", "alice", 10000, key="y1-c", on=date(2025, 3, 1))
    membership.pay_fee(ctx, "alice", "2025", paid_in="units", key="y1-f", on=date(2025, 6, 1))
    # An exercice closing on 30 June 2025: the fee of 1 June belongs to it.
    periods.close_period(ctx, date(2025, 6, 30), year_end=True)
    transfers.transfer(ctx, "alice", "bakery", 3000, key="y2-t", on=date(2026, 2, 1))

    rows = fec_rows(books, start=date(2026, 1, 1))

    results = [
        (row[column("CompteNum")], row[column("Debit")], row[column("Credit")])
        for row in rows
        if row[column("CompteNum")][:2] in ("11", "12")
    ]
    # The exercice just ended (1 July 2025 - 31 December 2025) made nothing; the 10.00 of
    # fees of the exercice before it are carried as report à nouveau, not as 120.
    assert results == [("110000", "0,00", "10,00")]
