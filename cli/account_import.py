"""Opening accounts in bulk from a CSV file: every line checked, then all written or none.

The file is the usual export of a membership tool: a header line naming the columns
(``code, kind, currency, owner, lower_limit``, optionally ``upper_limit``), comma or
semicolon separated (spreadsheets set to French write semicolons), in UTF-8 unless told
otherwise. Checking reads the whole file before anything is written and collects every
problem with its line (the header is line 1), so one dry run shows all there is to fix.
The accounts are then opened in a single database transaction: a failure half-way (an
account opened meanwhile by someone else) rolls back every one of them.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from cli.messages import Lang, Messages
from monnaie_locale.clock import utc_now
from monnaie_locale.errors import InvalidAmount
from monnaie_locale.ledger import accounts
from monnaie_locale.model import AccountKind
from monnaie_locale.money import parse_amount
from monnaie_locale.store import Database
from monnaie_locale.store.tables import accounts as accounts_table
from monnaie_locale.store.tables import currencies

if TYPE_CHECKING:
    from _csv import Reader

__all__ = [
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "AccountRow",
    "ImportOutcome",
    "ImportProblem",
    "import_accounts",
    "read_rows",
]

REQUIRED_COLUMNS = ("code", "kind", "currency", "owner", "lower_limit")
OPTIONAL_COLUMNS = ("upper_limit",)
_LOOKUP_CHUNK = 500

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One thing wrong with the file, where it is, and a message key to explain it."""

    line: int
    column: str | None
    key: str
    fields: dict[str, object] = field(default_factory=dict)

    def text(self, lang: Lang) -> str:
        return Messages(lang)(f"import.p.{self.key}", **self.fields)


@dataclass(frozen=True, slots=True)
class AccountRow:
    line: int
    code: str
    kind: AccountKind
    currency: str
    owner: str | None
    lower_limit: int | None
    upper_limit: int | None


@dataclass
class ImportOutcome:
    rows: int = 0
    problems: list[ImportProblem] = field(default_factory=list)


def import_accounts(
    database: Database,
    path: Path,
    *,
    encoding: str = "utf-8",
    dry_run: bool = False,
    progress: Progress | None = None,
    on_total: Callable[[int], None] | None = None,
) -> ImportOutcome:
    """Check ``path``; unless it has problems or ``dry_run``, open all its accounts."""
    known = set(database.read(lambda conn: conn.execute(select(currencies.c.code)).scalars().all()))
    rows, problems = read_rows(
        path, encoding=encoding, currencies=known, progress=progress, on_total=on_total
    )
    problems += database.read(lambda conn: _already_in_ledger(conn, rows))
    problems.sort(key=lambda p: p.line)
    outcome = ImportOutcome(rows=len(rows), problems=problems)
    if problems or dry_run:
        return outcome
    database.write(lambda conn: _open_all(conn, rows, progress=progress))
    return outcome


def _open_all(conn: Connection, rows: list[AccountRow], *, progress: Progress | None) -> None:
    now = utc_now()
    for done, row in enumerate(rows, start=1):
        accounts.open_account(
            conn,
            row.code,
            kind=row.kind,
            currency=row.currency,
            now=now,
            owner_ref=row.owner,
            lower_limit=row.lower_limit,
            upper_limit=row.upper_limit,
        )
        if progress is not None:
            progress(done)


def _already_in_ledger(conn: Connection, rows: list[AccountRow]) -> list[ImportProblem]:
    problems = []
    for start in range(0, len(rows), _LOOKUP_CHUNK):
        chunk = {row.code: row for row in rows[start : start + _LOOKUP_CHUNK]}
        taken = conn.execute(
            select(accounts_table.c.code).where(accounts_table.c.code.in_(chunk))
        ).scalars()
        problems += [
            ImportProblem(chunk[code].line, "code", "exists", {"value": code}) for code in taken
        ]
    return problems


def read_rows(
    path: Path,
    *,
    encoding: str,
    currencies: set[str],
    progress: Progress | None = None,
    on_total: Callable[[int], None] | None = None,
) -> tuple[list[AccountRow], list[ImportProblem]]:
    """Parse and check every line of ``path`` without touching the database."""
    text, problem = _decode(path.read_bytes(), encoding)
    if problem is not None:
        return [], [problem]
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        return [], [ImportProblem(1, None, "empty")]
    if on_total is not None:
        on_total(len(lines) - 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(lines[0]))
    header = [name.strip().lower() for name in next(reader)]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        required = ", ".join(REQUIRED_COLUMNS)
        return [], [
            ImportProblem(1, name, "missing_column", {"column": name, "required": required})
            for name in missing
        ]
    checker = _RowChecker(header=header, currencies=currencies)
    for done, (line, values) in enumerate(_records(reader), start=1):
        checker.check(line, values)
        if progress is not None:
            progress(done)
    return checker.rows, checker.problems


def _decode(data: bytes, encoding: str) -> tuple[str, ImportProblem | None]:
    try:
        codec = codecs.lookup(encoding)
    except LookupError:
        return "", ImportProblem(1, None, "bad_encoding_name", {"encoding": encoding})
    # A byte-order mark, which spreadsheets add to "CSV UTF-8", is not part of the header.
    name = "utf-8-sig" if codec.name == "utf-8" else codec.name
    try:
        return data.decode(name), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = f"0x{data[exc.start]:02X}"
        return "", ImportProblem(line, None, "encoding", {"encoding": encoding, "byte": byte})


def _delimiter(header_line: str) -> str:
    return max((";", ",", "\t"), key=header_line.count)


def _records(reader: Reader) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank record with the line it starts on (quoted fields may span lines)."""
    line_num = reader.line_num
    for values in reader:
        start = line_num + 1
        line_num = reader.line_num
        if any(value.strip() for value in values):
            yield start, values


@dataclass
class _RowChecker:
    header: list[str]
    currencies: set[str]
    rows: list[AccountRow] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    first_line: dict[str, int] = field(default_factory=dict)

    def problem(self, line: int, column: str | None, key: str, **fields: object) -> None:
        self.problems.append(ImportProblem(line, column, key, dict(fields)))

    def check(self, line: int, values: list[str]) -> None:
        if len(values) != len(self.header):
            self.problem(line, None, "fields", found=len(values), expected=len(self.header))
            return
        record = dict(zip(self.header, values, strict=True))
        before = len(self.problems)
        code = self._code(line, record["code"])
        kind = self._kind(line, record["kind"].strip())
        currency = record["currency"].strip()
        if currency not in self.currencies:
            allowed = ", ".join(sorted(self.currencies))
            self.problem(line, "currency", "currency", value=currency, allowed=allowed)
        lower = self._limit(line, "lower_limit", record["lower_limit"], empty=0)
        upper = self._limit(line, "upper_limit", record.get("upper_limit", ""), empty=None)
        if isinstance(lower, int) and lower > 0:
            self.problem(line, "lower_limit", "lower_positive")
        if isinstance(upper, int) and upper < 0:
            self.problem(line, "upper_limit", "upper_negative")
        if len(self.problems) > before or code is None or kind is None:
            return
        owner = record["owner"].strip() or None
        self.rows.append(
            AccountRow(line, code, kind, currency, owner, _limit_value(lower), _limit_value(upper))
        )

    def _code(self, line: int, code: str) -> str | None:
        if not code or len(code) > 120 or code != code.strip():
            self.problem(line, "code", "code", value=code)
            return None
        if code in self.first_line:
            self.problem(line, "code", "duplicate", value=code, first=self.first_line[code])
            return None
        self.first_line[code] = line
        return code

    def _kind(self, line: int, kind: str) -> AccountKind | None:
        try:
            return AccountKind(kind)
        except ValueError:
            allowed = ", ".join(str(k) for k in AccountKind)
            self.problem(line, "kind", "kind", value=kind, allowed=allowed)
            return None

    def _limit(self, line: int, column: str, text: str, *, empty: int | None) -> int | str | None:
        """The limit, ``None`` for no limit, or the text itself when it is no amount."""
        cleaned = text.strip()
        if not cleaned:
            return empty
        if cleaned.lower() == "none":
            return None
        try:
            if cleaned.startswith("-"):
                return -parse_amount(cleaned[1:])
            return parse_amount(cleaned)
        except InvalidAmount:
            self.problem(line, column, "number", value=text)
            return text


def _limit_value(value: int | str | None) -> int | None:
    return value if isinstance(value, int) else None
