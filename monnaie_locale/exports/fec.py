"""The FEC (fichier des écritures comptables, LPF art. A47 A-1) for the accountant.

One écriture per ledger transaction, numbered 1, 2, 3... without gaps in the order of
:func:`~monnaie_locale.exports.source.iter_transactions`; one line per posting. The 18
columns, in the order the law sets, are in :data:`FEC_COLUMNS`; the file has a header
line, ``|`` (or tab) separators, dates as ``YYYYMMDD``, amounts with a decimal comma,
lines end with CR LF (the text accepts either or both), and the file is encoded in
ISO-8859-15. Characters that encoding lacks are replaced by their
unaccented form (or ``?``), and separators or line breaks inside text are replaced by
spaces, so no field can shift the columns.

Currencies. The books are kept in euros. The local unit is at parity (one unit is one
euro), so its postings enter the euro columns at the same amount and also give it in
``Montantdevise`` with the unit's code in ``Idevise``. Each transaction balances in each
currency, so every écriture balances, and so does the file: total debit = total credit.

Accounts come from an :class:`~monnaie_locale.exports.account_map.AccountMap`. A posting
that credits a ledger account (positive amount) goes in ``Credit``, one that debits it
in ``Debit``: the ledger's sign is already the accountant's.

An écriture whose lines all cancel per account (each chart account, with its auxiliary,
debited as much as credited) is left out: it moves nothing in the books. Printing notes
(``issuance`` to ``notes:vault``) and moving unsold notes between the vault and the
offices are such transactions, the issuing machinery and the note stocks sharing one
liaison account in the chart (see :mod:`monnaie_locale.exports.account_map`). The
numbering stays without gaps: only the écritures written are numbered.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, tzinfo
from typing import BinaryIO

from sqlalchemy import Connection

from monnaie_locale.exports.account_map import AccountMap
from monnaie_locale.exports.source import CHUNK, ExportTransaction, Progress, iter_transactions
from monnaie_locale.money import format_amount

__all__ = ["FEC_COLUMNS", "FEC_ENCODING", "FecSummary", "fec"]

FEC_COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)
FEC_ENCODING = "iso-8859-15"
BOOK_CURRENCY = "EUR"


@dataclass
class FecSummary:
    """What was written: écritures, lines, and the totals that must be equal."""

    entries: int = 0
    lines: int = 0
    debit: int = 0
    credit: int = 0


def fec(
    conn: Connection,
    out: BinaryIO,
    *,
    separator: str = "|",
    zone: tzinfo = UTC,
    start: date | None = None,
    end: date | None = None,
    account_map: AccountMap | None = None,
    journal_code: str = "ML",
    journal_label: str = "Monnaie locale",
    chunk: int = CHUNK,
    progress: Progress | None = None,
) -> FecSummary:
    """Write the FEC of the transactions dated ``start`` to ``end`` (inclusive, in ``zone``)."""
    if separator not in ("|", "\t"):
        raise ValueError("the FEC separator is '|' or a tab")
    mapping = account_map or AccountMap()
    summary = FecSummary()
    writer = _LineWriter(out, separator)
    writer.write(FEC_COLUMNS)
    journal = (_text(journal_code, separator), _text(journal_label, separator))
    for transaction in iter_transactions(conn, chunk=chunk, progress=progress):
        day = transaction.created_at.astimezone(zone).date()
        if (start is not None and day < start) or (end is not None and day > end):
            continue
        if _cancels(transaction, mapping):
            continue
        summary.entries += 1
        _write_entry(writer, transaction, day, summary, mapping, journal)
    return summary


def _write_entry(
    writer: _LineWriter,
    transaction: ExportTransaction,
    day: date,
    summary: FecSummary,
    mapping: AccountMap,
    journal: tuple[str, str],
) -> None:
    stamp = day.strftime("%Y%m%d")
    label = _text(transaction.memo or transaction.kind, writer.separator)
    piece = _text(transaction.reference or str(transaction.id), writer.separator)
    for posting in transaction.postings:
        account = mapping.lookup(posting.account)
        debit = -posting.amount if posting.amount < 0 else 0
        credit = posting.amount if posting.amount > 0 else 0
        foreign = posting.account.currency != BOOK_CURRENCY
        writer.write(
            (
                *journal,
                str(summary.entries),
                stamp,
                account.number,
                _text(account.label, writer.separator),
                _text(account.aux_number, writer.separator),
                _text(account.aux_label, writer.separator),
                piece,
                stamp,
                label,
                _amount(debit),
                _amount(credit),
                "",
                "",
                stamp,
                _amount(abs(posting.amount)) if foreign else "",
                posting.account.currency if foreign else "",
            )
        )
        summary.lines += 1
        summary.debit += debit
        summary.credit += credit


def _cancels(transaction: ExportTransaction, mapping: AccountMap) -> bool:
    """Whether every chart account of ``transaction`` is debited as much as credited."""
    net: dict[tuple[str, str], int] = {}
    for posting in transaction.postings:
        account = mapping.lookup(posting.account)
        key = (account.number, account.aux_number)
        net[key] = net.get(key, 0) + posting.amount
    return not any(net.values())


def _amount(minor_units: int) -> str:
    return format_amount(minor_units, decimal_separator=",")


def _text(value: str, separator: str) -> str:
    """``value`` made safe for one FEC field in ISO-8859-15.

    The separator and every kind of whitespace (tab, CR, LF, U+2028...) become one space
    here whatever the text, so the 18 columns hold even for rows stored before the core
    refused control characters. The other control characters (NUL, ESC...) are not
    removed: this relies on the core refusing them in memos, references, account codes and
    owner references (:func:`monnaie_locale.model.check_plain_text`).
    """
    flat = " ".join(value.replace(separator, " ").split())
    try:
        flat.encode(FEC_ENCODING)
        return flat
    except UnicodeEncodeError:
        return "".join(_latin9_char(char) for char in flat)


def _latin9_char(char: str) -> str:
    try:
        char.encode(FEC_ENCODING)
        return char
    except UnicodeEncodeError:
        base = unicodedata.normalize("NFKD", char)
        kept = "".join(c for c in base if not unicodedata.combining(c))
        try:
            kept.encode(FEC_ENCODING)
        except UnicodeEncodeError:
            return "?"
        return kept or "?"


class _LineWriter:
    def __init__(self, out: BinaryIO, separator: str) -> None:
        self.out = out
        self.separator = separator

    def write(self, fields: tuple[str, ...]) -> None:
        self.out.write((self.separator.join(fields) + "\r\n").encode(FEC_ENCODING))
