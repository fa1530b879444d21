"""Exit codes, and the one mapping from errors to what the person at the terminal reads.

Exit codes, for scheduled jobs and scripts:

====  ==========================================================================
0     done, nothing wrong found
1     a discrepancy was found (broken journal, coverage below 100 %)
2     bad usage or bad input (unknown option, bad amount, unknown account, bad file)
3     the ledger refused the request in its current state (insufficient funds, frozen
      account, key reused, already reversed)
4     the database cannot be reached or lacks the ledger's schema
5     the user acting (``--as``) may not do this, or no user was named
====  ==========================================================================

Errors of the core carry a stable ``code`` and fields; the message shown is looked up by
that code in :mod:`cli.messages` and filled from the fields, so it reads in the run's
language and always says what to do next.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from cli.messages import Messages
from monnaie_locale.errors import Conflict, JournalBroken, MonnaieLocaleError
from monnaie_locale.money import format_amount

if TYPE_CHECKING:
    from sqlalchemy.exc import DBAPIError

__all__ = [
    "CliProblem",
    "DatabaseProblem",
    "Discrepancy",
    "ExitCode",
    "UsageProblem",
    "database_problem",
    "exit_code_for",
    "explain",
]


class ExitCode(enum.IntEnum):
    OK = 0
    DISCREPANCY = 1
    BAD_INPUT = 2
    REFUSED = 3
    UNAVAILABLE = 4
    FORBIDDEN = 5


class CliProblem(Exception):
    """A problem the CLI reports with a finished message and an exit code."""

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageProblem(CliProblem):
    """Raised for bad input the core never sees: a missing file, a bad option value."""

    exit_code = ExitCode.BAD_INPUT


class Discrepancy(CliProblem):
    """Raised when a check finds the books wrong; the report was already printed."""

    exit_code = ExitCode.DISCREPANCY


class DatabaseProblem(CliProblem):
    """Raised when the database cannot be used at all."""

    exit_code = ExitCode.UNAVAILABLE


# Fields of core errors that hold minor units, shown as decimal amounts.
_AMOUNT_FIELDS = ("needed", "available", "amount", "upper_limit")


def exit_code_for(error: MonnaieLocaleError) -> ExitCode:
    if isinstance(error, JournalBroken):
        return ExitCode.DISCREPANCY
    # The auth package brings the database library: imported when an error is shown.
    from monnaie_locale.auth.errors import Forbidden, NotAuthenticated

    if isinstance(error, Forbidden | NotAuthenticated):
        return ExitCode.FORBIDDEN
    if isinstance(error, Conflict):
        return ExitCode.REFUSED
    return ExitCode.BAD_INPUT


def explain(error: MonnaieLocaleError, messages: Messages) -> str:
    """The error in the run's language, from its code and fields."""
    key = f"error.{error.code}"
    if not messages.has(key):
        return messages("error.other", message=error.message)
    fields: dict[str, Any] = dict(vars(error))
    for name in _AMOUNT_FIELDS:
        if isinstance(fields.get(name), int):
            fields[name] = format_amount(fields[name], decimal_separator=messages.decimal_separator)
    if "status" in fields and messages.has(f"status.{fields['status']}"):
        fields["status"] = messages(f"status.{fields['status']}")
    return messages(key, **fields)


def database_problem(error: DBAPIError, messages: Messages, url: str) -> DatabaseProblem:
    """Tell an unreachable database from one that was never migrated."""
    reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate == "42P01" or "no such table" in reason:
        return DatabaseProblem(messages("db.not_migrated", reason=reason))
    return DatabaseProblem(messages("db.unreachable", url=url, reason=reason))
