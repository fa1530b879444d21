"""A treasurer's year: twelve months of an association's books through the acts.

The deployment: a 5 % conversion bonus, a 5 % reconversion fee for businesses, a yearly
member fee of 10.00; two bank accounts (the digital reserve and the operating account);
members alice, bob, carol and dave, the business bakery. Every month the clock moves on;
each bank account's two statements of 2026 are imported and reconciled to the cent; the
year is closed; its result is read from the FEC and worked here by hand (the first
half-year's also from the income statement); January 2027 opens on the balances 2026
closed with, and hledger and Ledger re-check the whole journal.

Amounts are in cents: 10000 is 100.00. Euro asset accounts read negative in the ledger.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from monnaie_locale.acting import Context
from monnaie_locale.acts import (
    bank,
    books,
    chart,
    conversions,
    exports,
    membership,
    periods,
    reconversions,
    reserve,
    transfers,
)
from monnaie_locale.auth import Role
from monnaie_locale.auth.errors import RoleForbidden
from monnaie_locale.auth.principal import Principal
from monnaie_locale.deployment import MembershipFee, create_system_accounts
from monnaie_locale.errors import ChecklistFailed, PeriodClosed
from monnaie_locale.exports import FEC_COLUMNS, FEC_ENCODING, AccountMap
from monnaie_locale.ledger.posting import load_batch
from monnaie_locale.model import AccountKind
from monnaie_locale.operations.bank_errors import InvalidBankDetails
from monnaie_locale.store import Database
from tests.bank_files import DIGITAL_IBAN, OPERATING_IBAN, Entry, camt053
from tests.conftest import SteppingClock
from tests.operations.conftest import BAKERY_IBAN, Books, make_deployment
from tests.support import refused

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _context(book: Books, role: Role = Role.ADMIN, *accounts: str) -> Context:
    actor = Principal(role=role, accounts=frozenset(accounts), name=str(role), user_id=1)
    return Context(
        database=book.database,
        actor=actor,
        deployment=book.deployment,
        clock=book.clock,
        seal_after_commit=True,
    )


def _fec(ctx: Context, start: date | None, end: date | None) -> list[dict[str, str]]:
    out = io.BytesIO()
    exports.write_fec(
        ctx, out, separator="|", zone=ctx.deployment.zone, start=start, end=end,
        account_map=AccountMap(),
    )  # fmt: skip
    lines = out.getvalue().decode(FEC_ENCODING).splitlines()
    assert lines[0].split("|") == list(FEC_COLUMNS)
    return [dict(zip(FEC_COLUMNS, line.split("|"), strict=True)) for line in lines[1:]]


def _cents(text: str) -> int:
    units, _, cents = text.replace(".", ",").partition(",")
    return int(units or "0") * 100 + int((cents + "00")[:2])


def _net(rows: list[dict[str, str]]) -> dict[str, int]:
    """Debit minus credit per account number."""
    found: dict[str, int] = defaultdict(int)
    for row in rows:
        found[row["CompteNum"]] += _cents(row["Debit"]) - _cents(row["Credit"])
    return dict(found)


def _result(rows: list[dict[str, str]]) -> tuple[int, int]:
    """The FEC's income (class 7, credit minus debit) and expenses (class 6, debit minus
    credit)."""
    net = _net(rows)
    income = -sum(amount for number, amount in net.items() if number.startswith("7"))
    expenses = sum(amount for number, amount in net.items() if number.startswith("6"))
    return income, expenses


def test_a_treasurers_year(database: Database) -> None:
    clock = SteppingClock(START)
    deployment = make_deployment(
        conversion_bonus_bps=500,
        reconversion_fees={"business": 500, "member": 500, "authority": 300, "reduced": 300},
        membership_fees={AccountKind.MEMBER: MembershipFee(1000)},
        siren="732829320",
    )
    database.write(lambda conn: create_system_accounts(conn, deployment, now=clock()))
    book = Books(database, clock, deployment)
    for member in ("alice", "bob", "carol", "dave"):
        book.open(member, AccountKind.MEMBER)
    book.open("bakery", AccountKind.BUSINESS)
    ctx = _context(book)
    auditor = _context(book, Role.AUDITOR)

    # The bank accounts: an auditor may not enter one, nor anyone an IBAN whose check
    # digits are wrong; refused, nothing is entered.
    refused(
        database,
        RoleForbidden,
        lambda: bank.add_bank_account(auditor, "fonds", role="reserve_digital", iban=DIGITAL_IBAN),
    )
    wrong = DIGITAL_IBAN[:-1] + ("0" if DIGITAL_IBAN[-1] != "0" else "1")
    refused(
        database,
        InvalidBankDetails,
        lambda: bank.add_bank_account(ctx, "fonds", role="reserve_digital", iban=wrong),
    )
    assert bank.list_bank_accounts(auditor) == []
    bank.add_bank_account(ctx, "fonds", role="reserve_digital", iban=DIGITAL_IBAN)
    bank.add_bank_account(ctx, "courant", role="operating", iban=OPERATING_IBAN)
    assert [(a.name, a.ledger_account) for a in bank.list_bank_accounts(auditor)] == [
        ("courant", "association:operating"), ("fonds", "reserve:digital"),
    ]  # fmt: skip

    def month(m: int, year: int = 2026) -> None:
        """The clock moves on to the 5th of month ``m``, 09:00 UTC."""
        clock.offset = datetime(year, m, 5, 9, tzinfo=UTC) - START

    def covered() -> None:
        report = reserve.reserve_report(auditor)
        assert report.coverage_percent is not None and report.coverage_percent >= 100, report

    def ledger() -> dict[str, int]:
        return book.balances(
            "reserve:digital", "association:operating", "alice", "bob", "bakery",
            "association:fees",
        )  # fmt: skip

    def statement(
        iban: str, name: str, opening: int, opened: date, closed: date, *entries: Entry
    ) -> None:
        content = camt053(
            iban=iban, statement_id=name, opening=opening, opened=opened, closed=closed,
            entries=entries,
        )  # fmt: skip
        [imported] = reserve.import_statement_file(ctx, content, file_format="camt053", key=name)
        assert imported.statement_id == name

    def reconciled(closing: dict[str, int]) -> None:
        for name, balance in closing.items():
            report = bank.reconciliation_report(auditor, name)
            assert (report.statement_balance, report.books_at_closing) == (balance, balance)
            assert report.difference == 0

    # January. The region's grant, then two card conversions with their 5 % bonus:
    # EUR Dr association:operating 3000 / Cr income:grants 3000;
    # EUR Dr reserve:digital 100 / Cr external 100, Dr reserve:digital 5 / Cr
    # association:operating 5, Dr expense:bonus 5 / Cr external 5; MLC Dr issuance 105 /
    # Cr alice 105 (bob alike: 200 and 10). Alice pays her 2026 fee by cheque:
    # EUR Dr association:operating 10 / Cr income:membership 10.
    books.receive_gift(ctx, "grant", 300_000, key="grant", memo="Region 2026")
    conversions.convert_by_card(ctx, "alice", 10_000, payment_reference="cb-1", key="c1")
    conversions.convert_by_card(ctx, "bob", 20_000, payment_reference="cb-2", key="c2")
    membership.pay_fee(ctx, "alice", "2026", paid_in="euros", key="fee-alice")
    assert ledger() == {
        "reserve:digital": -31_500, "association:operating": -299_500,
        "alice": 10_500, "bob": 21_000, "bakery": 0, "association:fees": 0,
    }  # fmt: skip
    covered()

    month(2)
    # Payments at the bakery; bob pays his fee in units: MLC Dr bob 10 / Cr
    # association:fees 10, EUR Dr external 10 / Cr income:membership 10.
    transfers.transfer(ctx, "alice", "bakery", 4000, key="t1")
    transfers.transfer(ctx, "bob", "bakery", 6000, key="t2")
    membership.pay_fee(ctx, "bob", "2026", paid_in="units", key="fee-bob")
    assert ledger() == {
        "reserve:digital": -31_500, "association:operating": -299_500,
        "alice": 6500, "bob": 14_000, "bakery": 10_000, "association:fees": 1000,
    }  # fmt: skip
    covered()

    month(3)
    # Carol orders 50 by bank transfer; the euros reached the bank on 4 March (bonus 2.50).
    # The bank charges 4.20 on the operating account: EUR Dr expense:bank_fees 4.20 / Cr
    # association:operating 4.20.
    order = conversions.order_conversion(ctx, "carol", 5000, key="o1")
    assert order.reference is not None
    conversions.credit_order(
        ctx, order.reference, amount=5000, bank_reference="VIR-0304", on=date(2026, 3, 4)
    )
    books.bank_fee(ctx, "association:operating", 420, fee="bank", key="fee-1")
    assert book.balance("carol") == 5250
    assert book.balance("association:operating") == -299_500 + 250 + 420
    covered()

    month(4)
    # Dave converts 30 by card; the card network charges it back before he spent any:
    # MLC Dr dave 30 / Cr issuance 30; EUR Dr external 30 / Cr reserve:digital 30; the
    # bonus back: MLC Dr dave 1.50 / Cr issuance; EUR Dr association:operating 1.50 / Cr
    # reserve:digital 1.50, Dr external 1.50 / Cr expense:bonus 1.50. Nothing borne.
    taken = conversions.convert_by_card(ctx, "dave", 3000, payment_reference="cb-3", key="c3")
    books.reverse_conversion(ctx, taken.id, how="charged_back", key="chargeback")
    assert book.balances("dave", "reserve:digital", "association:operating") == {
        "dave": 0, "reserve:digital": -36_750, "association:operating": -298_830,
    }  # fmt: skip
    covered()

    month(5)
    # The bank pays 12 of interest on the reserve: EUR Dr reserve:digital 12 / Cr
    # income:interest 12.
    books.interest(ctx, "reserve:digital", 1200, key="interest-1")
    covered()

    month(6)
    # A donation: EUR Dr association:operating 50 / Cr income:donations 50.
    books.receive_gift(ctx, "donation", 5000, key="don-1", memo="Durand")
    assert book.balances("reserve:digital", "association:operating") == {
        "reserve:digital": -37_950, "association:operating": -303_830,
    }  # fmt: skip
    covered()

    month(7)
    # The first half-year's statements, imported and reconciled to the cent.
    statement(
        DIGITAL_IBAN,
        "F-2026-1",
        0,
        date(2026, 1, 1),
        date(2026, 6, 30),
        Entry(10_000, "CB cb-1", "F1", date(2026, 1, 5)),
        Entry(20_000, "CB cb-2", "F2", date(2026, 1, 5)),
        Entry(1500, "VIR COURANT BONIFICATIONS", "F3", date(2026, 1, 5)),
        Entry(5000, "VIR CAROL", "F4", date(2026, 3, 4)),
        Entry(250, "VIR COURANT BONIFICATION", "F5", date(2026, 3, 5)),
        Entry(3000, "CB cb-3", "F6", date(2026, 4, 5)),
        Entry(150, "VIR COURANT BONIFICATION", "F7", date(2026, 4, 5)),
        Entry(-3000, "IMPAYE CB cb-3", "F8", date(2026, 4, 5)),
        Entry(-150, "VIR COURANT BONIFICATION RENDUE", "F9", date(2026, 4, 5)),
        Entry(1200, "INTERETS", "F10", date(2026, 5, 5)),
    )  # closing 379.50
    statement(
        OPERATING_IBAN,
        "C-2026-1",
        0,
        date(2026, 1, 1),
        date(2026, 6, 30),
        Entry(300_000, "SUBVENTION REGION", "C1", date(2026, 1, 5)),
        Entry(-1500, "VIR FONDS BONIFICATIONS", "C2", date(2026, 1, 5)),
        Entry(1000, "REMISE CHEQUE ALICE", "C3", date(2026, 1, 5)),
        Entry(-250, "VIR FONDS BONIFICATION", "C4", date(2026, 3, 5)),
        Entry(-420, "FRAIS TENUE DE COMPTE", "C5", date(2026, 3, 5)),
        Entry(-150, "VIR FONDS BONIFICATION", "C6", date(2026, 4, 5)),
        Entry(150, "VIR FONDS BONIFICATION RENDUE", "C7", date(2026, 4, 5)),
        Entry(5000, "DON DURAND", "C8", date(2026, 6, 5)),
    )  # closing 3038.30
    reconciled({"fonds": 37_950, "courant": 303_830})
    # Carol died: her heirs are paid her 52.50 at par and her account is closed:
    # MLC Dr carol 52.50 / Cr issuance 52.50; EUR Dr external 52.50 / Cr reserve:digital.
    closure = books.close_for_good(
        ctx, "carol", reason="deceased", settlement="refund", paid_to="heirs", key="carol"
    )
    assert (closure.amount, book.balance("carol")) == (5250, 0)
    covered()

    month(8)
    # The bakery reconverts 80: 5 % fee, 76 paid out. MLC Dr bakery 80 / Cr issuance 76,
    # Cr association:fees 4; EUR Dr external 76 / Cr reserve:digital 76, and the fee:
    # EUR Dr external 4 / Cr income:reconversion_fees 4.
    asked = reconversions.request_reconversion(
        ctx, "bakery", 8000, creditor_name="Bakery", iban=BAKERY_IBAN, key="r1"
    )
    assert (asked.fee, asked.payout) == (400, 7600)
    batch = reconversions.validate_batch(ctx, [asked.id], key="b1")
    reconversions.export_batch(ctx, batch.id)
    reconversions.mark_paid(ctx, asked.id, bank_reference="PAY-1")
    assert ledger() == {
        "reserve:digital": -25_100, "association:operating": -303_830,
        "alice": 6500, "bob": 14_000, "bakery": 2000, "association:fees": 1400,
    }  # fmt: skip
    covered()

    month(9)
    # Card fees on the reserve, paid from its surplus (the interest): EUR Dr
    # expense:card_fees 3 / Cr reserve:digital 3; no top-up needed.
    books.bank_fee(ctx, "reserve:digital", 300, fee="card", key="fee-2")
    covered()
    for m in (10, 11, 12):
        month(m)
        transfers.transfer(ctx, "alice", "bob", 1000, key=f"t-{m}")
        covered()
    # November's interest on the operating account: EUR Dr association:operating 3.50 /
    # Cr income:interest 3.50.
    books.interest(ctx, "association:operating", 350, key="interest-2")

    month(1, year=2027)
    statement(
        DIGITAL_IBAN,
        "F-2026-2",
        37_950,
        date(2026, 7, 1),
        date(2026, 12, 31),
        Entry(-5250, "VIR HERITIERS CAROL", "F11", date(2026, 7, 5)),
        Entry(-7600, "VIR BAKERY", "F12", date(2026, 8, 5)),
        Entry(-300, "COMMISSIONS CB", "F13", date(2026, 9, 5)),
    )  # closing 248.00
    statement(
        OPERATING_IBAN,
        "C-2026-2",
        303_830,
        date(2026, 7, 1),
        date(2026, 12, 31),
        Entry(350, "INTERETS", "C9", date(2026, 12, 5)),
        Entry(1000, "REMISE CHEQUE DAVE", "C10", date(2026, 12, 28)),
    )  # closing 3051.80
    reconciled({"fonds": 24_800})
    # Dave's cheque for his 2026 fee, banked on 28 December, was never entered: the
    # operating account is 10.00 short in the books, the checklist says so, and the year
    # cannot be closed; refused, nothing changes.
    short = bank.reconciliation_report(auditor, "courant")
    assert (short.statement_balance, short.books_at_closing, short.difference) == (
        305_180, 304_180, 1000,
    )  # fmt: skip
    # Lines no reference matches wait for a person: the interest, booked, and the cheque.
    assert [(line.amount, line.remittance) for line in short.unmatched_bank] == [
        (350, "INTERETS"), (1000, "REMISE CHEQUE DAVE"),
    ]  # fmt: skip
    cheque = short.unmatched_bank[1]
    checks = periods.closing_checklist(auditor, date(2026, 12, 31))
    assert [(c.name, c.passed) for c in checks] == [
        ("journal", True), ("coverage", True), ("reconciliation", False),
    ]  # fmt: skip
    refused(database, ChecklistFailed, lambda: periods.close_period(ctx, date(2026, 12, 31)))
    # The treasurer enters it on the day it was banked (EUR Dr association:operating 10 /
    # Cr income:membership 10, dated 28 December) and matches the bank line to it.
    paid = membership.pay_fee(
        ctx, "dave", "2026", paid_in="euros", key="fee-dave", on=date(2026, 12, 28)
    )
    [entered] = database.read(lambda conn: load_batch(conn, paid.transaction_batch))
    assert entered.on == date(2026, 12, 28)
    bank.match_line(ctx, cheque.id, transaction_id=entered.id)
    reconciled({"fonds": 24_800, "courant": 305_180})
    assert ledger() == {
        "reserve:digital": -24_800, "association:operating": -305_180,
        "alice": 3500, "bob": 17_000, "bakery": 2000, "association:fees": 1400,
    }  # fmt: skip

    # The first half-year's result, read three ways. By hand: income: grant 3000 + fees
    # 10 + 10 + interest 12 + donation 50 = 3082; expenses: bonuses 5 + 10 + 2.50 (dave's
    # 1.50 taken back) + bank fee 4.20 = 21.70.
    half = 308_200 - 2170
    first = chart.books_report_for(
        auditor, start=date(2026, 1, 1), end=date(2026, 6, 30), zone=deployment.zone
    )
    assert first.income_statement.result == half == 306_030
    assert first.balance_sheet.balanced
    assert _result(_fec(auditor, date(2026, 1, 1), date(2026, 6, 30))) == (308_200, 2170)

    # The year's, by hand: income: grant 3000 + donation 50 + fees 10 + 10 + 10 (dave's
    # cheque, of 28 December) + interest 12 + 3.50 + reconversion fee 4 = 3099.50;
    # expenses: bonuses 17.50 + bank fee 4.20 + card fees 3 = 24.70. The FEC of 2026 says
    # the same.
    result = 309_950 - 2470
    assert _result(_fec(auditor, date(2026, 1, 1), date(2026, 12, 31))) == (309_950, 2470)
    year = chart.books_report_for(
        auditor, start=date(2026, 1, 1), end=date(2026, 12, 31), zone=deployment.zone
    )
    assert year.income_statement.result == result == 307_480
    assert year.balance_sheet.balanced

    # Now the checklist passes; the year is closed.
    checks = periods.closing_checklist(auditor, date(2026, 12, 31))
    assert [(c.name, c.passed) for c in checks] == [
        ("journal", True), ("coverage", True), ("reconciliation", True),
    ]  # fmt: skip
    closed = periods.close_period(ctx, date(2026, 12, 31), year_end=True, note="Exercice 2026")
    assert (closed.closed_through, closed.year_end) == (date(2026, 12, 31), True)

    # January 2027: alice converts 20 by card (bonus 1), pays the bakery 5.
    conversions.convert_by_card(ctx, "alice", 2000, payment_reference="cb-4", key="c4")
    transfers.transfer(ctx, "alice", "bakery", 500, key="t-2027")
    covered()
    # 2026 is closed: an operation dated in it, or a second closing, is refused, and
    # nobody but the association's operators closes the books.
    refused(
        database,
        PeriodClosed,
        lambda: transfers.transfer(ctx, "bob", "bakery", 100, key="late", on=date(2026, 12, 20)),
    )
    refused(database, PeriodClosed, lambda: periods.close_period(ctx, date(2026, 12, 31)))
    refused(database, RoleForbidden, lambda: periods.close_period(auditor, date(2027, 1, 1)))

    # The FEC of 2027 opens with the "à nouveaux" of 2026's closing balances: the banks
    # and the holders' 467 as the bank statements and the ledger say, 2026's result
    # (an excédent) on 120, and the file balances alone.
    rows = _fec(auditor, date(2027, 1, 1), None)
    opening = [row for row in rows if row["JournalCode"] == "AN"]
    assert opening and rows[: len(opening)] == opening
    assert {row["EcritureDate"] for row in opening} == {"20270101"}

    def an(number: str, auxiliary: str = "") -> int:
        """Debit minus credit of ``number`` (and ``auxiliary``) in the opening écriture."""
        return sum(
            _cents(row["Debit"]) - _cents(row["Credit"])
            for row in opening
            if row["CompteNum"] == number and row["CompAuxNum"] == auxiliary
        )

    assert an("512100") == 24_800  # the digital reserve, as the December statement closed
    assert an("512300") == 305_180  # the operating account
    assert (an("467100", "alice"), an("467100", "bob"), an("467200", "bakery")) == (
        -3500, -17_000, -2000,
    )  # fmt: skip
    assert an("120000") == -result and an("129000") == 0
    assert sum(_net(opening).values()) == 0
    assert sum(_net(rows).values()) == 0
    # 2027's own figures start again from nothing: the bonus of alice's conversion.
    assert _result(rows) == (0, 100)

    # The plain-text journal, with its balance assertions, checked by hledger and Ledger.
    tools = [shutil.which("hledger"), shutil.which("ledger")]
    if None in tools:
        pytest.skip("hledger or ledger is not installed: the journal is not checked")
    hledger, ledger_tool = tools
    assert hledger is not None and ledger_tool is not None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "books.journal"
        with path.open("w", encoding="utf-8") as out:
            summary = exports.write_journal(auditor, out, assertions=True, zone=deployment.zone)
        assert summary.transactions > 0
        for command in (
            [hledger, "-f", str(path), "check", "--strict"],
            [ledger_tool, "-f", str(path), "--strict", "--pedantic", "balance"],
        ):
            run = subprocess.run(command, capture_output=True, text=True, check=False)
            assert run.returncode == 0, (command, run.stdout, run.stderr)
