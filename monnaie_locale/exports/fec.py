"""The FEC (fichier des écritures comptables, LPF art. A47 A-1) for the accountant.

One écriture per ledger transaction, one line per posting. The 18 columns, in the order
the law sets, are in :data:`FEC_COLUMNS`; the file has a header line, ``|`` (or tab)
separators, dates as ``YYYYMMDD``, amounts with a decimal comma, lines end with CR LF (the
text accepts either or both), and the file is encoded in ISO-8859-15. Characters that
encoding lacks are replaced by their unaccented form (or ``?``), and separators or line
breaks inside text are replaced by spaces, so no field can shift the columns. Its name is
``<SIREN>FEC<closing date>.txt`` (:func:`fec_file_name`).

Journals. Each écriture goes to one journal, by the first of these rules its postings
meet (:func:`journal_of`):

1. a bank account of the association: ``reserve:digital`` → ``BQ1``, ``reserve:notes`` →
   ``BQ2``, ``association:operating`` → ``BQ3`` (the first of them in that order);
2. an exchange office's till ``office:<id>:till`` → ``CA-<id>`` (its cash journal);
3. only local-unit postings (payments between holders, notes moving between the vault,
   offices and the public) → ``ML``;
4. anything else (cash in transit, till counts, corrections in euros) → ``OD``.

There is no sales journal: a conversion is no sale (the association exchanges euros for
a debt, its units), and the only income in it, a reconversion fee, rides on the bank
écriture that pays the reconversion. So conversions and reconversions are in the bank or
cash journal their euros go through. Asked for one journal code (``journal_code``), every
écriture goes to that journal instead.

Numbering. ``EcritureNum`` runs 1, 2, 3... without gaps *within each journal* (the pair
``JournalCode``, ``EcritureNum`` names an écriture), in the order of
:func:`~monnaie_locale.exports.source.iter_transactions`, the order of recording, which
is also the order of validation the administration asks entries in.

Dates. ``EcritureDate`` and ``PieceDate`` are the operation's day (given to the act that
moved the money, else the day it was recorded, in ``zone``); ``ValidDate`` is the day it
was recorded. A period (``start``, ``end``) selects écritures by operation day.

Opening balances. A FEC whose period starts after the books' first écriture opens with
an "à nouveaux" écriture (journal ``AN``, dated ``start``): every balance-sheet account
(classes 1 to 5) with its balance at the start, and the result of what came before on
the classes 6 and 7: the exercice just ended (from the day after the year-end closing
before it, ``mlc period close --year-end``, or the last twelve months when there is
none), awaiting its allocation, on 120 (excédent) or 129 (déficit), anything older on 110
(report à nouveau créditeur) or 119 (débiteur). So the file balances alone, and the year's
figures start where the previous year's FEC ended.

Currencies. The books are kept in euros. The local unit is at parity (one unit is one
euro), so its postings enter the euro columns at the same amount and also give it in
``Montantdevise`` with the unit's code in ``Idevise``: the accountant sees which lines
are units (the association's debt to their holders, backed euro for euro) rather than
euros, without another column or file. Each transaction balances in each currency, so
every écriture balances, and so does the file: total debit = total credit.

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
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta, tzinfo
from typing import BinaryIO, NamedTuple

from sqlalchemy import Connection

from monnaie_locale.exports.account_map import AccountMap, MappedAccount
from monnaie_locale.exports.source import CHUNK, ExportTransaction, Progress, iter_transactions
from monnaie_locale.ledger.periods import closed_through
from monnaie_locale.money import format_amount

__all__ = [
    "BANK_JOURNALS",
    "FEC_COLUMNS",
    "FEC_ENCODING",
    "FecSummary",
    "fec",
    "fec_file_name",
    "journal_of",
]

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

# Bank accounts, in the order that picks an écriture's journal: code, label.
BANK_JOURNALS: dict[str, tuple[str, str]] = {
    "reserve:digital": ("BQ1", "Banque - fonds de garantie numérique"),
    "reserve:notes": ("BQ2", "Banque - fonds de garantie billets"),
    "association:operating": ("BQ3", "Banque - compte de fonctionnement"),
}
UNIT_JOURNAL = ("ML", "Monnaie locale - mouvements en unités")
MISC_JOURNAL = ("OD", "Opérations diverses")
OPENING_JOURNAL = ("AN", "À nouveaux")
_TILL_PREFIX, _TILL_SUFFIX = "office:", ":till"

# Where the result of the classes 6 and 7 is carried at the opening: (credit, debit).
RESULT_ACCOUNTS = (
    MappedAccount("120000", "Résultat de l'exercice (excédent)"),
    MappedAccount("129000", "Résultat de l'exercice (déficit)"),
)
CARRIED_ACCOUNTS = (
    MappedAccount("110000", "Report à nouveau (solde créditeur)"),
    MappedAccount("119000", "Report à nouveau (solde débiteur)"),
)


@dataclass
class FecSummary:
    """What was written: écritures, lines, the totals that must be equal, and how many
    écritures each journal holds (the opening one included)."""

    entries: int = 0
    lines: int = 0
    debit: int = 0
    credit: int = 0
    journals: dict[str, int] = field(default_factory=dict)


def fec_file_name(siren: str | None, closing: date | None) -> str:
    """``<SIREN>FEC<yyyymmdd>.txt``, the name the administration expects (closing date:
    the period's last day); what is unknown is left out."""
    day = "" if closing is None else f"{closing:%Y%m%d}"
    return f"{siren or ''}FEC{day}.txt"


def journal_of(transaction: ExportTransaction) -> tuple[str, str]:
    """The journal (code, label) of ``transaction``, by the rules in the module's docstring."""
    codes = [posting.account.code for posting in transaction.postings]
    for bank, journal in BANK_JOURNALS.items():
        if bank in codes:
            return journal
    for code in codes:
        if code.startswith(_TILL_PREFIX) and code.endswith(_TILL_SUFFIX):
            office = code[len(_TILL_PREFIX) : -len(_TILL_SUFFIX)]
            return f"CA-{office}", f"Caisse du comptoir {office}"
    if all(posting.account.currency != BOOK_CURRENCY for posting in transaction.postings):
        return UNIT_JOURNAL
    return MISC_JOURNAL


def fec(
    conn: Connection,
    out: BinaryIO,
    *,
    separator: str = "|",
    zone: tzinfo = UTC,
    start: date | None = None,
    end: date | None = None,
    account_map: AccountMap | None = None,
    journal_code: str | None = None,
    journal_label: str = "Monnaie locale",
    chunk: int = CHUNK,
    progress: Progress | None = None,
) -> FecSummary:
    """Write the FEC of the transactions dated ``start`` to ``end`` (inclusive, in ``zone``).

    With ``start``, the file opens with the balances carried forward to it (a first
    pass over what came before); ``journal_code`` puts every écriture in that one journal.
    """
    if separator not in ("|", "\t"):
        raise ValueError("the FEC separator is '|' or a tab")
    mapping = account_map or AccountMap()
    summary = FecSummary()
    writer = _LineWriter(out, separator)
    writer.write(FEC_COLUMNS)
    single = None if journal_code is None else (journal_code, journal_label)
    if start is not None:
        opening = _Opening.before(conn, start, zone=zone, mapping=mapping, chunk=chunk)
        opening.write(writer, summary, start)
    for transaction in iter_transactions(conn, chunk=chunk, progress=progress):
        day = transaction.day(zone)
        if (start is not None and day < start) or (end is not None and day > end):
            continue
        if _cancels(transaction, mapping):
            continue
        journal = single or journal_of(transaction)
        number = summary.journals.get(journal[0], 0) + 1
        summary.journals[journal[0]] = number
        summary.entries += 1
        _write_entry(writer, transaction, day, zone, number, summary, mapping, journal)
    return summary


class _Line(NamedTuple):
    account: MappedAccount
    currency: str


class _Opening:
    """The balances carried forward to a period's first day, by FEC account."""

    def __init__(self) -> None:
        self.balances: dict[_Line, int] = defaultdict(int)
        self.result = 0  # classes 6 and 7 of the twelve months before the start
        self.carried = 0  # classes 6 and 7 of anything older

    @classmethod
    def before(
        cls, conn: Connection, start: date, *, zone: tzinfo, mapping: AccountMap, chunk: int
    ) -> _Opening:
        opening = cls()
        year_before = _exercice_start(conn, start)
        for transaction in iter_transactions(conn, chunk=chunk):
            day = transaction.day(zone)
            if day >= start:
                continue
            for posting in transaction.postings:
                account = mapping.lookup(posting.account)
                if account.number[0] in "67":
                    if day >= year_before:
                        opening.result += posting.amount
                    else:
                        opening.carried += posting.amount
                else:
                    opening.balances[_Line(account, posting.account.currency)] += posting.amount
        return opening

    def lines(self) -> list[tuple[_Line, int]]:
        """(line, balance) of the opening écriture, credits positive, sorted by account."""
        found = [(line, balance) for line, balance in self.balances.items() if balance]
        found.sort(key=lambda item: (item[0].account.number, item[0].account.aux_number))
        for amount, (credit, debit) in (
            (self.carried, CARRIED_ACCOUNTS),
            (self.result, RESULT_ACCOUNTS),
        ):
            if amount:
                found.append((_Line(credit if amount > 0 else debit, BOOK_CURRENCY), amount))
        return found

    def write(self, writer: _LineWriter, summary: FecSummary, start: date) -> None:
        lines = self.lines()
        if not lines:
            return
        stamp = start.strftime("%Y%m%d")
        code, label = OPENING_JOURNAL
        summary.entries += 1
        summary.journals[code] = 1
        for line, balance in lines:
            _write_line(
                writer,
                summary,
                journal=(code, label),
                number=1,
                day=stamp,
                account=line.account,
                piece="AN",
                label=f"À nouveaux au {start:%d/%m/%Y}",
                amount=balance,
                currency=line.currency,
                valid=stamp,
            )


def _exercice_start(conn: Connection, start: date) -> date:
    """The first day of the exercice that ends the day before ``start``: the day after
    the year-end closing before it, if the books were closed so, else twelve months
    before ``start``."""
    previous = closed_through(conn, year_end=True, before=start - timedelta(days=1))
    return previous + timedelta(days=1) if previous is not None else _year_before(start)


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _write_entry(
    writer: _LineWriter,
    transaction: ExportTransaction,
    day: date,
    zone: tzinfo,
    number: int,
    summary: FecSummary,
    mapping: AccountMap,
    journal: tuple[str, str],
) -> None:
    stamp = day.strftime("%Y%m%d")
    valid = transaction.created_at.astimezone(zone).strftime("%Y%m%d")
    label = transaction.memo or transaction.kind
    piece = transaction.reference or str(transaction.id)
    for posting in transaction.postings:
        _write_line(
            writer,
            summary,
            journal=journal,
            number=number,
            day=stamp,
            account=mapping.lookup(posting.account),
            piece=piece,
            label=label,
            amount=posting.amount,
            currency=posting.account.currency,
            valid=valid,
        )


def _write_line(
    writer: _LineWriter,
    summary: FecSummary,
    *,
    journal: tuple[str, str],
    number: int,
    day: str,
    account: MappedAccount,
    piece: str,
    label: str,
    amount: int,
    currency: str,
    valid: str,
) -> None:
    """One FEC line: ``amount`` credits the account when positive, debits it otherwise."""
    sep = writer.separator
    debit = -amount if amount < 0 else 0
    credit = amount if amount > 0 else 0
    foreign = currency != BOOK_CURRENCY
    writer.write(
        (
            _text(journal[0], sep),
            _text(journal[1], sep),
            str(number),
            day,
            account.number,
            _text(account.label, sep),
            _text(account.aux_number, sep),
            _text(account.aux_label, sep),
            _text(piece, sep),
            day,
            _text(label, sep),
            _amount(debit),
            _amount(credit),
            "",
            "",
            valid,
            _amount(abs(amount)) if foreign else "",
            currency if foreign else "",
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
