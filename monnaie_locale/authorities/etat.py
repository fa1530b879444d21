"""The état de versement: what a versement pays in, quittance by quittance.

The public accountant reconciles, per régie and versement, the quittances (numbers, dates,
objects, payers, amounts) with what reached the Trésor. The état lists the versement's
quittances in their order, each with its part in local units and its part paid in euros at
the counter; the sum of the units is the versement's, which is its fee plus the euros wired.
Its renderings are :mod:`monnaie_locale.authorities.etat_files`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import Connection, select

from monnaie_locale.authorities.quittances import (
    QUITTANCE_COLUMNS,
    QUITTANCE_FROM,
    Quittance,
    quittance_from_row,
)
from monnaie_locale.authorities.registry import Authority, Regie, authority_by_id
from monnaie_locale.authorities.versements import Versement, load_versement
from monnaie_locale.store.tables_authorities import quittances

__all__ = ["Etat", "etat_de_versement"]


@dataclass(frozen=True, slots=True)
class Etat:
    """A versement, its régie and authority, and its quittances in their order; read at
    ``read_at``, its days are those of ``zone`` (the deployment's)."""

    regie: Regie
    authority: Authority
    versement: Versement
    quittances: tuple[Quittance, ...]
    zone: tzinfo
    read_at: datetime

    @property
    def units(self) -> int:
        """The units collected: the versement's, fee and euros paid in together."""
        return sum(q.units for q in self.quittances)

    @property
    def counter_euros(self) -> int:
        """The parts the payers paid in euros at the counter, outside the versement."""
        return sum(q.euros for q in self.quittances)

    @property
    def fee(self) -> int:
        return self.versement.fee

    @property
    def euros_paid(self) -> int:
        """The euros wired to the Trésor."""
        return self.versement.euros


def etat_de_versement(
    conn: Connection, regie: Regie, versement_id: int, *, zone: tzinfo, now: datetime
) -> Etat:
    """The état of one of ``regie``'s versements."""
    versement = load_versement(conn, regie, versement_id)
    rows = conn.execute(
        select(*QUITTANCE_COLUMNS)
        .select_from(QUITTANCE_FROM)
        .where(quittances.c.versement_id == versement_id)
        .order_by(quittances.c.year, quittances.c.number)
    )
    found = tuple(quittance_from_row(row) for row in rows)
    authority = authority_by_id(conn, regie.authority_id)
    return Etat(regie, authority, versement, found, zone, now)
