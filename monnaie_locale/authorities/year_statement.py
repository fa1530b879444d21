"""The yearly statement a public accountant receives: per régie, or per authority account.

A régie's statement covers one calendar year, as days in the books' zone (the
deployment's, ``MLC_TIME_ZONE``): the balance of the régie's account when the year opens,
every quittance of the year (number, date, object, payer, units and euro part), every
versement of the year (number, date, units, fee, euros paid to the Trésor) and the balance
when the year closes. What the public accountant checks first is that they tie:

    opening + quittances' units − versements' units = closing

and that this closing is what the books hold on the régie's account at the year's end,
less what is still held there for versements the association has not paid yet. A
versement is dated when the régie prepares it (its état), but its units leave the
account only when the association pays its reconversion to the Trésor, days later
(:mod:`monnaie_locale.authorities.versements`): a versement prepared on 28 December and
paid on 5 January is the old year's, and the units still on the account on 31 December
are shown as *in transit*, at the opening and at the closing. So, in full:

    balance at opening − in transit at opening + quittances − versements
        = balance at closing − in transit at closing

Both sides are computed here from different tables (the quittances and versements on one
side, the ledger's postings and holds on the other), and a statement that does not tie
is never written: :class:`StatementMismatch` says by how much, since it means the books
and the régie disagree (a payment without a quittance, a versement cancelled, a
hand-typed row).

An authority's statement covers its own account: the opening balance, every mandate paid
during the year (exercice, bordereau, number, imputation chapitre / article / fonction,
payee, amount, date), every other movement (what it received, for instance) and the
closing balance. Its movements are the ledger's, so the totals tie by construction; each
mandate is checked against the movement that paid it.

Opening and closing follow :mod:`monnaie_locale.exports.statement_rows`, as the accounts'
statements do: the same year gives the same balances on both. Run inside
:meth:`Database.reading <monnaie_locale.store.database.Database.reading>`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, tzinfo
from typing import Literal

from sqlalchemy import Connection, func, select

from monnaie_locale.authorities.registry import Authority, Regie, authority_by_id
from monnaie_locale.clock import as_utc
from monnaie_locale.errors import Conflict, InvalidRequest
from monnaie_locale.exports.statement_rows import (
    StatementWindow,
    statement_movements,
    statement_window,
)
from monnaie_locale.money import format_amount
from monnaie_locale.store.tables import accounts, holds, postings
from monnaie_locale.store.tables_authorities import mandates, quittances, versements
from monnaie_locale.store.tables_operations import reconversions

__all__ = [
    "FIRST_YEAR",
    "MandateLine",
    "MovementLine",
    "QuittanceLine",
    "StatementMismatch",
    "VersementLine",
    "YearStatement",
    "authority_year_statement",
    "regie_year_statement",
]

# Years a statement may be asked for: none before the service, none in a far future.
FIRST_YEAR, LAST_YEAR = 2000, 9999


class StatementMismatch(Conflict):
    """Raised when a year's rows do not tie with the ledger: the books and the régie (or
    the authority's mandates) disagree, and no statement is written."""

    code = "statement_mismatch"
    amount_fields = ("expected", "ledger")

    def __init__(self, where: str, year: int, expected: int, ledger: int, why: str) -> None:
        super().__init__(
            f"the {year} statement of {where} does not tie: {why} gives "
            f"{format_amount(expected)}, the books hold {format_amount(ledger)}; the "
            "association must find the difference before the statement can be given"
        )
        self.where = where
        self.year = year
        self.expected = expected
        self.ledger = ledger


@dataclass(frozen=True, slots=True)
class QuittanceLine:
    number: str  # as printed: 2026-000042
    issued_at: datetime  # UTC
    object: str
    payer: str
    units: int
    euros: int  # the part paid in euros outside the service


@dataclass(frozen=True, slots=True)
class VersementLine:
    number: str  # 2026-0003
    prepared_at: datetime  # UTC
    units: int  # what left the régie's account
    fee: int  # the convention's fee on them
    euros: int  # paid to the Trésor: units - fee
    reason: str  # cap, period or asked


@dataclass(frozen=True, slots=True)
class MandateLine:
    exercice: int
    bordereau: str
    number: str
    chapitre: str
    article: str
    fonction: str
    object: str
    payee: str
    amount: int  # positive: what left the authority's account
    paid_at: datetime  # UTC, when the movement was posted
    transaction_id: int


@dataclass(frozen=True, slots=True)
class MovementLine:
    """A movement of the authority's account that no mandate paid."""

    transaction_id: int
    created_at: datetime  # UTC
    kind: str
    memo: str
    counterparty: str
    amount: int  # positive credits the account


@dataclass(frozen=True, slots=True)
class YearStatement:
    """One year of a régie (``kind="regie"``) or of an authority's account."""

    kind: Literal["regie", "authority"]
    code: str  # the régie's or the authority's
    name: str
    authority: str
    authority_name: str
    account: str
    currency: str
    year: int
    zone: str
    opening: int  # the account's balance in the ledger
    closing: int
    printed_at: datetime  # UTC
    complete: bool  # False while the year has not ended: the statement so far
    treasury_name: str = ""
    treasury_iban: str = ""
    quittances: tuple[QuittanceLine, ...] = ()
    versements: tuple[VersementLine, ...] = ()
    mandates: tuple[MandateLine, ...] = ()
    others: tuple[MovementLine, ...] = ()
    # A régie's versements prepared but not yet paid out, still on its account.
    in_transit_opening: int = 0
    in_transit_closing: int = 0

    @property
    def collected(self) -> int:
        return sum(line.units for line in self.quittances)

    @property
    def collected_euros(self) -> int:
        return sum(line.euros for line in self.quittances)

    @property
    def paid_in(self) -> int:
        return sum(line.units for line in self.versements)

    @property
    def paid_in_fee(self) -> int:
        return sum(line.fee for line in self.versements)

    @property
    def paid_in_euros(self) -> int:
        return sum(line.euros for line in self.versements)

    @property
    def mandated(self) -> int:
        return sum(line.amount for line in self.mandates)

    @property
    def others_total(self) -> int:
        return sum(line.amount for line in self.others)

    @property
    def others_debit(self) -> int:
        return sum(-line.amount for line in self.others if line.amount < 0)

    @property
    def others_credit(self) -> int:
        return sum(line.amount for line in self.others if line.amount > 0)


def _year_window(
    conn: Connection, account: str, year: int, zone: tzinfo
) -> tuple[StatementWindow, int]:
    """The year's window on ``account`` and, read apart, the books' balance at its end."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidRequest(f"a statement is for a year from {FIRST_YEAR} to {LAST_YEAR}")
    window = statement_window(
        conn, account, start=date(year, 1, 1), end=date(year, 12, 31), zone=zone
    )
    return window, _balance_before(conn, window.account.id, _year_start(year + 1, zone))


def _year_start(year: int, zone: tzinfo) -> datetime:
    return datetime.combine(date(year, 1, 1), time.min, zone).astimezone(UTC)


def _balance_before(conn: Connection, account_id: int, moment: datetime) -> int:
    """The balance after the account's last posting dated before ``moment``: the ledger's
    own running balance, by another path than the statement's window."""
    balance = conn.execute(
        select(postings.c.balance_after)
        .where(postings.c.account_id == account_id, postings.c.created_at < moment)
        .order_by(postings.c.id.desc())
        .limit(1)
    ).scalar()
    return 0 if balance is None else int(balance)


def _zone_name(zone: tzinfo) -> str:
    return str(getattr(zone, "key", zone))


def regie_year_statement(
    conn: Connection, regie: Regie, year: int, *, zone: tzinfo, now: datetime
) -> YearStatement:
    """The régie's statement of ``year`` (see the module's docstring)."""
    window, closing = _year_window(conn, regie.account, year, zone)
    authority = authority_by_id(conn, regie.authority_id)
    lines = _quittances(conn, regie, year)
    paid_in = _versements(conn, regie, year)
    transit_opening = _in_transit(conn, regie, _year_start(year, zone))
    transit_closing = _in_transit(conn, regie, _year_start(year + 1, zone))
    expected = (
        window.opening
        - transit_opening
        + sum(q.units for q in lines)
        - sum(v.units for v in paid_in)
    )
    if expected != closing - transit_closing:
        raise StatementMismatch(
            regie.code,
            year,
            expected,
            closing - transit_closing,
            "opening + quittances − versements",
        )
    return YearStatement(
        kind="regie",
        code=regie.code,
        name=regie.name,
        authority=authority.code,
        authority_name=authority.name,
        account=regie.account,
        currency=window.account.currency,
        year=year,
        zone=_zone_name(zone),
        opening=window.opening,
        closing=closing,
        printed_at=as_utc(now),
        complete=as_utc(now) >= _year_start(year + 1, zone),
        treasury_name=authority.treasury_name,
        treasury_iban=authority.treasury_iban,
        quittances=lines,
        versements=paid_in,
        in_transit_opening=transit_opening,
        in_transit_closing=transit_closing,
    )


def _in_transit(conn: Connection, regie: Regie, moment: datetime) -> int:
    """The units of the versements prepared before ``moment`` still on the régie's account
    then: held for their reconversion, whose hold the association had not posted yet.

    A versement with no reconversion left the account when it was prepared; one whose
    reconversion was cancelled never left it, and is in transit for no one: the statement
    will not tie, as it should not.
    """
    left_at = (
        select(func.min(postings.c.created_at))
        .where(
            postings.c.transaction_id == holds.c.transaction_id,
            postings.c.account_id == regie.account_id,
        )
        .scalar_subquery()
    )
    rows = conn.execute(
        select(versements.c.units, reconversions.c.status, left_at.label("left_at"))
        .select_from(
            versements.join(reconversions, reconversions.c.id == versements.c.reconversion_id).join(
                holds, holds.c.id == reconversions.c.hold_id
            )
        )
        .where(versements.c.regie_id == regie.id, versements.c.prepared_at < moment)
    )
    return sum(
        int(row.units)
        for row in rows
        if row.status != "cancelled" and (row.left_at is None or as_utc(row.left_at) >= moment)
    )


def _quittances(conn: Connection, regie: Regie, year: int) -> tuple[QuittanceLine, ...]:
    rows = conn.execute(
        select(
            quittances.c.year,
            quittances.c.number,
            quittances.c.issued_at,
            quittances.c.object,
            quittances.c.payer_name,
            quittances.c.units,
            quittances.c.euros,
        )
        .where(quittances.c.regie_id == regie.id, quittances.c.year == year)
        .order_by(quittances.c.number)
    )
    return tuple(
        QuittanceLine(
            number=f"{row.year}-{row.number:06d}",
            issued_at=as_utc(row.issued_at),
            object=row.object,
            payer=row.payer_name,
            units=int(row.units),
            euros=int(row.euros),
        )
        for row in rows
    )


def _versements(conn: Connection, regie: Regie, year: int) -> tuple[VersementLine, ...]:
    rows = conn.execute(
        select(
            versements.c.year,
            versements.c.number,
            versements.c.prepared_at,
            versements.c.units,
            versements.c.fee,
            versements.c.euros,
            versements.c.reason,
        )
        .where(versements.c.regie_id == regie.id, versements.c.year == year)
        .order_by(versements.c.number)
    )
    return tuple(
        VersementLine(
            number=f"{row.year}-{row.number:04d}",
            prepared_at=as_utc(row.prepared_at),
            units=int(row.units),
            fee=int(row.fee),
            euros=int(row.euros),
            reason=row.reason,
        )
        for row in rows
    )


def authority_year_statement(
    conn: Connection, authority: Authority, year: int, *, zone: tzinfo, now: datetime
) -> YearStatement:
    """The statement of ``year`` of the authority's own account (see the module's
    docstring)."""
    if authority.account is None:
        raise InvalidRequest(
            f"{authority.code} has no account of its own: its statements are its régies'"
        )
    window, ledger_closing = _year_window(conn, authority.account, year, zone)
    paid = _paid_mandates(conn, authority, window)
    found: list[MandateLine] = []
    others: list[MovementLine] = []
    balance = window.opening
    for movement in statement_movements(conn, window):
        balance = movement.balance_after
        mandate = paid.get(movement.transaction_id)
        if mandate is None:
            others.append(
                MovementLine(
                    transaction_id=movement.transaction_id,
                    created_at=movement.created_at,
                    kind=movement.kind,
                    memo=movement.memo,
                    counterparty=movement.counterparty,
                    amount=movement.amount,
                )
            )
            continue
        if movement.amount != -mandate.amount:
            raise StatementMismatch(
                authority.code,
                year,
                -mandate.amount,
                movement.amount,
                f"mandate {mandate.bordereau}/{mandate.number}",
            )
        found.append(replace(mandate, paid_at=movement.created_at))
    closing = window.opening - sum(m.amount for m in found) + sum(o.amount for o in others)
    if closing != ledger_closing or balance != ledger_closing:
        raise StatementMismatch(
            authority.code, year, closing, ledger_closing, "opening + movements"
        )
    return YearStatement(
        kind="authority",
        code=authority.code,
        name=authority.name,
        authority=authority.code,
        authority_name=authority.name,
        account=authority.account,
        currency=window.account.currency,
        year=year,
        zone=_zone_name(zone),
        opening=window.opening,
        closing=closing,
        printed_at=as_utc(now),
        complete=as_utc(now) >= _year_start(year + 1, zone),
        treasury_name=authority.treasury_name,
        treasury_iban=authority.treasury_iban,
        mandates=tuple(found),
        others=tuple(others),
    )


def _paid_mandates(
    conn: Connection, authority: Authority, window: StatementWindow
) -> dict[int, MandateLine]:
    """The mandates paid by a movement of the window, by the transaction that paid them
    (their date is the movement's, filled in by the caller)."""
    if window.first_id is None or window.last_id is None:
        return {}
    rows = conn.execute(
        select(
            mandates.c.exercice,
            mandates.c.bordereau,
            mandates.c.number,
            mandates.c.chapitre,
            mandates.c.article,
            mandates.c.fonction,
            mandates.c.object,
            accounts.c.code,
            accounts.c.display_name,
            mandates.c.amount,
            mandates.c.transaction_id,
        )
        .join(accounts, accounts.c.id == mandates.c.payee_account_id)
        .join(postings, postings.c.transaction_id == mandates.c.transaction_id)
        .where(
            mandates.c.authority_id == authority.id,
            mandates.c.status == "paid",
            postings.c.account_id == window.account.id,
            postings.c.id.between(window.first_id, window.last_id),
        )
    )
    return {
        int(row.transaction_id): MandateLine(
            exercice=int(row.exercice),
            bordereau=row.bordereau,
            number=row.number,
            chapitre=row.chapitre,
            article=row.article,
            fonction=row.fonction,
            object=row.object,
            payee=row.display_name or row.code,
            amount=int(row.amount),
            paid_at=datetime.min.replace(tzinfo=UTC),
            transaction_id=int(row.transaction_id),
        )
        for row in rows
    }
