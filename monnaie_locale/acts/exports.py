"""Exports of the whole books, for the accountant and for independent tools.

==================  ======================================================================
Act                 Who may do it
==================  ======================================================================
count_postings      auditors, the association's operators, administrators (for a
                    progress display)
write_fec           the same: the FEC, 18 columns, ISO-8859-15, one écriture per
                    transaction
write_journal       the same: a plain-text journal that hledger or Ledger re-checks
==================  ======================================================================

Each export reads one snapshot of the books (a READ ONLY, REPEATABLE READ transaction on
PostgreSQL) and writes as it reads, so a long ledger costs no memory.
"""

from __future__ import annotations

from datetime import date, tzinfo
from typing import BinaryIO, TextIO

from monnaie_locale import exports
from monnaie_locale.acting import Context, act
from monnaie_locale.auth.roles import REPORT_READERS
from monnaie_locale.exports.source import Progress

__all__ = ["count_postings", "write_fec", "write_journal"]


@act(*REPORT_READERS)
def count_postings(ctx: Context) -> int:
    """How many postings an export walks."""
    return ctx.read(exports.count_postings)


@act(*REPORT_READERS)
def write_fec(
    ctx: Context,
    out: BinaryIO,
    *,
    separator: str,
    zone: tzinfo,
    start: date | None,
    end: date | None,
    account_map: exports.AccountMap,
    journal_code: str,
    progress: Progress | None = None,
) -> exports.FecSummary:
    """Write the FEC of the books (of the period, when given) to ``out``."""
    with ctx.database.reading() as conn:
        return exports.fec(
            conn,
            out,
            separator=separator,
            zone=zone,
            start=start,
            end=end,
            account_map=account_map,
            journal_code=journal_code,
            progress=progress,
        )


@act(*REPORT_READERS)
def write_journal(
    ctx: Context,
    out: TextIO,
    *,
    assertions: bool,
    zone: tzinfo,
    progress: Progress | None = None,
) -> exports.JournalSummary:
    """Write the books as a plain-text journal to ``out``."""
    with ctx.database.reading() as conn:
        return exports.hledger_journal(
            conn, out, assertions=assertions, zone=zone, progress=progress
        )
