"""The checkpoint's text: a C2SP tlog-checkpoint body carrying the totals it attests.

The first three lines are the format's own (c2sp.org/tlog-checkpoint): the origin (the
log's name), the tree size in decimal without leading zeros, the root hash in standard
base64. Extension lines follow, each ``<word> <values>``, in this order:

::

    time 2026-12-07T09:00:00Z          when the service made it (UTC)
    unit MLC                           the local unit's code
    issued 1250000                     units issued, in minor units
    circulation digital 1100000        units held in accounts (members, businesses, ...)
    circulation paper 150000           notes in the public's hands
    reserve reserve:digital 1100000    the euro reserve, one line per account (cents)
    liabilities <base64 root> <sum>    the Merkle sum tree of holders' balances
    statement <account> <day> <closing> <sha-256 hex>
                                       a bank statement recorded in the journal: its
                                       closing balance (cents), day and file hash

Amounts are integers in minor units, never negative except where a balance is; account
codes hold no space; reserve lines come sorted by account, each account once. Lines a
reader does not know are refused, and so is any other spelling of a value (a time or a
day not in the form above, a number with leading zeros, base64 with stray bits), so one
checkpoint has one text and says exactly what it says.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

__all__ = ["Checkpoint", "CheckpointError", "Statement", "format_checkpoint", "parse_checkpoint"]

_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_SIGNED = re.compile(r"0|-?[1-9][0-9]*")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_TIME = "%Y-%m-%dT%H:%M:%SZ"


class CheckpointError(ValueError):
    """A checkpoint text that breaks the format; ``reason`` names the line and the rule."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Statement:
    """A bank statement the journal recorded: the reserve figure's document."""

    account: str
    day: date
    closing: int
    file_hash: str


@dataclass(frozen=True)
class Checkpoint:
    """What a checkpoint attests."""

    origin: str
    size: int
    root: bytes
    time: datetime
    unit: str
    issued: int
    digital: int
    paper: int
    reserve: dict[str, int] = field(default_factory=dict)
    liabilities_root: bytes | None = None
    liabilities_sum: int | None = None
    statements: tuple[Statement, ...] = ()

    @property
    def circulation(self) -> int:
        return self.digital + self.paper

    @property
    def reserve_total(self) -> int:
        return sum(self.reserve.values())


def format_checkpoint(cp: Checkpoint) -> str:
    """The checkpoint's text, ending with a newline, ready to be signed."""
    if not cp.origin or "\n" in cp.origin:
        raise CheckpointError("the origin is one non-empty line")
    lines = [
        cp.origin,
        str(cp.size),
        base64.b64encode(cp.root).decode(),
        "time " + cp.time.astimezone(UTC).strftime(_TIME),
        "unit " + _word(cp.unit, "the unit"),
        f"issued {cp.issued}",
        f"circulation digital {cp.digital}",
        f"circulation paper {cp.paper}",
    ]
    for code, amount in sorted(cp.reserve.items()):
        _word(code, "a reserve account")
        lines.append(f"reserve {code} {amount}")
    if cp.liabilities_root is not None:
        root = base64.b64encode(cp.liabilities_root).decode()
        lines.append(f"liabilities {root} {cp.liabilities_sum}")
    for st in cp.statements:
        _word(st.account, "a statement's account")
        lines.append(f"statement {st.account} {st.day.isoformat()} {st.closing} {st.file_hash}")
    return "\n".join(lines) + "\n"


def _word(value: str, what: str) -> str:
    if not value or any(ch.isspace() for ch in value):
        raise CheckpointError(f"{what} is one word: {value!r}")
    return value


def _int(text: str, line: int, *, signed: bool = False) -> int:
    if not (_SIGNED if signed else _DECIMAL).fullmatch(text):
        raise CheckpointError(f"line {line}: {text!r} is not a decimal number")
    return int(text)


def _hash(text: str, line: int) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError as exc:  # binascii.Error, or a non-ASCII character
        raise CheckpointError(f"line {line}: a hash is standard base64") from exc
    if len(raw) != 32 or base64.b64encode(raw).decode() != text:
        raise CheckpointError(f"line {line}: a hash is 32 bytes in canonical base64")
    return raw


def _day(text: str, line: int) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise CheckpointError(f"line {line}: {text!r} is not a day") from exc
    if day.isoformat() != text:  # fromisoformat also reads 20261207 and 2026-W49-1
        raise CheckpointError(f"line {line}: a day is YYYY-MM-DD")
    return day


def parse_checkpoint(text: str) -> Checkpoint:
    """Read a checkpoint's text (the note text, signatures already split off)."""
    if not text.endswith("\n"):
        raise CheckpointError("a checkpoint's text ends with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 8:
        raise CheckpointError("a checkpoint has an origin, a size, a root and its totals")
    origin = lines[0]
    if not origin:
        raise CheckpointError("line 1: the origin is not empty")
    size, root = _int(lines[1], 2), _hash(lines[2], 3)
    fields: dict[str, tuple[int, str]] = {}
    liabilities: tuple[bytes, int] | None = None
    reserve: dict[str, int] = {}
    statements: list[Statement] = []
    expected = ["time", "unit", "issued", "circulation digital", "circulation paper"]
    for number, line in enumerate(lines[3:], start=4):
        words = line.split(" ")
        if expected:
            head = expected.pop(0)
            width = len(head.split(" "))
            if " ".join(words[:width]) != head or len(words) != width + 1:
                raise CheckpointError(f"line {number}: expected '{head} <value>'")
            fields[head] = (number, words[width])
            continue
        if words[0] == "reserve" and len(words) == 3 and liabilities is None:
            if statements:
                raise CheckpointError(f"line {number}: reserve lines come before statements")
            _word(words[1], "a reserve account")
            if reserve and words[1] <= list(reserve)[-1]:
                raise CheckpointError(f"line {number}: reserve accounts come once each, sorted")
            reserve[words[1]] = _int(words[2], number, signed=True)
        elif words[0] == "liabilities" and len(words) == 3 and liabilities is None:
            if statements:
                raise CheckpointError(f"line {number}: liabilities come before statements")
            liabilities = (_hash(words[1], number), _int(words[2], number))
        elif words[0] == "statement" and len(words) == 5:
            _word(words[1], "a statement's account")
            day = _day(words[2], number)
            if not _HEX64.fullmatch(words[4]):
                raise CheckpointError(f"line {number}: a file hash is 64 lowercase hex digits")
            statements.append(
                Statement(words[1], day, _int(words[3], number, signed=True), words[4])
            )
        else:
            raise CheckpointError(f"line {number}: unknown or misplaced line {line!r}")
    when_line, when = fields["time"]
    try:
        moment = datetime.strptime(when, _TIME).replace(tzinfo=UTC)
    except ValueError as exc:
        raise CheckpointError(f"line {when_line}: a time is {_TIME}") from exc
    if moment.strftime(_TIME) != when:  # strptime takes "2026-1-7T9:0:0Z" too
        raise CheckpointError(f"line {when_line}: a time is {_TIME}, zero-padded")
    unit_line, unit = fields["unit"]
    if not unit or any(ch.isspace() for ch in unit):
        raise CheckpointError(f"line {unit_line}: the unit is one word")

    def amount(head: str) -> int:
        number, value = fields[head]
        return _int(value, number, signed=True)

    return Checkpoint(
        origin=origin,
        size=size,
        root=root,
        time=moment,
        unit=unit,
        issued=amount("issued"),
        digital=amount("circulation digital"),
        paper=amount("circulation paper"),
        reserve=reserve,
        liabilities_root=None if liabilities is None else liabilities[0],
        liabilities_sum=None if liabilities is None else liabilities[1],
        statements=tuple(statements),
    )
