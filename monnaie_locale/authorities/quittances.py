"""Quittances: the receipt of every payment into a régie, numbered per régie and per year.

A quittance is written in the transaction that posts the payment, and its number taken
there from ``quittance_counters``: the counter's row is locked until that transaction
ends, so concurrent counters of one régie take 1, 2, 3... in turn, and a payment rolled
back gives its number back. Numbers therefore have no gaps, which is what a public
accountant checks first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Row, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from monnaie_locale.authorities.registry import Regie
from monnaie_locale.clock import as_utc
from monnaie_locale.model import check_positive
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_authorities import quittance_counters, quittances

__all__ = [
    "ANONYMOUS",
    "QUITTANCE_COLUMNS",
    "QUITTANCE_FROM",
    "Quittance",
    "issue_quittance",
    "quittance_by_id",
    "quittance_from_row",
    "quittance_of_transaction",
]

# What a quittance says of a payer the régie does not name.
ANONYMOUS = "anonyme"


@dataclass(frozen=True, slots=True)
class Quittance:
    id: int
    regie_id: int
    year: int
    number: int
    issued_at: datetime
    object: str
    payer_name: str
    payer_account: str | None
    units: int
    euros: int
    euro_means: str | None
    euro_reference: str | None
    transaction_id: int
    versement_id: int | None
    key_id: str | None
    signature: str | None

    @property
    def label(self) -> str:
        """The number as printed: ``2026-000042``."""
        return f"{self.year}-{self.number:06d}"


QUITTANCE_COLUMNS = (
    quittances.c.id,
    quittances.c.regie_id,
    quittances.c.year,
    quittances.c.number,
    quittances.c.issued_at,
    quittances.c.object,
    quittances.c.payer_name,
    accounts.c.code.label("payer_account"),
    quittances.c.units,
    quittances.c.euros,
    quittances.c.euro_means,
    quittances.c.euro_reference,
    quittances.c.transaction_id,
    quittances.c.versement_id,
    quittances.c.key_id,
    quittances.c.signature,
)
QUITTANCE_FROM = quittances.outerjoin(accounts, accounts.c.id == quittances.c.payer_account_id)


def quittance_from_row(row: Row) -> Quittance:  # type: ignore[type-arg]
    values = list(row)
    values[4] = as_utc(values[4])  # SQLite hands back the stamp without its zone
    return Quittance(*values)


def _next_number(conn: Connection, regie_id: int, year: int) -> int:
    if conn.dialect.name == "postgresql":
        conn.execute(
            pg_insert(quittance_counters)
            .values(regie_id=regie_id, year=year, last_number=0)
            .on_conflict_do_nothing()
        )
    else:  # SQLite: one writer at a time, so a plain check is enough
        exists = conn.execute(
            select(quittance_counters.c.last_number).where(
                quittance_counters.c.regie_id == regie_id, quittance_counters.c.year == year
            )
        ).first()
        if exists is None:
            conn.execute(
                insert(quittance_counters).values(regie_id=regie_id, year=year, last_number=0)
            )
    return int(
        conn.execute(
            update(quittance_counters)
            .where(quittance_counters.c.regie_id == regie_id, quittance_counters.c.year == year)
            .values(last_number=quittance_counters.c.last_number + 1)
            .returning(quittance_counters.c.last_number)
        ).scalar_one()
    )


def issue_quittance(
    conn: Connection,
    regie: Regie,
    *,
    transaction_id: int,
    year: int,
    object: str,
    payer_name: str,
    payer_account_id: int | None,
    units: int,
    euros: int = 0,
    euro_means: str | None = None,
    euro_reference: str | None = None,
    now: datetime,
) -> Quittance:
    """The quittance of the payment posted by ``transaction_id``, numbered next in
    ``year`` for ``regie`` (the year of its day in the books' zone)."""
    check_positive(units)
    if euros < 0:
        raise ValueError("the euro part of a payment is never negative")
    number = _next_number(conn, regie.id, year)
    quittance_id = conn.execute(
        insert(quittances)
        .values(
            regie_id=regie.id,
            year=year,
            number=number,
            issued_at=now,
            object=object,
            payer_name=payer_name,
            payer_account_id=payer_account_id,
            units=units,
            euros=euros,
            euro_means=euro_means,
            euro_reference=euro_reference,
            transaction_id=transaction_id,
        )
        .returning(quittances.c.id)
    ).scalar_one()
    return quittance_by_id(conn, int(quittance_id))


def quittance_by_id(conn: Connection, quittance_id: int) -> Quittance:
    row = conn.execute(
        select(*QUITTANCE_COLUMNS)
        .select_from(QUITTANCE_FROM)
        .where(quittances.c.id == quittance_id)
    ).one()
    return quittance_from_row(row)


def quittance_of_transaction(conn: Connection, transaction_id: int) -> Quittance | None:
    """The quittance a payment's transaction was given, if it paid a régie."""
    row = conn.execute(
        select(*QUITTANCE_COLUMNS)
        .select_from(QUITTANCE_FROM)
        .where(quittances.c.transaction_id == transaction_id)
    ).first()
    return None if row is None else quittance_from_row(row)
