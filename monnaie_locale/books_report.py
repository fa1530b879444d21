"""The association's income statement and balance sheet, by account of its chart.

Both read the ledger through the chart of accounts (:mod:`monnaie_locale.chart`), the
same one the FEC uses, and count a unit as a euro (parity), as the FEC does.

* The **income statement** of a period (``start`` to ``end``, days in a time zone, both
  included): the class 7 accounts (income) and the class 6 accounts (expenses), each
  with what moved on it in the period, and the result, income minus expenses. It equals
  the FEC's classes 7 − 6 over the same days, line for line: both sum the same postings
  of the transactions dated in the period, mapped by the same chart.
* The **balance sheet** at the end of ``end``: the balance of every other account, on
  the assets side when it reads as a debit (banks, cash), on the liabilities side when
  it reads as a credit (the units people hold, 467x); then the association's own funds:
  the results of the periods before ``start`` and the period's result. Every ledger
  transaction balances in each currency, so assets equal liabilities and funds.

The balance sheet also gives the two figures of the reserve report
(:mod:`monnaie_locale.reserve`), read from the same balances: the **reserve** (the
guarantee fund's bank accounts, the tills and the cash in transit) and the
**circulation** (the holders' units, the notes in the public's hands, the units of
reconversions not yet paid, and the association's own units). The association's units
are claims on itself: the chart books them in its liaison account, not as a debt, and
the reserve that backs them is its own funds (see
:mod:`monnaie_locale.exports.account_map`); ``association_units`` says how much.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select

from monnaie_locale.deployment import (
    HOLDER_KINDS,
    NOTES_CIRCULATION,
    RECONVERSION_PENDING,
    RESERVE_DIGITAL,
    RESERVE_NOTES,
    TRANSIT,
)
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.exports.account_map import AccountMap
from monnaie_locale.exports.source import AccountInfo
from monnaie_locale.model import AccountKind
from monnaie_locale.money import EUR, format_amount
from monnaie_locale.store.tables import accounts, postings, transactions

__all__ = [
    "BalanceSheet",
    "Books",
    "IncomeStatement",
    "ReportLine",
    "books",
    "period_bounds",
    "to_csv",
    "to_data",
]


@dataclass(frozen=True, slots=True)
class ReportLine:
    """One chart account and its amount, positive in the direction of its section: a
    credit for income and liabilities, a debit for expenses and assets."""

    number: str
    label: str
    amount: int


@dataclass(frozen=True, slots=True)
class IncomeStatement:
    start: date | None
    end: date | None
    income: tuple[ReportLine, ...]
    expenses: tuple[ReportLine, ...]

    @property
    def total_income(self) -> int:
        return sum(line.amount for line in self.income)

    @property
    def total_expenses(self) -> int:
        return sum(line.amount for line in self.expenses)

    @property
    def result(self) -> int:
        """Income minus expenses: a surplus when positive, a deficit when negative."""
        return self.total_income - self.total_expenses


@dataclass(frozen=True, slots=True)
class BalanceSheet:
    end: date | None
    assets: tuple[ReportLine, ...]
    liabilities: tuple[ReportLine, ...]
    retained: int  # the results of every period before the income statement's
    result: int  # the income statement's result
    reserve: int
    circulation: int
    association_units: int

    @property
    def total_assets(self) -> int:
        return sum(line.amount for line in self.assets)

    @property
    def total_liabilities(self) -> int:
        """Debts, and the association's own funds (earlier results and this one)."""
        return sum(line.amount for line in self.liabilities) + self.retained + self.result

    @property
    def balanced(self) -> bool:
        return self.total_assets == self.total_liabilities


@dataclass(frozen=True, slots=True)
class Books:
    """The income statement of a period and the balance sheet at its end."""

    income_statement: IncomeStatement
    balance_sheet: BalanceSheet


def period_bounds(
    start: date | None, end: date | None, zone: tzinfo
) -> tuple[datetime | None, datetime | None]:
    """The moments a period of days in ``zone`` runs from (included) and to (excluded)."""
    if start is not None and end is not None and end < start:
        raise InvalidRequest(f"the period ends ({end}) before it starts ({start})")
    since = None if start is None else datetime.combine(start, time.min, tzinfo=zone)
    until = None if end is None else datetime.combine(end + timedelta(days=1), time.min, zone)
    return since, until


def _sums(conn: Connection, start: date | None, end: date | None, zone: tzinfo) -> dict[int, int]:
    """What moved on each account in the transactions of the days ``start`` to ``end``:
    an operation's own day where it has one, else the day it was recorded in ``zone``, as
    the FEC dates it (a fee dated 28 December and entered on 5 January is December's)."""
    since, until = period_bounds(start, end, zone)
    day = transactions.c.operation_date
    dated: list[ColumnElement[bool]] = [day.is_not(None)]
    recorded: list[ColumnElement[bool]] = [day.is_(None)]
    if start is not None:
        dated.append(day >= start)
        recorded.append(transactions.c.created_at >= since)
    if end is not None:
        dated.append(day <= end)
        recorded.append(transactions.c.created_at < until)
    query = (
        select(postings.c.account_id, func.sum(postings.c.amount))
        .join(transactions, transactions.c.id == postings.c.transaction_id)
        .where(or_(and_(*dated), and_(*recorded)))
    )
    rows = conn.execute(query.group_by(postings.c.account_id)).all()
    return {int(account_id): int(total or 0) for account_id, total in rows}


def _accounts(conn: Connection, ids: Iterable[int]) -> dict[int, AccountInfo]:
    wanted = list(ids)
    found: dict[int, AccountInfo] = {}
    for start in range(0, len(wanted), 500):
        for row in conn.execute(
            select(
                accounts.c.id,
                accounts.c.code,
                accounts.c.kind,
                accounts.c.currency,
                accounts.c.owner_ref,
            ).where(accounts.c.id.in_(wanted[start : start + 500]))
        ):
            found[row.id] = AccountInfo(
                row.id, row.code, AccountKind(row.kind), row.currency, row.owner_ref
            )
    return found


def _by_number(
    sums: dict[int, int], infos: dict[int, AccountInfo], mapping: AccountMap
) -> dict[str, tuple[str, int]]:
    """The ledger's sums (credits positive) added up per chart account."""
    lines: dict[str, tuple[str, int]] = {}
    for account_id, amount in sums.items():
        mapped = mapping.lookup(infos[account_id])
        label, total = lines.get(mapped.number, (mapped.label, 0))
        lines[mapped.number] = (label, total + amount)
    return lines


def _is_result(number: str) -> bool:
    return number[:1] in ("6", "7")


def _lines(found: dict[str, tuple[str, int]], *, sign: int, keep: Any) -> tuple[ReportLine, ...]:
    return tuple(
        ReportLine(number, label, sign * amount)
        for number, (label, amount) in sorted(found.items())
        if amount and keep(number, amount)
    )


def _reserve_and_circulation(
    balances: dict[int, int], infos: dict[int, AccountInfo]
) -> tuple[int, int, int]:
    reserve = circulation = own = 0
    for account_id, balance in balances.items():
        info = infos[account_id]
        if info.currency == EUR.code:
            till = info.kind == AccountKind.EXCHANGE_OFFICE and info.code.startswith("office:")
            if info.code in (RESERVE_DIGITAL, RESERVE_NOTES, TRANSIT) or till:
                reserve -= balance  # euro assets read negative in the ledger
        elif info.kind == AccountKind.ASSOCIATION:
            own += balance
        elif info.kind in HOLDER_KINDS or info.code in (NOTES_CIRCULATION, RECONVERSION_PENDING):
            circulation += balance
    return reserve, circulation + own, own


def books(
    conn: Connection,
    mapping: AccountMap,
    *,
    start: date | None = None,
    end: date | None = None,
    zone: tzinfo,
) -> Books:
    """The income statement from ``start`` to ``end`` and the balance sheet at ``end``.

    Without ``start`` the period runs from the first transaction; without ``end``, to
    the last.
    """
    period_bounds(start, end, zone)  # refuses a period that ends before it starts
    period = _sums(conn, start, end, zone)
    balances = _sums(conn, None, end, zone)
    infos = _accounts(conn, balances.keys())
    in_period = _by_number(period, infos, mapping)
    at_end = _by_number(balances, infos, mapping)
    statement = IncomeStatement(
        start=start,
        end=end,
        income=_lines(in_period, sign=1, keep=lambda number, _: number.startswith("7")),
        expenses=_lines(in_period, sign=-1, keep=lambda number, _: number.startswith("6")),
    )
    total_result = sum(amount for number, (_, amount) in at_end.items() if _is_result(number))
    reserve, circulation, own = _reserve_and_circulation(balances, infos)
    sheet = BalanceSheet(
        end=end,
        assets=_lines(
            at_end, sign=-1, keep=lambda number, amount: not _is_result(number) and amount < 0
        ),
        liabilities=_lines(
            at_end, sign=1, keep=lambda number, amount: not _is_result(number) and amount > 0
        ),
        retained=total_result - statement.result,
        result=statement.result,
        reserve=reserve,
        circulation=circulation,
        association_units=own,
    )
    return Books(statement, sheet)


def _line_data(lines: tuple[ReportLine, ...]) -> list[dict[str, str]]:
    return [
        {"number": line.number, "label": line.label, "amount": format_amount(line.amount)}
        for line in lines
    ]


def to_data(found: Books) -> dict[str, Any]:
    """The report as JSON-ready data, amounts as decimal strings ("12.50")."""
    statement, sheet = found.income_statement, found.balance_sheet
    return {
        "income_statement": {
            "start": statement.start.isoformat() if statement.start else None,
            "end": statement.end.isoformat() if statement.end else None,
            "income": _line_data(statement.income),
            "expenses": _line_data(statement.expenses),
            "total_income": format_amount(statement.total_income),
            "total_expenses": format_amount(statement.total_expenses),
            "result": format_amount(statement.result),
        },
        "balance_sheet": {
            "end": sheet.end.isoformat() if sheet.end else None,
            "assets": _line_data(sheet.assets),
            "liabilities": _line_data(sheet.liabilities),
            "retained": format_amount(sheet.retained),
            "result": format_amount(sheet.result),
            "total_assets": format_amount(sheet.total_assets),
            "total_liabilities": format_amount(sheet.total_liabilities),
            "balanced": sheet.balanced,
            "reserve": format_amount(sheet.reserve),
            "circulation": format_amount(sheet.circulation),
            "association_units": format_amount(sheet.association_units),
        },
    }


def to_csv(found: Books, *, decimal_separator: str = ".") -> str:
    """The report as CSV: ``statement,section,number,label,amount``, one row per line and
    total (``number`` empty on totals)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("statement", "section", "number", "label", "amount"))

    def money(amount: int) -> str:
        return format_amount(amount, decimal_separator=decimal_separator)

    statement, sheet = found.income_statement, found.balance_sheet
    for section, lines in (("income", statement.income), ("expenses", statement.expenses)):
        for line in lines:
            writer.writerow(
                ("income_statement", section, line.number, line.label, money(line.amount))
            )
    writer.writerow(("income_statement", "total", "", "income", money(statement.total_income)))
    writer.writerow(("income_statement", "total", "", "expenses", money(statement.total_expenses)))
    writer.writerow(("income_statement", "total", "", "result", money(statement.result)))
    for section, lines in (("assets", sheet.assets), ("liabilities", sheet.liabilities)):
        for line in lines:
            writer.writerow(("balance_sheet", section, line.number, line.label, money(line.amount)))
    writer.writerow(("balance_sheet", "funds", "", "retained", money(sheet.retained)))
    writer.writerow(("balance_sheet", "funds", "", "result", money(sheet.result)))
    writer.writerow(("balance_sheet", "total", "", "assets", money(sheet.total_assets)))
    writer.writerow(("balance_sheet", "total", "", "liabilities", money(sheet.total_liabilities)))
    writer.writerow(("balance_sheet", "reserve", "", "reserve", money(sheet.reserve)))
    writer.writerow(("balance_sheet", "reserve", "", "circulation", money(sheet.circulation)))
    writer.writerow(
        ("balance_sheet", "reserve", "", "association_units", money(sheet.association_units))
    )
    return out.getvalue()
