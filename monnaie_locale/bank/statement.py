"""A bank statement as the parsers hand it over: immutable values, amounts in euro cents.

The association reads its euro reserve from the bank's statements. Whatever the file format
(ISO 20022 camt.053, a CSV export), a parser yields one `BankStatement` holding
`StatementLine`s. A line's amount is a signed integer of cents: positive when money comes in
(a member's conversion), negative when it goes out (a reconversion payout).

Two digests make imports idempotent: `BankStatement.fingerprint` identifies a file already
imported, and `StatementLine.line_id` identifies a line already booked even when it comes back
in another, overlapping, export.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date


@dataclass(frozen=True, slots=True, kw_only=True)
class StatementLine:
    """One booked movement on the bank account.

    `occurrence` tells apart lines that are identical in every field (two members wiring the
    same amount with the same label on the same day, in a file without bank references): the
    first is 0, the next 1, and so on, in file order.
    """

    booking_date: date
    amount_cents: int
    value_date: date | None = None
    remittance: str = ""
    creditor_reference: str | None = None
    end_to_end_id: str | None = None
    counterparty_name: str | None = None
    counterparty_iban: str | None = None
    bank_reference: str | None = None
    occurrence: int = 0

    def __post_init__(self) -> None:
        # bool is an int subclass and a float may sneak in from a spreadsheet: refuse both.
        if type(self.amount_cents) is not int:
            raise TypeError(f"amount_cents must be an int, got {self.amount_cents!r}")

    @property
    def line_id(self) -> str:
        """A stable identifier for idempotent import.

        The bank's own reference (AcctSvcrRef) when it gave one; otherwise a digest of the
        fields, so the same line read again from another export gets the same id.
        """
        if self.bank_reference:
            return f"ref:{self.bank_reference}"
        fields = (
            self.booking_date.isoformat(),
            self.value_date.isoformat() if self.value_date else "",
            str(self.amount_cents),
            self.remittance,
            self.creditor_reference or "",
            self.end_to_end_id or "",
            self.counterparty_name or "",
            self.counterparty_iban or "",
            str(self.occurrence),
        )
        # The unit separator cannot appear in bank text, so no two field lists join alike.
        digest = hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()
        return f"sha256:{digest[:32]}"


@dataclass(frozen=True, slots=True, kw_only=True)
class BankStatement:
    """A statement of one account: its balances, when the file gives them, and its lines.

    `fingerprint` is the SHA-256 of the file's bytes: a file imported twice has the same one.
    """

    statement_id: str
    account_iban: str | None
    currency: str
    lines: tuple[StatementLine, ...]
    fingerprint: str
    opening_balance_cents: int | None = None
    opening_date: date | None = None
    closing_balance_cents: int | None = None
    closing_date: date | None = None

    @property
    def total_cents(self) -> int:
        """The net movement of the statement: incoming minus outgoing."""
        return sum(line.amount_cents for line in self.lines)


def fingerprint(content: bytes) -> str:
    """Return the digest identifying a statement file by its exact bytes."""
    return hashlib.sha256(content).hexdigest()


def number_occurrences(lines: Iterable[StatementLine]) -> tuple[StatementLine, ...]:
    """Set `occurrence` on lines identical in every field, in file order."""
    seen: Counter[StatementLine] = Counter()
    numbered = []
    for line in lines:
        key = replace(line, occurrence=0)
        numbered.append(replace(line, occurrence=seen[key]))
        seen[key] += 1
    return tuple(numbered)


def decimal_to_cents(
    text: str, *, decimal_separator: str = ".", thousands_separators: str = ""
) -> int:
    """Parse a decimal amount such as ``1234.56``, ``-12,5`` or ``1 234,56`` into cents.

    Never goes through a float. At most two decimals are accepted: a third one would be a
    fraction of a cent, which a euro account cannot hold, so it is refused rather than rounded.
    Thousands separators are accepted only between groups of three digits.

    Raises ValueError with the reason when `text` is not such an amount.
    """
    pattern = _amount_pattern(decimal_separator, thousands_separators)
    match = pattern.fullmatch(text.strip())
    if match is None:
        decimals = text.strip().rpartition(decimal_separator)[2]
        if decimal_separator in text and decimals.isdigit() and len(decimals) > 2:
            raise ValueError(f"{text!r} has {len(decimals)} decimals; at most 2 are allowed")
        raise ValueError(f"{text!r} is not an amount like 1234{decimal_separator}56")
    sign, units, fraction = match.group("sign"), match.group("units"), match.group("cents")
    for separator in thousands_separators:
        units = units.replace(separator, "")
    cents = int(units) * 100 + int((fraction or "").ljust(2, "0"))
    return -cents if sign == "-" else cents


def _amount_pattern(decimal_separator: str, thousands_separators: str) -> re.Pattern[str]:
    if len(decimal_separator) != 1 or decimal_separator in thousands_separators:
        raise ValueError("the decimal separator must be one character, not a thousands one")
    grouped = ""
    if thousands_separators:
        group = f"[{re.escape(thousands_separators)}]"
        grouped = rf"\d{{1,3}}(?:{group}\d{{3}})+|"
    decimals = rf"(?:{re.escape(decimal_separator)}(?P<cents>\d{{1,2}}))?"
    # ASCII only: \d would otherwise accept digits of other scripts.
    return re.compile(rf"(?P<sign>[+-])?(?P<units>{grouped}\d+){decimals}", re.ASCII)
