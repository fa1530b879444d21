"""Reading a bank's CSV export into a `BankStatement`.

Every bank lays its CSV out its own way, so the layout is data: a `CsvFormat` names the
delimiter, the encoding, the date format, the decimal separator and the columns. A file gives
either one signed amount column or a debit and a credit column. `FRENCH_BANK` is the layout of
French online banking exports: `;` between fields, `1 234,56` amounts, `31/01/2026` dates,
Windows-1252 text (UTF-8 is recognised by its byte order mark).

The parse is all or nothing: the first bad field raises `MalformedStatement` naming the line
(counting from 1, header included, as a spreadsheet shows it) and the column.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from monnaie_locale.bank.errors import MalformedStatement, StatementEncodingError
from monnaie_locale.bank.iban import validate_iban
from monnaie_locale.bank.statement import (
    BankStatement,
    StatementLine,
    decimal_to_cents,
    fingerprint,
    number_occurrences,
)

_UTF8_NAMES = {"utf-8", "utf-8-sig"}


@dataclass(frozen=True, slots=True, kw_only=True)
class CsvFormat:
    """The layout of one bank's CSV export. Column names match case-insensitively."""

    date_column: str
    label_column: str
    amount_column: str | None = None
    debit_column: str | None = None
    credit_column: str | None = None
    value_date_column: str | None = None
    bank_reference_column: str | None = None
    delimiter: str = ","
    encoding: str = "utf-8"
    date_format: str = "%Y-%m-%d"
    decimal_separator: str = "."
    thousands_separators: str = ""
    skip_lines: int = 0
    """Lines before the header (account number, period) that some banks print first."""

    def __post_init__(self) -> None:
        split = self.debit_column is not None and self.credit_column is not None
        if (self.amount_column is None) == (not split):
            raise ValueError("give either amount_column or both debit_column and credit_column")
        codecs.lookup(self.encoding)  # an unknown encoding fails here, not on the first file


FRENCH_BANK = CsvFormat(
    date_column="Date",
    value_date_column="Date de valeur",
    label_column="Libellé",
    debit_column="Débit",
    credit_column="Crédit",
    bank_reference_column="Référence",
    delimiter=";",
    encoding="cp1252",
    date_format="%d/%m/%Y",
    decimal_separator=",",
    # French exports group thousands with a space, often a no-break or narrow no-break one.
    thousands_separators=" \u00a0\u202f",
)


def parse_csv_statement(
    content: bytes,
    *,
    csv_format: CsvFormat = FRENCH_BANK,
    account_iban: str | None = None,
    currency: str = "EUR",
    statement_id: str | None = None,
) -> BankStatement:
    """Parse a CSV export of the account `account_iban`, all or nothing."""
    iban = validate_iban(account_iban) if account_iban is not None else None
    rows = _rows(_decode(content, csv_format.encoding), csv_format)
    header_line, header = next(rows, (0, []))
    columns = _Columns(header, header_line, csv_format)
    lines = [_line(row, line_number, columns, csv_format) for line_number, row in rows]
    digest = fingerprint(content)
    return BankStatement(
        statement_id=statement_id or f"csv:{digest[:16]}",
        account_iban=iban,
        currency=currency,
        lines=number_occurrences(lines),
        fingerprint=digest,
    )


def _decode(content: bytes, encoding: str) -> str:
    if content.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"  # a byte order mark settles the question
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        raise StatementEncodingError(
            f"line {line}",
            f"byte 0x{content[exc.start]:02X} is not valid {encoding}: the file is in another "
            "encoding (cp1252 or ISO-8859-15 for most French exports); set CsvFormat.encoding",
            expected_encoding=encoding,
        ) from exc
    if codecs.lookup(encoding).name not in _UTF8_NAMES and _is_utf8(content):
        # Accented UTF-8 decodes "successfully" as cp1252 into "Ã©": refuse the garbled text.
        first = next(i for i, byte in enumerate(content) if byte >= 0x80)
        line = content.count(b"\n", 0, first) + 1
        raise StatementEncodingError(
            f"line {line}",
            f"the file is UTF-8 without a byte order mark, not {encoding}: "
            "set CsvFormat.encoding to 'utf-8'",
            expected_encoding=encoding,
        )
    return text


def _is_utf8(content: bytes) -> bool:
    if content.isascii():
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _rows(text: str, csv_format: CsvFormat) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, fields) for the header and each non-blank data row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_format.delimiter)
    try:
        for row in reader:
            if reader.line_num > csv_format.skip_lines and any(f.strip() for f in row):
                yield reader.line_num, row
    except csv.Error as exc:
        raise MalformedStatement(f"line {reader.line_num}", f"not CSV: {exc}") from exc


class _Columns:
    """The index of each configured column in the header, found once."""

    def __init__(self, header: Sequence[str], line: int, csv_format: CsvFormat) -> None:
        self.names = [name.strip() for name in header]
        folded = [name.casefold() for name in self.names]
        self.index: dict[str, int] = {}
        wanted = (
            csv_format.date_column,
            csv_format.label_column,
            csv_format.amount_column,
            csv_format.debit_column,
            csv_format.credit_column,
            csv_format.value_date_column,
            csv_format.bank_reference_column,
        )
        for name in wanted:
            if name is None:
                continue
            if name.casefold() not in folded:
                raise MalformedStatement(
                    f"line {max(line, 1)}, column {name!r}",
                    f"missing column {name!r}; the header has {self.names!r} "
                    f"(is the delimiter {csv_format.delimiter!r} right?)",
                )
            self.index[name] = folded.index(name.casefold())

    def get(self, row: Sequence[str], name: str | None) -> str:
        if name is None:
            return ""
        position = self.index[name]
        return row[position].strip() if position < len(row) else ""


def _line(row: list[str], line: int, columns: _Columns, fmt: CsvFormat) -> StatementLine:
    def at(column: str) -> str:
        return f"line {line}, column {column!r}"

    booking = _date(columns.get(row, fmt.date_column), fmt, at=at(fmt.date_column))
    value_text = columns.get(row, fmt.value_date_column)
    value = _date(value_text, fmt, at=at(str(fmt.value_date_column))) if value_text else None
    return StatementLine(
        booking_date=booking,
        value_date=value,
        amount_cents=_amount(row, columns, fmt, at=at),
        remittance=columns.get(row, fmt.label_column),
        bank_reference=columns.get(row, fmt.bank_reference_column) or None,
    )


def _amount(row: list[str], columns: _Columns, fmt: CsvFormat, *, at: Callable[[str], str]) -> int:
    if fmt.amount_column is not None:
        text = columns.get(row, fmt.amount_column)
        return _cents(text, fmt, at=at(fmt.amount_column))
    debit_name, credit_name = str(fmt.debit_column), str(fmt.credit_column)
    debit, credit = columns.get(row, debit_name), columns.get(row, credit_name)
    if bool(debit) == bool(credit):
        raise MalformedStatement(
            at(f"{debit_name}/{credit_name}"), "exactly one of debit and credit must be filled"
        )
    if credit:
        return abs(_cents(credit, fmt, at=at(credit_name)))
    # Banks differ on whether a debit is written "12,50" or "-12,50"; both mean money out.
    return -abs(_cents(debit, fmt, at=at(debit_name)))


def _cents(text: str, fmt: CsvFormat, *, at: str) -> int:
    if not text:
        raise MalformedStatement(at, "the amount is empty")
    try:
        return decimal_to_cents(
            text,
            decimal_separator=fmt.decimal_separator,
            thousands_separators=fmt.thousands_separators,
        )
    except ValueError as exc:
        raise MalformedStatement(at, str(exc)) from exc


def _date(text: str, fmt: CsvFormat, *, at: str) -> date:
    try:
        return datetime.strptime(text, fmt.date_format).date()
    except ValueError as exc:
        readable = fmt.date_format.replace("%d", "DD").replace("%m", "MM").replace("%Y", "YYYY")
        raise MalformedStatement(at, f"{text!r} is not a date like {readable}") from exc
