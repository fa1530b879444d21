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
that code in the catalogue (:func:`monnaie_locale.i18n.describe`, the API's too) and
filled from the fields, so it reads in the run's language and always says what to do next.
"""

from __future__ import annotations

import enum

from cli.messages import Messages
from monnaie_locale.errors import Conflict, DatabaseUnavailable, JournalBroken, MonnaieLocaleError
from monnaie_locale.i18n import describe

__all__ = [
    "CliProblem",
    "Discrepancy",
    "ExitCode",
    "UsageProblem",
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


def exit_code_for(error: MonnaieLocaleError) -> ExitCode:
    if isinstance(error, JournalBroken):
        return ExitCode.DISCREPANCY
    if isinstance(error, DatabaseUnavailable):  # and SchemaMissing, one of its kind
        return ExitCode.UNAVAILABLE
    # The auth package brings the database library: imported when an error is shown.
    from monnaie_locale.auth.errors import Forbidden, NotAuthenticated

    if isinstance(error, Forbidden | NotAuthenticated):
        return ExitCode.FORBIDDEN
    if isinstance(error, Conflict):
        return ExitCode.REFUSED
    return ExitCode.BAD_INPUT


def explain(error: MonnaieLocaleError, messages: Messages, **run: object) -> str:
    """The error in the run's language, from its code and fields.

    ``run`` gives what the error cannot know and the message may name, such as the
    database's ``url`` (without its password).
    """
    text = describe(error, messages, prefixes=("error.",), **run)
    return text if text is not None else messages("error.other", message=error.message)
