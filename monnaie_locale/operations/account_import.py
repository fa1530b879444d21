"""Opening accounts in bulk from a CSV file: every line checked, then all written or none.

The file is the usual export of a membership tool: a header line naming the columns
(``code, kind, currency, owner, lower_limit``, optionally ``upper_limit`` and
``display_name``), comma or semicolon separated (spreadsheets set to French write
semicolons), in UTF-8 unless told otherwise. Checking reads the whole file before
anything is written and collects every problem with its line (the header is line 1), so
one dry run shows all there is to fix. The accounts are then opened in a single database
transaction: a failure half-way (an account opened meanwhile by someone else) rolls back
every one of them. A file imported twice is refused the second time, line by line: its
codes are taken.

What a line may open follows the importer's rights
(:class:`~monnaie_locale.operations.account_opening.OpeningRights`): an association
operator imports holder accounts in the local unit under the deployment's limits; the
administrator more. An empty ``upper_limit`` is the
deployment's highest balance for the kind (none unless it sets one), as when opening one
account; ``none`` is no limit.

A problem is a value (line, column, a key and its fields): the command line words it in
its user's language, the API sends :attr:`ImportProblem.message`.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol, TypeVar

from sqlalchemy import Connection, select

from monnaie_locale.deployment import Deployment
from monnaie_locale.errors import InvalidAmount, InvalidRequest
from monnaie_locale.ledger import accounts
from monnaie_locale.model import (
    MAX_REFERENCE,
    Account,
    AccountKind,
    check_account_code,
    check_display_name,
    check_plain_text,
)
from monnaie_locale.money import parse_amount
from monnaie_locale.operations.account_opening import (
    SET_UP_KINDS,
    OpeningRights,
)
from monnaie_locale.store.tables import accounts as accounts_table
from monnaie_locale.store.tables import currencies

if TYPE_CHECKING:
    from _csv import Reader

__all__ = [
    "MESSAGES",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "AccountRow",
    "ImportOutcome",
    "ImportProblem",
    "ImportRules",
    "Transactions",
    "import_accounts",
    "read_rows",
]

REQUIRED_COLUMNS = ("code", "kind", "currency", "owner", "lower_limit")
OPTIONAL_COLUMNS = ("upper_limit", "display_name")
_LOOKUP_CHUNK = 500

Progress = Callable[[int], None]
T = TypeVar("T")


class Transactions(Protocol):
    """Where the import reads and writes: a database, or an actor's context."""

    def read(self, query: Callable[[Connection], T]) -> T: ...

    def write(self, work: Callable[[Connection], T]) -> T: ...


# Each problem's words, in English; the command line has them in French too.
MESSAGES: Mapping[str, str] = {
    "encoding": "the file is not {encoding}: byte {byte} cannot be read. Save it as UTF-8 "
    '("CSV UTF-8" in a spreadsheet) or give its encoding, such as latin-1.',
    "bad_encoding_name": "unknown encoding {encoding!r}; for example utf-8, latin-1, cp1252.",
    "empty": "the file is empty; its first line must name the columns.",
    "malformed": "the file cannot be read as CSV: {reason}.",
    "missing_column": "column {column!r} is missing; the header must name {required}.",
    "fields": "{found} field(s) where the header has {expected}.",
    "code": "invalid code {value!r}: 1 to 120 characters without outer spaces.",
    "duplicate": "code {value!r} already appears on line {first}.",
    "exists": "an account {value!r} already exists in the ledger.",
    "kind": "unknown kind {value!r}; one of: {allowed}.",
    "kind_set_up": "{value} accounts are opened by the deployment's set-up, never imported.",
    "kind_forbidden": "only the administrator opens {value} accounts; you may import: {allowed}.",
    "currency": "unknown currency {value!r}; the ledger has: {allowed}.",
    "currency_forbidden": "only the administrator opens accounts in {value}; write {unit}.",
    "number": "invalid amount {value!r}: write for example 0, -20.00 or none.",
    "lower_positive": "a lower limit above zero would refuse the first deposit.",
    "upper_negative": "an upper limit below zero would refuse the opening balance.",
    "limit_forbidden": "only the administrator sets limits; leave lower_limit at 0 and "
    "upper_limit empty.",
    "text": "{reason}.",
}


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One thing wrong with the file, where it is, and a key (of :data:`MESSAGES`) to explain it."""

    line: int
    column: str | None
    key: str
    fields: dict[str, object] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return MESSAGES[self.key].format(**self.fields)


@dataclass(frozen=True, slots=True)
class AccountRow:
    """One line of the file, checked: the account it opens."""

    line: int
    code: str
    kind: AccountKind
    currency: str
    owner: str | None
    lower_limit: int | None
    upper_limit: int | None
    display_name: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportRules:
    """What the importer may open, and the local unit and upper limits its rights refer to."""

    rights: OpeningRights
    unit: str | None = None
    upper_limits: Mapping[AccountKind, int] = field(default_factory=dict)

    @classmethod
    def of(cls, rights: OpeningRights, deployment: Deployment) -> ImportRules:
        return cls(rights=rights, unit=deployment.unit.code, upper_limits=deployment.max_balance)


@dataclass
class ImportOutcome:
    """The checked lines, the problems found, and the accounts opened (none on a dry run)."""

    rows: list[AccountRow] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    opened: list[Account] = field(default_factory=list)


def import_accounts(
    database: Transactions,
    data: bytes,
    *,
    now: datetime,
    rules: ImportRules,
    encoding: str = "utf-8",
    dry_run: bool = False,
    progress: Progress | None = None,
    on_total: Callable[[int], None] | None = None,
) -> ImportOutcome:
    """Check the CSV ``data``; unless it has problems or ``dry_run``, open all its accounts.

    The file is read outside any write transaction, so a long one holds no other writer
    back; the codes it names are looked up, then every account opened, in one transaction.
    """
    known = set(database.read(lambda conn: conn.execute(select(currencies.c.code)).scalars().all()))
    rows, problems = read_rows(
        data, encoding=encoding, currencies=known, rules=rules, progress=progress, on_total=on_total
    )
    problems += database.read(lambda conn: _already_in_ledger(conn, rows))
    problems.sort(key=lambda p: p.line)
    outcome = ImportOutcome(rows=rows, problems=problems)
    if problems or dry_run:
        return outcome
    outcome.opened = database.write(lambda conn: _open_all(conn, rows, now=now, progress=progress))
    return outcome


def _open_all(
    conn: Connection, rows: list[AccountRow], *, now: datetime, progress: Progress | None
) -> list[Account]:
    opened = []
    for done, row in enumerate(rows, start=1):
        opened.append(
            accounts.open_account(
                conn,
                row.code,
                kind=row.kind,
                currency=row.currency,
                now=now,
                owner_ref=row.owner,
                lower_limit=row.lower_limit,
                upper_limit=row.upper_limit,
                display_name=row.display_name,
            )
        )
        if progress is not None:
            progress(done)
    return opened


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
    data: bytes,
    *,
    encoding: str,
    currencies: Collection[str],
    rules: ImportRules,
    progress: Progress | None = None,
    on_total: Callable[[int], None] | None = None,
) -> tuple[list[AccountRow], list[ImportProblem]]:
    """Parse and check every line of ``data`` without touching the database."""
    text, problem = _decode(data, encoding)
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
    checker = _RowChecker(header=header, currencies=set(currencies), rules=rules)
    try:
        for done, (line, values) in enumerate(_records(reader), start=1):
            checker.check(line, values)
            if progress is not None:
                progress(done)
    except csv.Error as exc:
        # A field beyond the csv module's size limit, say: nothing after it can be trusted.
        checker.problem(reader.line_num, None, "malformed", reason=str(exc))
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
        byte = f"0x{data[exc.start]:02X}" if exc.start < len(data) else "at the end"
        return "", ImportProblem(line, None, "encoding", {"encoding": encoding, "byte": byte})
    except (LookupError, UnicodeError):
        # A codec that is no text encoding (base64, rot13...) or cannot decode bytes at all.
        return "", ImportProblem(1, None, "bad_encoding_name", {"encoding": encoding})


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
    rules: ImportRules
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
        currency = self._currency(line, record["currency"].strip())
        lower = self._limit(line, "lower_limit", record["lower_limit"], empty=0)
        upper_default = self.rules.upper_limits.get(kind) if kind is not None else None
        upper = self._limit(line, "upper_limit", record.get("upper_limit", ""), empty=upper_default)
        if isinstance(lower, int) and lower > 0:
            self.problem(line, "lower_limit", "lower_positive")
        if isinstance(upper, int) and upper < 0:
            self.problem(line, "upper_limit", "upper_negative")
        if not self.rules.rights.own_limits and kind is not None:
            for column, value, usual in (
                ("lower_limit", lower, 0),
                ("upper_limit", upper, upper_default),
            ):
                if not isinstance(value, str) and value != usual:
                    self.problem(line, column, "limit_forbidden")
        owner = self._text(line, "owner", record["owner"].strip() or None)
        name = self._text(line, "display_name", record.get("display_name", "").strip() or None)
        if len(self.problems) > before or code is None or kind is None:
            return
        self.rows.append(
            AccountRow(
                line,
                code,
                kind,
                currency,
                owner,
                _limit_value(lower),
                _limit_value(upper),
                name,
            )
        )

    def _code(self, line: int, code: str) -> str | None:
        try:
            check_account_code(code)
        except InvalidRequest:
            self.problem(line, "code", "code", value=code)
            return None
        if code in self.first_line:
            self.problem(line, "code", "duplicate", value=code, first=self.first_line[code])
            return None
        self.first_line[code] = line
        return code

    def _kind(self, line: int, text: str) -> AccountKind | None:
        try:
            kind = AccountKind(text)
        except ValueError:
            allowed = ", ".join(str(k) for k in AccountKind)
            self.problem(line, "kind", "kind", value=text, allowed=allowed)
            return None
        rights = self.rules.rights
        if kind in rights.kinds:
            return kind
        if kind in SET_UP_KINDS:
            self.problem(line, "kind", "kind_set_up", value=str(kind))
        else:
            allowed = ", ".join(str(k) for k in AccountKind if k in rights.kinds)
            self.problem(line, "kind", "kind_forbidden", value=str(kind), allowed=allowed)
        return None

    def _currency(self, line: int, currency: str) -> str:
        if currency not in self.currencies:
            allowed = ", ".join(sorted(self.currencies))
            self.problem(line, "currency", "currency", value=currency, allowed=allowed)
        elif not self.rules.rights.any_currency and currency != self.rules.unit:
            self.problem(
                line, "currency", "currency_forbidden", value=currency, unit=self.rules.unit
            )
        return currency

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

    def _text(self, line: int, column: str, value: str | None) -> str | None:
        """An owner reference or a display name, held to the core's rules for either."""
        if value is None:
            return None
        try:
            if column == "display_name":
                return check_display_name(value)
            return check_plain_text(value, "owner reference", max_length=MAX_REFERENCE)
        except InvalidRequest as exc:
            self.problem(line, column, "text", reason=exc.message)
            return None


def _limit_value(value: int | str | None) -> int | None:
    return value if isinstance(value, int) else None
