"""The books as a plain-text journal that hledger and Ledger read, to re-check them.

Its currencies and accounts declared first, then one journal transaction per ledger
transaction, in the order of
:func:`~monnaie_locale.exports.source.iter_transactions`, dated in the given zone, with
the ledger's transaction id as its code and its kind as a tag::

    commodity MLC
        ; monnaie locale
        format 1000.00 MLC

    account alice
        ; member, MLC, 467100 Adhérents - comptes en monnaie locale

    2026-11-02 * (1) Alice converts 50 € by bank transfer  ; kind:conversion
        external                       50.00 EUR
        reserve:digital               -50.00 EUR
        issuance                       50.00 MLC
        alice                         -50.00 MLC

Dates. A transaction is dated by its operation's day (the day recorded, unless the act
was given another); when the two differ, the other is the secondary date
(``2026-11-01=2026-11-02``). With balance assertions the day recorded comes first, since
the balances asserted follow the order of recording (see :func:`_dates`).

Signs are flipped: the ledger counts a credit positive, plain-text accounting counts a
debit positive. So in hledger a member's account reads negative (the association owes
it), ``reserve:digital`` reads positive (euros at the bank): each balance is the
ledger's with the opposite sign. Account codes are account names as they are (``:``
already makes the hierarchy); only runs of spaces, which would end a name, are made
single, and a leading bracket, which would make a virtual posting, is escaped.

Each account's declaration names, in a comment, the account of the association's chart of
accounts it goes to (:mod:`monnaie_locale.chart`), the number and label the FEC gives it.

Every currency is declared as a commodity and every account opened as an account, so the
journal passes both tools' strict checks (``hledger check --strict``, ``ledger --strict
--pedantic``), which refuse a name nothing declared.

With ``assertions``, each posting also asserts the account's balance right after it
(``= -37.50 MLC``) from the ledger's stored running balance, so the independent tool
checks every step, not only the totals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import TextIO

from sqlalchemy import Connection, select

from monnaie_locale.exports.account_map import AccountMap
from monnaie_locale.exports.source import (
    CHUNK,
    AccountInfo,
    ExportTransaction,
    Progress,
    iter_transactions,
)
from monnaie_locale.model import AccountKind
from monnaie_locale.money import format_amount
from monnaie_locale.store.tables import accounts, currencies

__all__ = ["JournalSummary", "account_name", "commodity", "hledger_journal"]

_NAME_WIDTH = 40


@dataclass
class JournalSummary:
    transactions: int = 0
    postings: int = 0


def account_name(code: str) -> str:
    """The plain-text journal's name for the ledger account ``code``."""
    name = " ".join(code.split())
    return "_" + name[1:] if name[:1] in "([" else name


def commodity(code: str) -> str:
    """The currency code as a commodity symbol, quoted when it holds a digit."""
    return code if code.isalpha() else f'"{code}"'


def hledger_journal(
    conn: Connection,
    out: TextIO,
    *,
    assertions: bool = False,
    zone: tzinfo = UTC,
    chunk: int = CHUNK,
    progress: Progress | None = None,
    account_map: AccountMap | None = None,
) -> JournalSummary:
    """Write every transaction of the ledger to ``out`` as a plain-text journal.

    ``account_map`` is the chart of accounts the declarations name (the built-in one
    unless given).
    """
    mapping = account_map or AccountMap()
    out.write("; The books of a local currency, exported from its ledger.\n")
    out.write("; Signs: debits positive, as in plain-text accounting (the ledger's opposite).\n\n")
    for code, name in conn.execute(
        select(currencies.c.code, currencies.c.name).order_by(currencies.c.code)
    ):
        symbol = commodity(code)
        out.write(f"commodity {symbol}\n    ; {_oneline(name)}\n    format 1000.00 {symbol}\n\n")
    # Declared, every account the books have opened, so that the tools' strict checks
    # (hledger check --strict, ledger --strict --pedantic) take none for a typo.
    for row in conn.execute(
        select(
            accounts.c.id,
            accounts.c.code,
            accounts.c.kind,
            accounts.c.currency,
            accounts.c.owner_ref,
        ).order_by(accounts.c.code)
    ):
        info = AccountInfo(row.id, row.code, AccountKind(row.kind), row.currency, row.owner_ref)
        chart = mapping.lookup(info)
        out.write(
            f"account {account_name(row.code)}\n"
            f"    ; {row.kind}, {row.currency}, {chart.number} {_oneline(chart.label)}\n"
        )
    out.write("\n")
    summary = JournalSummary()
    for transaction in iter_transactions(conn, chunk=chunk, progress=progress):
        _write_transaction(out, transaction, zone=zone, assertions=assertions)
        summary.transactions += 1
        summary.postings += len(transaction.postings)
    return summary


def _write_transaction(
    out: TextIO, transaction: ExportTransaction, *, zone: tzinfo, assertions: bool
) -> None:
    day = _dates(transaction, zone=zone, assertions=assertions)
    description = _oneline(transaction.memo or transaction.kind)
    tags = f"kind:{_tag(transaction.kind)}"
    if transaction.reverses is not None:
        tags += f", reverses:{transaction.reverses}"
    if transaction.reference:
        tags += f", reference:{_tag(transaction.reference)}"
    lines = [f"{day} * ({transaction.id}) {description}  ; {tags}"]
    for posting in transaction.postings:
        symbol = commodity(posting.account.currency)
        amount = f"{format_amount(-posting.amount)} {symbol}"
        line = f"    {account_name(posting.account.code):<{_NAME_WIDTH}}  {amount:>20}"
        if assertions:
            line += f" = {format_amount(-posting.balance_after)} {symbol}"
        lines.append(line)
    out.write("\n".join(lines) + "\n\n")


def _dates(transaction: ExportTransaction, *, zone: tzinfo, assertions: bool) -> str:
    """The transaction's date, with its other day as secondary date when they differ.

    The operation's day comes first; with assertions, the day it was recorded does:
    hledger checks assertions in date order, and the balances asserted follow the order
    of recording (``hledger --date2`` then reports by operation day).
    """
    operation = transaction.day(zone)
    recorded = transaction.created_at.astimezone(zone).date()
    first, second = (recorded, operation) if assertions else (operation, recorded)
    if first == second:
        return first.isoformat()
    return f"{first.isoformat()}={second.isoformat()}"


def _oneline(text: str) -> str:
    """Text on one line, without a ``;`` that would start a comment.

    Line breaks and tabs are flattened here whatever the text; other control characters
    (NUL, ESC...) are not: this relies on the core refusing them in memos, references and
    account codes (:func:`monnaie_locale.model.check_plain_text`).
    """
    return " ".join(text.replace(";", ",").split())


def _tag(value: str) -> str:
    # A tag's value ends at a comma.
    return re.sub(r"[,\s]+", " ", value).strip()
