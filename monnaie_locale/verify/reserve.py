"""The reserve's documents: a bank statement checked against a checkpoint, offline.

When the service imports a bank statement it records the file's SHA-256, its closing
balance and day, and the ledger account the bank account backs, in a journal entry of its
own; each checkpoint then carries the latest of these per reserve account as a
``statement <account> <day> <closing> <sha-256>`` line (see
:mod:`monnaie_locale.verify.checkpoint`). The journal's chain and the Merkle tree commit
to the entry, so the reserve figure a checkpoint attests is tied to a document the bank
itself produced.

Given the checkpoint and the file the bank sent (downloaded from the bank by the auditor,
not handed over by the association), :func:`check_statement` checks that the file's
SHA-256 is on one of the checkpoint's statement lines and, for a camt.053 file, reads the
closing balance (the ``Bal`` typed ``CLBD``: its ``Amt``, ``CdtDbtInd`` and ``Dt``) from
the file itself with the standard library's XML parser and compares it with the line. A
CSV export carries no balance this module can read: for it only the hash is checked, and
:func:`information` says so.

:func:`coverage` checks the checkpoint's own totals: the circulation (digital and paper)
must not exceed the reserve. :func:`information` compares each reserve account's figure
in the checkpoint with its statement's closing balance. A difference there is no error:
payments after the statement's day move the reserve, so it is shown with both figures and
the day, for the auditor to account for.

:func:`check_statement` and :func:`coverage` return problems (empty when all holds);
:func:`information` returns lines to print as they are, which never make a check fail.

Standard library only: this module stands alone with the rest of the verifier. XML with a
document type declaration is refused (a statement never needs one, and entity declarations
are how XML bombs get in), and so are amounts with more than two decimals, as the service
refuses them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, XMLParser

from monnaie_locale.verify.checkpoint import Checkpoint, Statement

__all__ = [
    "ClosingBalance",
    "StatementFileError",
    "check_statement",
    "coverage",
    "information",
    "read_closing_balances",
]

_CAMT053 = re.compile(r"\{(urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.0[2-8])\}Document")
_AMOUNT = re.compile(r"([0-9]+)(?:\.([0-9]{1,2}))?")
_BOM = b"\xef\xbb\xbf"


class StatementFileError(ValueError):
    """A file that looks like XML but cannot be read as a camt.053 statement."""


@dataclass(frozen=True)
class ClosingBalance:
    """A statement's booked closing balance (``CLBD``), as the file gives it."""

    statement_id: str
    day: date
    closing: int  # cents, negative when the account is overdrawn


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _is_xml(content: bytes) -> bool:
    return content.removeprefix(_BOM).lstrip(b" \t\r\n").startswith(b"<")


class _NoDoctype(TreeBuilder):
    """Builds the tree, refusing a document type declaration as soon as it starts."""

    def doctype(self, name: str, pubid: str | None, system: str | None) -> None:
        raise StatementFileError("the file declares a document type, which a statement never needs")


def _parse(content: bytes) -> Element:
    parser = XMLParser(target=_NoDoctype())
    try:
        parser.feed(content)
        return parser.close()
    except ParseError as exc:
        raise StatementFileError(f"the file is not well-formed XML: {exc}") from exc


def _child(parent: Element, ns: str, path: str) -> Element | None:
    return parent.find("/".join(f"{{{ns}}}{tag}" for tag in path.split("/")))


def _text(parent: Element, ns: str, path: str) -> str:
    found = _child(parent, ns, path)
    return (found.text or "").strip() if found is not None else ""


def _closing(bal: Element, ns: str, where: str) -> tuple[date, int]:
    amount = _AMOUNT.fullmatch(_text(bal, ns, "Amt"))
    if amount is None:
        raise StatementFileError(f"{where}: the closing amount is not like 1234.56")
    cents = int(amount.group(1)) * 100 + int((amount.group(2) or "").ljust(2, "0"))
    indicator = _text(bal, ns, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise StatementFileError(f"{where}: CdtDbtInd is {indicator!r}, not CRDT or DBIT")
    # The service reads a date-time's day too: the same day either way.
    when = _text(bal, ns, "Dt/Dt") or _text(bal, ns, "Dt/DtTm")[:10]
    try:
        day = date.fromisoformat(when)
    except ValueError as exc:
        raise StatementFileError(f"{where}: the closing day {when!r} is not a date") from exc
    return day, cents if indicator == "CRDT" else -cents


def read_closing_balances(content: bytes) -> list[ClosingBalance]:
    """The booked closing balance of each statement (``Stmt``) of a camt.053 file.

    Raises :class:`StatementFileError` when the file is not a camt.053 document, or a
    closing balance cannot be read.
    """
    root = _parse(content)
    match = _CAMT053.fullmatch(root.tag)
    if match is None:
        raise StatementFileError(f"the root element {root.tag!r} is not a camt.053 Document")
    ns = match.group(1)
    found = []
    for number, stmt in enumerate(root.iterfind(f"{{{ns}}}BkToCstmrStmt/{{{ns}}}Stmt"), 1):
        statement_id = _text(stmt, ns, "Id") or f"Stmt[{number}]"
        for bal in stmt.iterfind(f"{{{ns}}}Bal"):
            if _text(bal, ns, "Tp/CdOrPrtry/Cd") == "CLBD":
                day, closing = _closing(bal, ns, f"statement {statement_id}")
                found.append(ClosingBalance(statement_id, day, closing))
    return found


def _lines_of(checkpoint: Checkpoint, content: bytes) -> list[Statement]:
    digest = _digest(content)
    return [line for line in checkpoint.statements if line.file_hash == digest]


def check_statement(checkpoint: Checkpoint, content: bytes) -> list[str]:
    """What is wrong with the bank's file ``content`` as the document of ``checkpoint``'s
    reserve: empty when its SHA-256 is on one of the checkpoint's statement lines and, for
    a camt.053 file, the closing balance read from the file is the line's, on its day."""
    lines = _lines_of(checkpoint, content)
    if not lines:
        return [
            f"the file's SHA-256 {_digest(content)} is on none of the checkpoint's "
            f"{len(checkpoint.statements)} statement lines: it is not the document the "
            "checkpoint's reserve rests on, or it was changed"
        ]
    if not _is_xml(content):
        return []  # a CSV export: the hash is all there is to check (see information)
    try:
        balances = read_closing_balances(content)
    except StatementFileError as exc:
        return [str(exc)]
    problems = []
    for line in lines:
        if any(b.day == line.day and b.closing == line.closing for b in balances):
            continue
        read = ", ".join(f"{_money(b.closing)} on {b.day.isoformat()}" for b in balances)
        problems.append(
            f"the checkpoint's statement line for {line.account} says {_money(line.closing)} "
            f"on {line.day.isoformat()}; the file's closing balance is "
            f"{read or 'missing (no CLBD balance)'}"
        )
    return problems


def coverage(checkpoint: Checkpoint) -> list[str]:
    """What is wrong with the checkpoint's coverage: empty when the circulation (digital
    and paper) does not exceed the reserve's total."""
    if checkpoint.circulation <= checkpoint.reserve_total:
        return []
    short = checkpoint.circulation - checkpoint.reserve_total
    return [
        f"circulation {_money(checkpoint.circulation)} (digital {_money(checkpoint.digital)}, "
        f"paper {_money(checkpoint.paper)}) exceeds the reserve "
        f"{_money(checkpoint.reserve_total)} by {_money(short)}"
    ]


def information(checkpoint: Checkpoint, content: bytes | None = None) -> list[str]:
    """Lines for the auditor, never a failure: each reserve account's figure in the
    checkpoint beside its statement's closing balance, and, given the bank's file, which
    line it is and whether its balance could be read from it."""
    said = []
    if content is not None:
        for line in _lines_of(checkpoint, content):
            said.append(
                f"the file is the statement of {line.account} closing on {line.day.isoformat()}"
            )
            if not _is_xml(content):
                said.append(
                    "the file is not camt.053 XML (a CSV export): only its SHA-256 was "
                    "checked; its closing balance was not read from it"
                )
    for line in checkpoint.statements:
        said.append(_beside(checkpoint, line))
    return said


def _beside(checkpoint: Checkpoint, line: Statement) -> str:
    day = line.day.isoformat()
    figure = checkpoint.reserve.get(line.account)
    if figure is None:
        return (
            f"{line.account}: the checkpoint gives no reserve figure; the bank's statement "
            f"of {day} closed at {_money(line.closing)}"
        )
    if figure == line.closing:
        return (
            f"{line.account}: the checkpoint's reserve {_money(figure)} is the closing "
            f"balance of the bank's statement of {day}"
        )
    return (
        f"{line.account}: the checkpoint's reserve is {_money(figure)}, the bank's statement "
        f"of {day} closed at {_money(line.closing)} (a difference of "
        f"{_money(figure - line.closing)}: payments after {day} move the reserve)"
    )
