"""What the public accountant receives: a régie's or an authority's statement of a year.

===================  ===================================================================
Act                  Who may do it
===================  ===================================================================
regie_statement      the régisseur of that régie, the finance officer and the public
                     accountant (comptable) of its authority; the association; the auditor
authority_statement  the finance officer and the comptable of that authority; the
                     association; the auditor
===================  ===================================================================

A mandataire collects at the counter but does not receive the régie's accounts; the
ordonnateur's side proposes expenses and reads them through the comptable. Each
statement is read from one snapshot of the books, and refused whole when its rows and
the ledger do not tie (:class:`~monnaie_locale.authorities.year_statement.StatementMismatch`).
:func:`statement_csv`, :func:`statement_pdf` and :func:`statement_tables` write a
statement already given, for the edges.
"""

from __future__ import annotations

from typing import Literal

from monnaie_locale.acting import Context, act
from monnaie_locale.auth.roles import REPORT_READERS, Role
from monnaie_locale.authorities import duties, registry
from monnaie_locale.authorities.year_statement import (
    YearStatement,
    authority_year_statement,
    regie_year_statement,
)
from monnaie_locale.authorities.year_statement_csv import year_statement_csv
from monnaie_locale.authorities.year_statement_pdf import year_statement_pdf
from monnaie_locale.authorities.year_statement_text import (
    AMOUNT_COLUMNS,
    YEAR_LABELS,
    Section,
    sections,
)

__all__ = [
    "AMOUNT_COLUMNS",
    "AUTHORITY_READERS",
    "REGIE_READERS",
    "YEAR_LABELS",
    "Section",
    "YearStatement",
    "authority_statement",
    "regie_statement",
    "statement_csv",
    "statement_pdf",
    "statement_tables",
]

# The duties that receive the statements.
REGIE_READERS = ("regisseur", *duties.FINANCE_READERS)
AUTHORITY_READERS = duties.FINANCE_READERS
_ROLES = (Role.AUTHORITY_AGENT, *REPORT_READERS)


@act(*_ROLES)
def regie_statement(ctx: Context, regie: str, year: int) -> YearStatement:
    """The régie's statement of ``year``: opening balance, quittances, versements, closing."""
    with ctx.database.reading() as conn:
        found = registry.regie_by_code(conn, regie)
        duties.check_regie_duty(conn, ctx.actor, found, REGIE_READERS, reading=True)
        return regie_year_statement(conn, found, year, zone=ctx.deployment.zone, now=ctx.clock())


@act(*_ROLES)
def authority_statement(ctx: Context, authority: str, year: int) -> YearStatement:
    """The statement of ``year`` of the authority's own account: mandates and movements."""
    with ctx.database.reading() as conn:
        found = registry.authority_by_code(conn, authority)
        duties.check_authority_duty(conn, ctx.actor, found, AUTHORITY_READERS, reading=True)
        return authority_year_statement(
            conn, found, year, zone=ctx.deployment.zone, now=ctx.clock()
        )


def statement_csv(statement: YearStatement, *, style: Literal["fr", "en"] = "fr") -> bytes:
    """The statement as CSV: ``fr`` writes ``;`` and decimal commas, ``en`` ``,`` and points."""
    delimiter, decimal = (";", ",") if style == "fr" else (",", ".")
    return year_statement_csv(statement, delimiter=delimiter, decimal_separator=decimal)


def statement_pdf(statement: YearStatement, *, lang: Literal["fr", "en"] = "fr") -> bytes:
    """The statement as a PDF, labelled in ``lang``."""
    return year_statement_pdf(statement, lang=lang)


def statement_tables(
    statement: YearStatement, *, lang: Literal["fr", "en"] = "fr"
) -> list[Section]:
    """The statement's tables as text in ``lang`` (labels in :data:`YEAR_LABELS`), as the
    PDF prints them."""
    return sections(statement, lang)
