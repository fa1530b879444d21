"""An account's statement as CSV: a period's postings, oldest first, with the running balance.

The columns are stable and named in English so a spreadsheet formula or a script keeps
working whatever the language: ``date, transaction, kind, memo, reference, debit, credit,
balance, currency, counterparty, gross, fee, payout``. The delimiter and the decimal
separator are the caller's choice (a French spreadsheet expects ``;`` and ``,``). Dates
are ISO 8601 in the given zone (the deployment's, ``MLC_TIME_ZONE``).

Amounts are read from the holder's side (:mod:`monnaie_locale.sides`): on the reserve's
statement a conversion's euros are a credit and the balance is what the bank holds, as on
the bank's own statement. ``counterparty`` names who paid or was paid; a reconversion's
line fills ``gross``, ``fee`` and ``payout`` (the units given back, the association's fee,
the euros wired), the other lines leave them empty.

The period is whole days in that zone, open on a side not given (no period: the whole
history). Which postings it holds, and the balance before them, are decided by
:mod:`monnaie_locale.exports.statement_rows`, as for the PDF statement: the first row's
balance less its amount is the PDF's opening balance for the same period. The rows are
read by id a chunk at a time, so a long history costs no memory.

Memos and references are typed by members. One starting with ``=``, ``+``, ``-`` or ``@``
would run as a formula when the file is opened in a spreadsheet (CSV injection), so such
text is written with a leading apostrophe, which spreadsheets show as plain text.
"""

from __future__ import annotations

import csv
from datetime import UTC, date, tzinfo
from typing import TextIO

from sqlalchemy import Connection

from monnaie_locale.exports.source import CHUNK, Progress
from monnaie_locale.exports.statement_rows import statement_movements, statement_window
from monnaie_locale.money import format_amount
from monnaie_locale.sides import holder_side

__all__ = ["STATEMENT_COLUMNS", "statement_csv"]

STATEMENT_COLUMNS = (
    "date",
    "transaction",
    "kind",
    "memo",
    "reference",
    "debit",
    "credit",
    "balance",
    "currency",
    "counterparty",
    "gross",
    "fee",
    "payout",
)


def statement_csv(
    conn: Connection,
    account: str,
    out: TextIO,
    *,
    start: date | None = None,
    end: date | None = None,
    delimiter: str = ",",
    decimal_separator: str = ".",
    zone: tzinfo = UTC,
    chunk: int = CHUNK,
    progress: Progress | None = None,
) -> int:
    """Write the statement of ``account`` from ``start`` to ``end`` (days in ``zone``,
    inclusive) to ``out``; return the number of postings."""
    window = statement_window(conn, account, start=start, end=end, zone=zone)
    currency = window.account.currency
    sign = holder_side(1, window.account)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(STATEMENT_COLUMNS)

    def money(minor_units: int) -> str:
        return format_amount(minor_units, decimal_separator=decimal_separator)

    written = 0
    for row in statement_movements(conn, window, chunk=chunk, progress=progress):
        amount, split = sign * row.amount, row.reconversion
        writer.writerow(
            (
                row.created_at.astimezone(zone).isoformat(timespec="seconds"),
                row.transaction_id,
                _cell(row.kind),
                _cell(row.memo),
                _cell(row.reference or ""),
                money(-amount) if amount < 0 else "",
                money(amount) if amount > 0 else "",
                money(sign * row.balance_after),
                currency,
                _cell(row.counterparty),
                *(
                    (money(split.gross), money(split.fee), money(split.payout))
                    if split
                    else ("",) * 3
                ),
            )
        )
        written += 1
    return written


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
