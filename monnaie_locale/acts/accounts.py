"""Accounts: opening them (one by one or from a file), reading them, and the association's
hand on them (renaming, freezing, closing).

Who opens what is :mod:`monnaie_locale.operations.account_opening`'s rule: operators open
holder accounts under the deployment's limits, the administrator also the association's
and the exchange offices', in either currency, with limits of their own; system accounts
come from the deployment's set-up only. A holder reads only the accounts they hold; the
roles that read every account read any. Reading is checked before the account is looked
up, so a holder cannot probe which codes exist.

================  ========================================================================
Act               Who may do it
================  ========================================================================
open_account      the association's operators (holder accounts, the deployment's limits)
                  and administrators (any kind but system, any currency, any limits)
import_accounts   the same, line by line, all or nothing
list_accounts     anyone: the accounts they hold (readers of every account: all)
find_accounts     the readers of every account: those whose code, name or owner holds a text
get_account       anyone, for an account they hold (readers of every account: any)
statement         the same: a page of the account's postings, newest first
statement_export  the same: a period of the postings, as CSV
balance_as_of     the same: the balance at a past moment
rename            the association's operators and administrators
freeze            the same
unfreeze          the same
close             the same, for an empty account
================  ========================================================================
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Literal, TextIO

from sqlalchemy import Connection

from monnaie_locale import directory, exports
from monnaie_locale.acting import Act, Context, act
from monnaie_locale.admin_log import Logged
from monnaie_locale.auth.roles import EVERYONE, OPERATORS, SEES_ALL_ACCOUNTS
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger import accounts, history
from monnaie_locale.model import Account, AccountKind, AccountStatus
from monnaie_locale.operations import account_import
from monnaie_locale.operations.account_opening import (
    Limits,
    default_limits,
    open_managed_account,
    rights_of,
)
from monnaie_locale.rules import in_force

__all__ = [
    "ACCOUNT_MANAGERS",
    "USUAL",
    "Limit",
    "StatementExport",
    "StatusChange",
    "Usual",
    "balance_as_of",
    "close",
    "find_accounts",
    "freeze",
    "get_account",
    "import_accounts",
    "list_accounts",
    "open_account",
    "rename",
    "statement",
    "statement_export",
    "unfreeze",
]

# Opening and closing accounts is the association's decision.
ACCOUNT_MANAGERS = OPERATORS
# A change of one account's status, logged with its code (monnaie_locale.admin_log).
_ACCOUNT = Logged(target="code")


class Usual(enum.Enum):
    """A limit not given: the deployment's for the kind (see :func:`default_limits`)."""

    LIMIT = "usual"


USUAL = Usual.LIMIT
Limit = int | None | Literal[Usual.LIMIT]
"""A lowest or highest balance: an amount, ``None`` for no limit, or :data:`USUAL`."""


@act(
    *ACCOUNT_MANAGERS,
    logged=Logged(
        target="code",
        fields=(
            "kind",
            "currency",
            "lower_limit",
            "upper_limit",
            "owner_ref",
            "category",
            "display_name",
        ),
    ),
)
def open_account(
    ctx: Context,
    code: str,
    *,
    kind: AccountKind,
    currency: str | None = None,
    lower_limit: Limit = USUAL,
    upper_limit: Limit = USUAL,
    owner_ref: str | None = None,
    category: str | None = None,
    display_name: str | None = None,
) -> Account:
    """Open ``code`` empty, in the local unit and under the deployment's limits unless
    ``currency`` or a limit say otherwise (which only the administrator may)."""

    def work(conn: Connection) -> Account:
        now = ctx.clock()
        limits = None
        if lower_limit is not USUAL or upper_limit is not USUAL:
            # The usual limits are those of the rules in force today.
            usual = default_limits(in_force(conn, ctx.deployment, on=now.date()), kind)
            limits = Limits(
                lower=usual.lower if lower_limit is USUAL else lower_limit,
                upper=usual.upper if upper_limit is USUAL else upper_limit,
            )
        return open_managed_account(
            conn,
            ctx.deployment,
            code,
            kind=kind,
            role=ctx.actor.role,
            now=now,
            currency=currency,
            limits=limits,
            owner_ref=owner_ref,
            category=category,
            display_name=display_name,
        )

    return ctx.write(work)


@act(
    *ACCOUNT_MANAGERS,
    # Logged only when the accounts are opened: a dry run or a refused file writes nothing.
    logged=Logged(fields=("encoding",), written=lambda opened: {"opened": len(opened)}),
)
def import_accounts(
    ctx: Context,
    data: bytes,
    *,
    encoding: str = "utf-8",
    dry_run: bool = False,
    progress: account_import.Progress | None = None,
    on_total: Callable[[int], None] | None = None,
) -> account_import.ImportOutcome:
    """Check every line of the CSV ``data``; unless one has a problem or ``dry_run``,
    open every account in one transaction. Problems are returned, not raised."""
    now = ctx.clock()
    deployment = ctx.read(lambda conn: in_force(conn, ctx.deployment, on=now.date()))
    return account_import.import_accounts(
        ctx,
        data,
        now=now,
        rules=account_import.ImportRules.of(rights_of(ctx.actor.role), deployment),
        encoding=encoding,
        dry_run=dry_run,
        progress=progress,
        on_total=on_total,
    )


@act(*EVERYONE)
def list_accounts(
    ctx: Context, *, kind: AccountKind | None = None, after_id: int = 0, limit: int = 100
) -> list[Account]:
    """The accounts the actor may see, in id order, ``limit`` after ``after_id``."""
    actor = ctx.actor

    def visible(conn: Connection) -> list[Account]:
        if actor.sees_all_accounts:
            return accounts.list_accounts(conn, kind=kind, after_id=after_id, limit=limit)
        # A holder has a handful of accounts: read them all, page in memory.
        held = sorted(accounts.accounts_by_code(conn, actor.accounts).values(), key=_by_id)
        return [
            account
            for account in held
            if account.id > after_id and (kind is None or account.kind == kind)
        ][:limit]

    return ctx.read(visible)


# The search's longest text and most accounts answered: a back-office page's worth.
MAX_SEARCH_TEXT = 120
MAX_FOUND = 200


@act(*sorted(SEES_ALL_ACCOUNTS))
def find_accounts(
    ctx: Context, text: str = "", *, kind: AccountKind | None = None, limit: int = 50
) -> list[Account]:
    """The accounts whose code, name or owner reference holds ``text`` (case and accents
    aside), by code, of ``kind`` when given; every account (up to ``limit``) for an empty
    text."""
    if len(text) > MAX_SEARCH_TEXT:
        raise InvalidRequest(f"a search is at most {MAX_SEARCH_TEXT} characters")
    if not 1 <= limit <= MAX_FOUND:
        raise InvalidRequest(f"the limit is a number from 1 to {MAX_FOUND}")
    return ctx.read(lambda conn: accounts.search_accounts(conn, text, kind=kind, limit=limit))


def _by_id(account: Account) -> int:
    return account.id


@act(*EVERYONE)
def get_account(ctx: Context, code: str) -> Account:
    """One account: balance, held and available amounts."""
    ctx.actor.check_read(code)
    return ctx.read(lambda conn: accounts.get_account(conn, code))


@act(*EVERYONE)
def statement(
    ctx: Context, code: str, *, cursor: str | None = None, limit: int = 100
) -> history.StatementPage:
    """A page of the account's postings, newest first; ``next_cursor`` gives the next."""
    ctx.actor.check_read(code)
    return ctx.read(lambda conn: history.statement(conn, code, cursor=cursor, limit=limit))


@dataclass(frozen=True, slots=True)
class StatementExport:
    """A period of an account's postings, checked, ready to be written as CSV.

    Writing is left to the edge, which streams it from a read transaction of its own.
    """

    account: str
    start: date | None
    end: date | None
    delimiter: str
    decimal_separator: str
    zone: tzinfo

    def write(self, conn: Connection, out: TextIO) -> None:
        exports.statement_csv(
            conn,
            self.account,
            out,
            start=self.start,
            end=self.end,
            delimiter=self.delimiter,
            decimal_separator=self.decimal_separator,
            zone=self.zone,
        )


@act(*EVERYONE)
def statement_export(
    ctx: Context,
    code: str,
    *,
    start: date | None,
    end: date | None,
    delimiter: str,
    decimal_separator: str,
    zone: tzinfo,
) -> StatementExport:
    """The postings of ``code`` from ``start`` to ``end`` (whole days in ``zone``)."""
    ctx.actor.check_read(code)
    ctx.read(lambda conn: accounts.get_account(conn, code))  # unknown: refused before writing
    if start is not None and end is not None and start > end:
        raise InvalidRequest(f"the period starts ({start}) after it ends ({end})")
    return StatementExport(code, start, end, delimiter, decimal_separator, zone)


@act(*EVERYONE)
def balance_as_of(ctx: Context, code: str, moment: datetime) -> int:
    """The account's balance right after its last posting at or before ``moment``."""
    ctx.actor.check_read(code)
    return ctx.read(lambda conn: history.balance_as_of(conn, code, moment))


@act(*ACCOUNT_MANAGERS, logged=Logged(target="code", fields=("display_name",)))
def rename(ctx: Context, code: str, display_name: str | None) -> Account:
    """Change the name payers are shown; ``None`` shows the code again.

    A business's directory profile is searched by the new name from then on.
    """

    def work(conn: Connection) -> Account:
        renamed = accounts.rename_account(conn, code, display_name)
        directory.follow_rename(conn, renamed)
        return renamed

    return ctx.write(work)


def _set_status(ctx: Context, code: str, status: AccountStatus) -> Account:
    return ctx.write(lambda conn: accounts.set_status(conn, code, status))


StatusChange = Act[[str], Account]
"""What :func:`freeze`, :func:`unfreeze` and :func:`close` are: a change of status."""


@act(*ACCOUNT_MANAGERS, logged=_ACCOUNT)
def freeze(ctx: Context, code: str) -> Account:
    """Stop every movement on the account until it is unfrozen."""
    return _set_status(ctx, code, AccountStatus.FROZEN)


@act(*ACCOUNT_MANAGERS, logged=_ACCOUNT)
def unfreeze(ctx: Context, code: str) -> Account:
    """Let a frozen account move money again."""
    return _set_status(ctx, code, AccountStatus.ACTIVE)


@act(*ACCOUNT_MANAGERS, logged=_ACCOUNT)
def close(ctx: Context, code: str) -> Account:
    """Close an empty account for good (refused while its balance or holds are not zero)."""
    return _set_status(ctx, code, AccountStatus.CLOSED)
