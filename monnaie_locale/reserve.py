"""The reserve report: are the units in circulation backed, euro for euro?

The report is data (:class:`ReserveReport`, and :func:`to_data` for JSON), CSV
(:func:`to_csv`) or an aligned text table (:func:`to_text`).

Circulation is every unit someone outside the issuing machinery holds: the digital
accounts of members, businesses, authorities and the association, the units of paid
reconversions not yet destroyed, and the paper notes in the public's hands. Notes printed
but unsold (in the vault or at an office) are not in circulation. The reserve is the euros
kept for them: the two reserve bank accounts, the office tills and the cash in transit.
Coverage is reserve / circulation, an exact :class:`~fractions.Fraction` (shown as a
percentage rounded down, so 99.999 % never reads as 100 %).

The report reads the books as of any moment: a balance then is the sum of the postings
stamped at or before it. It also lists what is pending (conversion orders waiting for the
bank, reconversions held), and every discrepancy found: a reserve short of or above the
circulation, issuance that does not add up, note stocks whose counts disagree with the
ledger, a bank account's latest statement whose closing balance differs from the books
at its closing date.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from monnaie_locale.deployment import (
    ISSUANCE,
    NOTES_CIRCULATION,
    NOTES_VAULT,
    RECONVERSION_PENDING,
    RESERVE_DIGITAL,
    RESERVE_NOTES,
    TRANSIT,
    Deployment,
)
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.model import AccountKind
from monnaie_locale.money import EUR, format_amount
from monnaie_locale.operations import bank_reconciliation
from monnaie_locale.store.tables import accounts, postings
from monnaie_locale.store.tables_operations import (
    conversions,
    note_stocks,
    reconversions,
)

__all__ = [
    "Pending",
    "Position",
    "ReserveReport",
    "position",
    "reserve_report",
    "to_csv",
    "to_data",
    "to_text",
]

_DIGITAL_KINDS = (
    AccountKind.MEMBER,
    AccountKind.BUSINESS,
    AccountKind.AUTHORITY,
    AccountKind.ASSOCIATION,
)
_RESERVE_CODES = (RESERVE_DIGITAL, RESERVE_NOTES, TRANSIT)


@dataclass(frozen=True, slots=True)
class Position:
    """Balances sorted into what they mean, all as positive amounts held.

    ``digital`` is keyed by account kind; ``note_stocks`` by place ("vault",
    "office:<id>"); ``reserve`` by euro account code; ``unclassified`` lists local-unit
    system accounts the report does not know, which is itself a discrepancy.
    """

    digital: dict[str, int]
    reconversion_pending: int
    paper: int
    note_stocks: dict[str, int]
    reserve: dict[str, int]
    issued: int
    unclassified: dict[str, int] = field(default_factory=dict)

    @property
    def digital_total(self) -> int:
        return sum(self.digital.values()) + self.reconversion_pending

    @property
    def circulation(self) -> int:
        return self.digital_total + self.paper

    @property
    def reserve_total(self) -> int:
        return sum(self.reserve.values())

    @property
    def stock_total(self) -> int:
        return sum(self.note_stocks.values())


@dataclass(frozen=True, slots=True)
class Pending:
    """Operations started and not finished: how many, and the amount they carry."""

    count: int
    amount: int


@dataclass(frozen=True, slots=True)
class ReserveReport:
    """The reserve report as of ``as_of`` (``None``: now, from the running balances)."""

    unit: str
    as_of: datetime | None
    position: Position
    pending_conversions: Pending
    pending_reconversions: Pending
    discrepancies: tuple[str, ...]

    @property
    def coverage(self) -> Fraction | None:
        """Reserve / circulation exactly; ``None`` when nothing circulates."""
        if self.position.circulation == 0:
            return None
        return Fraction(self.position.reserve_total, self.position.circulation)

    @property
    def coverage_percent(self) -> Decimal | None:
        """Coverage as a percentage with two decimals, rounded down."""
        ratio = self.coverage
        if ratio is None:
            return None
        percent = Decimal(ratio.numerator * 100) / Decimal(ratio.denominator)
        return percent.quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def position(
    conn: Connection, deployment: Deployment, *, as_of: datetime | None = None
) -> Position:
    """Sort every balance of both currencies, now or as of a moment."""
    unit = deployment.unit.code
    digital = {str(kind): 0 for kind in _DIGITAL_KINDS}
    for kind, balance in _holder_balances(conn, unit, as_of):
        digital[kind] = balance
    reserve: dict[str, int] = {code: 0 for code in _RESERVE_CODES}
    stocks: dict[str, int] = {"vault": 0}
    unclassified: dict[str, int] = {}
    special = {ISSUANCE: 0, NOTES_CIRCULATION: 0, RECONVERSION_PENDING: 0}
    for code, kind, currency, balance in _system_balances(conn, unit, as_of):
        if currency == EUR.code:
            if code in _RESERVE_CODES or _is_till(code, kind):
                reserve[code] = -balance  # euro assets read negative in the ledger
        elif kind == AccountKind.ASSOCIATION:
            digital[str(AccountKind.ASSOCIATION)] += balance
        elif code in special:
            special[code] = balance
        elif code == NOTES_VAULT:
            stocks["vault"] = balance
        elif code.startswith("notes:office:"):
            stocks["office:" + code.removeprefix("notes:office:")] = balance
        else:
            unclassified[code] = balance
    return Position(
        digital=digital,
        reconversion_pending=special[RECONVERSION_PENDING],
        paper=special[NOTES_CIRCULATION],
        note_stocks=stocks,
        reserve=reserve,
        issued=-special[ISSUANCE],
        unclassified=unclassified,
    )


def _is_till(code: str, kind: str) -> bool:
    return kind == AccountKind.EXCHANGE_OFFICE and code.startswith("office:")


_HOLDERS = (str(AccountKind.MEMBER), str(AccountKind.BUSINESS), str(AccountKind.AUTHORITY))


def _holder_balances(
    conn: Connection, unit: str, as_of: datetime | None
) -> Iterator[tuple[str, int]]:
    """Digital holdings summed by kind: one row per kind, however many accounts."""
    holders = and_(accounts.c.currency == unit, accounts.c.kind.in_(_HOLDERS))
    if as_of is None:
        query = select(accounts.c.kind, func.sum(accounts.c.balance)).where(holders)
    else:
        query = (
            select(accounts.c.kind, func.sum(postings.c.amount))
            .join(postings, postings.c.account_id == accounts.c.id)
            .where(holders, postings.c.created_at <= as_of)
        )
    for kind, total in conn.execute(query.group_by(accounts.c.kind)).all():
        yield str(kind), int(total or 0)


def _system_balances(
    conn: Connection, unit: str, as_of: datetime | None
) -> Iterator[tuple[str, str, str, int]]:
    """Every other account, one by one (they are few: one set per deployment and office)."""
    others = or_(accounts.c.kind.not_in(_HOLDERS), accounts.c.currency != unit)
    if as_of is None:
        rows: Any = conn.execute(
            select(accounts.c.code, accounts.c.kind, accounts.c.currency, accounts.c.balance).where(
                others
            )
        ).all()
    else:
        rows = conn.execute(
            select(
                accounts.c.code,
                accounts.c.kind,
                accounts.c.currency,
                func.sum(postings.c.amount),
            )
            .join(postings, postings.c.account_id == accounts.c.id)
            .where(others, postings.c.created_at <= as_of)
            .group_by(accounts.c.id, accounts.c.code, accounts.c.kind, accounts.c.currency)
        ).all()
    for code, kind, currency, balance in rows:
        yield str(code), str(kind), str(currency), int(balance or 0)


def reserve_report(
    conn: Connection, deployment: Deployment, *, as_of: datetime | None = None
) -> ReserveReport:
    """The full report, now (``as_of=None``) or as of a moment given with its time zone."""
    if as_of is not None and as_of.tzinfo is None:
        raise InvalidRequest("give the report's moment with its time zone")
    current = position(conn, deployment, as_of=as_of)
    discrepancies = list(_ledger_discrepancies(current))
    if as_of is None:
        # Note counts and statements are kept as they are now, not as they were.
        discrepancies.extend(_note_count_discrepancies(conn, deployment, current))
        discrepancies.extend(_statement_discrepancies(conn))
    return ReserveReport(
        unit=deployment.unit.code,
        as_of=as_of,
        position=current,
        pending_conversions=_pending_conversions(conn, as_of),
        pending_reconversions=_pending_reconversions(conn, as_of),
        discrepancies=tuple(discrepancies),
    )


def _open_at(table: Any, as_of: datetime | None) -> Any:
    if as_of is None:
        return table.c.settled_at.is_(None)
    return and_(
        table.c.created_at <= as_of,
        or_(table.c.settled_at.is_(None), table.c.settled_at > as_of),
    )


def _pending_conversions(conn: Connection, as_of: datetime | None) -> Pending:
    count, total = conn.execute(
        select(func.count(), func.sum(conversions.c.amount)).where(
            conversions.c.method == "transfer", _open_at(conversions, as_of)
        )
    ).one()
    return Pending(int(count), int(total or 0))


def _pending_reconversions(conn: Connection, as_of: datetime | None) -> Pending:
    count, total = conn.execute(
        select(func.count(), func.sum(reconversions.c.amount)).where(_open_at(reconversions, as_of))
    ).one()
    return Pending(int(count), int(total or 0))


def _ledger_discrepancies(current: Position) -> Iterator[str]:
    gap = current.reserve_total - current.circulation
    if gap < 0:
        yield f"reserve short of circulation by {format_amount(-gap)}"
    elif gap > 0:
        yield f"reserve above circulation by {format_amount(gap)} (surplus)"
    accounted = current.circulation + current.stock_total
    if current.issued != accounted:
        yield (
            f"issuance {format_amount(current.issued)} differs from circulation plus note "
            f"stocks {format_amount(accounted)}"
        )
    for code, balance in sorted(current.unclassified.items()):
        yield f"unknown local-unit account {code} holds {format_amount(balance)}"
    for code, amount in sorted(current.reserve.items()):
        if amount < 0:
            yield f"{code} holds negative cash {format_amount(amount)}"


def _note_count_discrepancies(
    conn: Connection, deployment: Deployment, current: Position
) -> Iterator[str]:
    counted: dict[str, int] = {}
    rows = conn.execute(
        select(note_stocks.c.location, note_stocks.c.denomination, note_stocks.c.count)
    ).all()
    for location, denomination, count in rows:
        counted[location] = counted.get(location, 0) + int(denomination) * int(count)
    # Lost notes are presumed circulating: the ledger books them there.
    booked = dict(current.note_stocks)
    booked["circulation"] = current.paper
    counted["circulation"] = counted.pop("circulation", 0) + counted.pop("lost", 0)
    for location in sorted(booked.keys() | counted.keys()):
        if booked.get(location, 0) != counted.get(location, 0):
            yield (
                f"notes at {location}: the ledger says {format_amount(booked.get(location, 0))}, "
                f"the note counts say {format_amount(counted.get(location, 0))}"
            )


def _statement_discrepancies(conn: Connection) -> Iterator[str]:
    # Each bank account's latest statement, against its ledger account at the closing date:
    # what the books did after that day is no discrepancy.
    for found in bank_reconciliation.latest_reconciliations(conn):
        if found.difference:
            yield (
                f"bank statement {found.statement_id} of {found.bank_account} closes at "
                f"{format_amount(found.statement_balance or 0)}; the books hold "
                f"{format_amount(found.books_at_closing)} on {found.ledger_account} that day"
            )


def _rows(report: ReserveReport) -> Iterator[tuple[str, str, str]]:
    """(section, item, value) rows shared by the CSV and the text table."""
    here = report.position
    unit = report.unit
    for kind, amount in here.digital.items():
        yield "circulation", f"digital {kind}", format_amount(amount)
    yield "circulation", "digital reconversion pending", format_amount(here.reconversion_pending)
    yield "circulation", "paper notes", format_amount(here.paper)
    yield "circulation", f"total {unit}", format_amount(here.circulation)
    for place, amount in sorted(here.note_stocks.items()):
        yield "note stock", place, format_amount(amount)
    for code, amount in sorted(here.reserve.items()):
        yield "reserve", code, format_amount(amount)
    yield "reserve", "total EUR", format_amount(here.reserve_total)
    conv, reconv = report.pending_conversions, report.pending_reconversions
    yield "pending", f"conversions ({conv.count})", format_amount(conv.amount)
    yield "pending", f"reconversions ({reconv.count})", format_amount(reconv.amount)
    percent = report.coverage_percent
    yield "coverage", "ratio", "n/a" if percent is None else f"{percent}%"
    for text in report.discrepancies:
        yield "discrepancy", text, ""


def to_data(report: ReserveReport) -> dict[str, Any]:
    """The report as JSON-ready data: amounts in minor units, the ratio as exact text."""
    here = report.position
    ratio = report.coverage
    percent = report.coverage_percent
    return {
        "unit": report.unit,
        "as_of": None if report.as_of is None else report.as_of.isoformat(),
        "circulation": {
            "digital": dict(here.digital),
            "reconversion_pending": here.reconversion_pending,
            "paper": here.paper,
            "total": here.circulation,
        },
        "note_stocks": dict(here.note_stocks),
        "reserve": {"accounts": dict(here.reserve), "total": here.reserve_total},
        "pending": {
            "conversions": {
                "count": report.pending_conversions.count,
                "amount": report.pending_conversions.amount,
            },
            "reconversions": {
                "count": report.pending_reconversions.count,
                "amount": report.pending_reconversions.amount,
            },
        },
        "coverage": {
            "ratio": None if ratio is None else f"{ratio.numerator}/{ratio.denominator}",
            "percent": None if percent is None else str(percent),
        },
        "discrepancies": list(report.discrepancies),
    }


def to_csv(report: ReserveReport) -> str:
    """The report as CSV: section, item, value (amounts with a dot and two decimals)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("section", "item", "value"))
    writer.writerows(_rows(report))
    return buffer.getvalue()


def to_text(report: ReserveReport) -> str:
    """The report as an aligned plain-text table for a terminal or an e-mail."""
    moment = "now" if report.as_of is None else report.as_of.isoformat()
    rows = list(_rows(report))
    item_width = max(len(item) for _, item, _ in rows)
    section_width = max(len(section) for section, _, _ in rows)
    value_width = max(len(value) for _, _, value in rows)
    lines = [f"Reserve report ({report.unit}), as of {moment}"]
    for section, item, value in rows:
        lines.append(
            f"{section:<{section_width}}  {item:<{item_width}}  {value:>{value_width}}".rstrip()
        )
    return "\n".join(lines) + "\n"
