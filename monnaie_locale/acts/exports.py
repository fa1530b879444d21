"""Exports of the whole books, for the accountant and for independent tools.

==================  ======================================================================
Act                 Who may do it
==================  ======================================================================
count_postings      auditors, the association's operators, administrators (for a
                    progress display)
write_fec           the same: the FEC, 18 columns, ISO-8859-15, one écriture per
                    transaction, under the association's chart of accounts, journals
                    per kind, opening balances at a period's start
write_journal       the same: a plain-text journal that hledger or Ledger re-checks
write_statement_csv anyone, for an account they may read: its postings of a period
write_statement_pdf the same, as a printable PDF between opening and closing balances
==================  ======================================================================

Each export reads one snapshot of the books (a READ ONLY, REPEATABLE READ transaction on
PostgreSQL) and writes as it reads, so a long ledger costs no memory. With a standby
(``MLC_DATABASE_READ_URL``) they read there, sparing the primary: a standby may be a
few milliseconds behind it (see :mod:`monnaie_locale.store.database`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, tzinfo
from typing import BinaryIO, Literal, TextIO

from monnaie_locale import chart, exports
from monnaie_locale.acting import Context, act
from monnaie_locale.auth.roles import EVERYONE, REPORT_READERS
from monnaie_locale.exports.source import Progress
from monnaie_locale.exports.statement_pdf import statement_pdf
from monnaie_locale.exports.statement_rows import statement_window

__all__ = [
    "count_postings",
    "write_fec",
    "write_journal",
    "write_statement_csv",
    "write_statement_pdf",
]


@act(*REPORT_READERS)
def count_postings(ctx: Context) -> int:
    """How many postings an export walks."""
    return ctx.read(exports.count_postings, replica=True)


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
    journal_code: str | None = None,
    progress: Progress | None = None,
) -> exports.FecSummary:
    """Write the FEC of the books (of the period, when given) to ``out``.

    Accounts follow the association's chart (:mod:`monnaie_locale.chart`); the one-off
    rules of ``account_map``, if any, are tried first.
    Écritures go to a journal per kind (banks, office tills, units, others), each
    numbered on its own; ``journal_code`` puts them all in that one journal.
    """
    with ctx.database.reading(replica=True) as conn:
        account_map = chart.account_map(conn, account_map)
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
    with ctx.database.reading(replica=True) as conn:
        return exports.hledger_journal(
            conn,
            out,
            assertions=assertions,
            zone=zone,
            progress=progress,
            account_map=chart.account_map(conn),
        )


@act(*EVERYONE)
def write_statement_csv(
    ctx: Context,
    code: str,
    out: TextIO,
    *,
    start: date | None,
    end: date | None,
    delimiter: str,
    decimal_separator: str,
    zone: tzinfo,
    progress: Progress | None = None,
) -> int:
    """Write the account's postings of the period as CSV; how many were written."""
    ctx.actor.check_read(code)
    with ctx.database.reading(replica=True) as conn:
        return exports.statement_csv(
            conn,
            code,
            out,
            start=start,
            end=end,
            delimiter=delimiter,
            decimal_separator=decimal_separator,
            zone=zone,
            progress=progress,
        )


@act(*EVERYONE)
def write_statement_pdf(
    ctx: Context,
    code: str,
    out: BinaryIO,
    *,
    start: date | None,
    end: date | None,
    zone: tzinfo,
    lang: Literal["fr", "en"],
    holder: str | None,
    on_total: Callable[[int], None] | None = None,
    progress: Progress | None = None,
) -> None:
    """Write the account's statement of the period as a PDF, in ``lang``.

    ``on_total`` learns how many movements the statement holds before they are written.
    """
    ctx.actor.check_read(code)
    with ctx.database.reading(replica=True) as conn:
        window = statement_window(conn, code, start=start, end=end, zone=zone)
        if on_total is not None:
            on_total(window.count)
        statement_pdf(
            conn,
            window,
            out,
            lang=lang,
            holder=holder,
            zone=zone,
            printed_at=ctx.clock(),
            progress=progress,
        )
