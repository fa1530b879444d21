"""What a versement's transfer says to the Trésor: the régie and the versement's number.

A versement is paid as a reconversion (:mod:`monnaie_locale.authorities.versements`); the
payout file (:mod:`monnaie_locale.operations.payouts`) asks here whether a payout is one,
so the public accountant reads, on the bank line, which état de versement it settles.
Kept apart from the versements themselves so the payouts read two tables, nothing more.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from monnaie_locale.store.tables_authorities import regies, versements

__all__ = ["versement_label", "versement_remittance"]


def versement_label(year: int, number: int) -> str:
    """A versement's number as printed: ``2026-0003``."""
    return f"{year}-{number:04d}"


def versement_remittance(conn: Connection, reconversion_id: int) -> str | None:
    """The remittance text of the reconversion paying a versement, or None for any other."""
    row = conn.execute(
        select(regies.c.code, regies.c.name, versements.c.year, versements.c.number)
        .join(regies, regies.c.id == versements.c.regie_id)
        .where(versements.c.reconversion_id == reconversion_id)
    ).first()
    if row is None:
        return None
    # 140 characters at most once in the SEPA set: the name is cut first.
    return f"Versement {versement_label(row.year, row.number)} regie {row.code} {row.name[:40]}"
