"""Versements: a régie pays in what it collected, reconverted, to the public accountant.

The *encaisse* of a régie is what its account holds outside any versement: its balance
less what is held for versements not yet paid by the bank. It is, to the cent, the sum of
its quittances not yet paid in; a versement takes every one of them, and refuses to go on
when the two disagree (a unit moved without its quittance).

A versement is due when the encaisse reaches the régie's cap (the montant maximum de
l'encaisse, or the convention's if lower) or when its day has come: the convention's
``payin_days`` after the previous versement (after the first quittance, for the first),
and never more than a month.

Preparing a versement numbers it per régie and year, fixes the convention's fee and asks
for a reconversion of its units (:mod:`monnaie_locale.operations.reconversion`) paid to
the authority's account at the Trésor: the units are held on the régie's account until the
association pays it in a payout batch, as any reconversion, and the transfer names the
régie and the versement (:mod:`monnaie_locale.authorities.remittance`).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import ColumnElement, Connection, Row, and_, func, insert, select, update

from monnaie_locale.authorities.errors import EncaisseMismatch, NothingToPayIn
from monnaie_locale.authorities.registry import (
    Regie,
    authority_by_id,
    cap_of,
    convention_on,
    convention_required,
    list_regies,
)
from monnaie_locale.authorities.remittance import versement_label
from monnaie_locale.clock import Clock, as_utc, day_in
from monnaie_locale.deployment import Deployment
from monnaie_locale.operations.common import claim_operation, finish_operation
from monnaie_locale.operations.errors import UnknownRecord
from monnaie_locale.operations.reconversion import request_reconversion
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_authorities import quittances, versements
from monnaie_locale.store.tables_operations import reconversions

__all__ = [
    "REASONS",
    "Versement",
    "VersementDue",
    "due_versements",
    "list_versements",
    "load_versement",
    "prepare_versement",
    "versement_due",
]

# Why a versement was made: the cap reached, its day come, or asked before either.
REASONS = ("cap", "period", "asked")


@dataclass(frozen=True, slots=True)
class VersementDue:
    """Where a régie stands: its encaisse, its cap, its last versement's day, the day the
    next is due (None: nothing collected yet) and why it is due now (None: not yet)."""

    regie: str
    encaisse: int
    cap: int
    last_versement: date | None
    due_on: date | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class Versement:
    """A versement: ``units`` collected = ``fee`` (the convention's) + ``euros`` (paid to
    the Trésor). ``status`` is its reconversion's: requested, batched, paid."""

    id: int
    regie: str
    year: int
    number: int
    prepared_at: datetime
    prepared_by: str
    units: int
    fee: int
    euros: int
    reason: str
    convention_id: int
    reconversion_id: int | None
    status: str | None
    quittances: int

    @property
    def label(self) -> str:
        return versement_label(self.year, self.number)


def _one_month_after(day: date) -> date:
    month = day.month % 12 + 1
    year = day.year + (day.month == 12)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _encaisse(conn: Connection, regie: Regie, *, lock: bool = False) -> int:
    query = select(accounts.c.balance, accounts.c.held).where(accounts.c.id == regie.account_id)
    # Locked while a versement is prepared: payments into the régie wait, so the quittances
    # read next are all those the balance counts.
    row = conn.execute(query.with_for_update() if lock else query).one()
    return int(row.balance) - int(row.held)


def _not_paid_in(regie: Regie) -> ColumnElement[bool]:
    return and_(quittances.c.regie_id == regie.id, quittances.c.versement_id.is_(None))


def versement_due(conn: Connection, regie: Regie, *, today: date, zone: tzinfo) -> VersementDue:
    """Where ``regie`` stands on ``today`` (days are those of ``zone``)."""
    authority = authority_by_id(conn, regie.authority_id)
    convention = convention_on(conn, authority, today)
    encaisse = _encaisse(conn, regie)
    last = conn.execute(
        select(func.max(versements.c.prepared_at)).where(versements.c.regie_id == regie.id)
    ).scalar()
    first = conn.execute(select(func.min(quittances.c.issued_at)).where(_not_paid_in(regie)))
    first_at = first.scalar()
    last_day = None if last is None else day_in(last, zone)
    base = (
        last_day if last_day is not None else (None if first_at is None else day_in(first_at, zone))
    )
    due_on = None
    if base is not None:
        due_on = _one_month_after(base)
        if convention is not None:
            due_on = min(due_on, base + timedelta(days=convention.payin_days))
    cap = cap_of(regie, convention)
    reason = None
    if encaisse > 0:
        if encaisse >= cap:
            reason = "cap"
        elif due_on is not None and today >= due_on:
            reason = "period"
    return VersementDue(regie.code, encaisse, cap, last_day, due_on, reason)


def due_versements(
    conn: Connection, *, today: date, zone: tzinfo, regie_ids: list[int] | None = None
) -> list[VersementDue]:
    """The régies (of ``regie_ids``; None: all) whose versement is due on ``today``."""
    found = []
    for regie in list_regies(conn):
        if regie_ids is not None and regie.id not in regie_ids:
            continue
        due = versement_due(conn, regie, today=today, zone=zone)
        if due.reason is not None:
            found.append(due)
    return found


def prepare_versement(
    conn: Connection,
    deployment: Deployment,
    *,
    regie: Regie,
    prepared_by: str,
    idempotency_key: str,
    clock: Clock,
) -> Versement:
    """Pay in every quittance of ``regie`` not yet paid in, once per key.

    Refused when there is none (:class:`NothingToPayIn`), when they disagree with the
    encaisse (:class:`EncaisseMismatch`) or when no convention is in force
    (:class:`~monnaie_locale.authorities.errors.NoConvention`).
    """
    first = claim_operation(conn, idempotency_key, request=f"versement|{regie.code}", clock=clock)
    if first is not None:
        return load_versement(conn, regie, int(first.removeprefix("versement:")))
    now = clock()
    today = deployment.today(now)
    authority = authority_by_id(conn, regie.authority_id)
    convention = convention_required(conn, authority, today)
    encaisse = _encaisse(conn, regie, lock=True)
    rows = conn.execute(select(quittances.c.id, quittances.c.units).where(_not_paid_in(regie)))
    taken = {int(row.id): int(row.units) for row in rows}
    units = sum(taken.values())
    if units != encaisse:
        raise EncaisseMismatch(regie.code, quittances=units, encaisse=encaisse)
    if not taken:
        raise NothingToPayIn(regie.code)
    reason = versement_due(conn, regie, today=today, zone=deployment.zone).reason or "asked"
    paid = request_reconversion(
        conn,
        deployment,
        account=regie.account,
        amount=units,
        creditor_name=authority.treasury_name,
        iban=authority.treasury_iban,
        bic=authority.treasury_bic,
        idempotency_key=f"{idempotency_key}/reconversion",
        clock=clock,
        convention_fee_bps=convention.reconversion_fee_bps,
    )
    versement_id = conn.execute(
        insert(versements)
        .values(
            regie_id=regie.id,
            year=today.year,
            number=_next_number(conn, regie, today.year),
            prepared_at=now,
            prepared_by=prepared_by,
            units=units,
            fee=paid.fee,
            euros=paid.payout,
            reason=reason,
            convention_id=convention.id,
            reconversion_id=paid.id,
        )
        .returning(versements.c.id)
    ).scalar_one()
    changed = conn.execute(
        update(quittances)
        .where(quittances.c.id.in_(taken), quittances.c.versement_id.is_(None))
        .values(versement_id=versement_id)
    ).rowcount
    assert changed == len(taken)  # the régie's account row was locked meanwhile
    finish_operation(conn, idempotency_key, f"versement:{versement_id}")
    return load_versement(conn, regie, int(versement_id))


def _next_number(conn: Connection, regie: Regie, year: int) -> int:
    # The régie's account row is locked: versements of one régie are numbered in turn.
    last = conn.execute(
        select(func.max(versements.c.number)).where(
            versements.c.regie_id == regie.id, versements.c.year == year
        )
    ).scalar()
    return int(last or 0) + 1


def _query(regie: Regie):  # type: ignore[no-untyped-def]
    counted = (
        select(func.count())
        .where(quittances.c.versement_id == versements.c.id)
        .scalar_subquery()
        .label("quittances")
    )
    return (
        select(versements, reconversions.c.status.label("status"), counted)
        .select_from(
            versements.outerjoin(reconversions, reconversions.c.id == versements.c.reconversion_id)
        )
        .where(versements.c.regie_id == regie.id)
    )


def _versement(regie: Regie, row: Row) -> Versement:  # type: ignore[type-arg]
    return Versement(
        id=int(row.id),
        regie=regie.code,
        year=int(row.year),
        number=int(row.number),
        prepared_at=as_utc(row.prepared_at),
        prepared_by=row.prepared_by,
        units=int(row.units),
        fee=int(row.fee),
        euros=int(row.euros),
        reason=row.reason,
        convention_id=int(row.convention_id),
        reconversion_id=None if row.reconversion_id is None else int(row.reconversion_id),
        status=row.status,
        quittances=int(row.quittances),
    )


def load_versement(conn: Connection, regie: Regie, versement_id: int) -> Versement:
    """One of ``regie``'s versements; another régie's is not found."""
    row = conn.execute(_query(regie).where(versements.c.id == versement_id)).first()
    if row is None:
        raise UnknownRecord("versement", versement_id)
    return _versement(regie, row)


def list_versements(conn: Connection, regie: Regie) -> list[Versement]:
    """``regie``'s versements, oldest first."""
    rows = conn.execute(_query(regie).order_by(versements.c.year, versements.c.number))
    return [_versement(regie, row) for row in rows]
