"""An account's statement as CSV: every posting, oldest first, with the running balance.

The columns are stable and named in English so a spreadsheet formula or a script keeps
working whatever the language: ``date, transaction, kind, memo, reference, debit, credit,
balance, currency``. The delimiter and the decimal separator are the caller's choice
(a French spreadsheet expects ``;`` and ``,``). Dates are ISO 8601 in the given zone.
Postings are read by id a chunk at a time, so a long history costs no memory.

Memos and references are typed by members. One starting with ``=``, ``+``, ``-`` or ``@``
would run as a formula when the file is opened in a spreadsheet (CSV injection), so such
text is written with a leading apostrophe, which spreadsheets show as plain text.
"""

from __future__ import annotations

import csv
from datetime import UTC, tzinfo
from typing import TextIO

from sqlalchemy import Connection, select

from monnaie_locale.clock import as_utc
from monnaie_locale.exports.source import CHUNK, Progress
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.money import format_amount
from monnaie_locale.store.tables import postings, transactions

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
)


def statement_csv(
    conn: Connection,
    account: str,
    out: TextIO,
    *,
    delimiter: str = ",",
    decimal_separator: str = ".",
    zone: tzinfo = UTC,
    chunk: int = CHUNK,
    progress: Progress | None = None,
) -> int:
    """Write the statement of ``account`` to ``out``; return the number of postings."""
    found = get_account(conn, account)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(STATEMENT_COLUMNS)

    def money(minor_units: int) -> str:
        return format_amount(minor_units, decimal_separator=decimal_separator)

    after, written = 0, 0
    while True:
        rows = conn.execute(
            select(
                postings.c.id,
                postings.c.transaction_id,
                postings.c.amount,
                postings.c.balance_after,
                postings.c.created_at,
                transactions.c.kind,
                transactions.c.memo,
                transactions.c.reference,
            )
            .join(transactions, transactions.c.id == postings.c.transaction_id)
            .where(postings.c.account_id == found.id, postings.c.id > after)
            .order_by(postings.c.id)
            .limit(chunk)
        ).all()
        if not rows:
            return written
        for row in rows:
            writer.writerow(
                (
                    as_utc(row.created_at).astimezone(zone).isoformat(timespec="seconds"),
                    row.transaction_id,
                    _cell(row.kind),
                    _cell(row.memo),
                    _cell(row.reference or ""),
                    money(-row.amount) if row.amount < 0 else "",
                    money(row.amount) if row.amount > 0 else "",
                    money(row.balance_after),
                    found.currency,
                )
            )
        written += len(rows)
        after = rows[-1].id
        if progress is not None:
            progress(written)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
