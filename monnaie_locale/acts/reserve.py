"""The reserve and the association's euros: the coverage report, the bank's statements,
and the funds the association receives for itself.

The report compares the units in circulation with the euros that back them (see
:mod:`monnaie_locale.reserve`). A statement of one of the association's bank accounts
(see :mod:`monnaie_locale.acts.bank`) books the lines that settle what the books await
(see :mod:`monnaie_locale.operations.reconciliation`); imported twice, it is recognised
and moves nothing the second time. A reserve account's statement is recorded in the
journal as it is imported, for checkpoints to carry and auditors to check against the
bank's file (see :mod:`monnaie_locale.operations.reserve_statements`). The
association's own euros (fees, donations, grants) fund the conversion bonuses and
replace lost cash (see :mod:`monnaie_locale.operations.funds`).

=========================  ===============================================================
Act                        Who may do it
=========================  ===============================================================
reserve_report             the auditors, the association's operators and administrators
reserve_attestations       the same
import_statement_file      the association's operators and administrators
import_statements          the same
receive_association_funds  the same
=========================  ===============================================================
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection

from monnaie_locale import reserve
from monnaie_locale.acting import Context, act
from monnaie_locale.auth.roles import OPERATORS, REPORT_READERS
from monnaie_locale.bank import BankStatement
from monnaie_locale.operations import funds, reconciliation, reserve_statements
from monnaie_locale.operations.reconciliation import Reconciliation
from monnaie_locale.operations.reserve_statements import Recorded
from monnaie_locale.reserve import ReserveReport

__all__ = [
    "import_statement_file",
    "import_statements",
    "receive_association_funds",
    "reserve_attestations",
    "reserve_report",
]


@act(*REPORT_READERS)
def reserve_report(ctx: Context, as_of: datetime | None = None) -> ReserveReport:
    """The reserve report now, or as of a moment given with its time zone."""
    return ctx.read(
        lambda conn: reserve.reserve_report(conn, ctx.deployment, as_of=as_of), replica=True
    )


@act(*REPORT_READERS)
def reserve_attestations(ctx: Context) -> list[Recorded]:
    """Every bank statement recorded in the journal, in the journal's order: what the
    checkpoints' statement lines come from."""
    return ctx.read(reserve_statements.recorded)


@act(*OPERATORS)
def import_statement_file(
    ctx: Context,
    content: bytes,
    *,
    file_format: Literal["camt053", "csv"],
    key: str,
    account: str | None = None,
) -> list[Reconciliation]:
    """Import every statement of a camt.053 or CSV file, all or nothing, once per ``key``.

    ``account`` names the bank account a CSV export is of (a camt.053 statement names its
    own IBAN); without it, the digital reserve's. The key is claimed for the file's
    content: the same key with another file is refused before anything moves.
    """
    request = f"statement|{file_format}|{hashlib.sha256(content).hexdigest()}"
    if account is not None:
        request += f"|{account}"

    def record(conn: Connection) -> list[Reconciliation]:
        return reconciliation.import_statement_file(
            conn,
            ctx.deployment,
            content,
            file_format=file_format,
            clock=ctx.clock,
            account=account,
        )

    return ctx.write_settlement(record, key=key, request=request)


class _Rehearsed(Exception):
    """Leaves a rehearsal's transaction, so that the database rolls it all back."""

    def __init__(self, results: list[Reconciliation]) -> None:
        super().__init__("rehearsal")
        self.results = results


@act(*OPERATORS)
def import_statements(
    ctx: Context,
    statements: Sequence[BankStatement],
    *,
    progress: Callable[[int], None] | None = None,
    check: Callable[[list[Reconciliation]], None] | None = None,
    dry_run: bool = False,
    account: str | None = None,
) -> list[Reconciliation]:
    """Import ``statements`` (read with :func:`reconciliation.read_statement_file`), all or
    nothing.

    ``progress`` is called with the number of lines handled so far. ``check`` sees the
    results before they are committed: whatever it raises rolls the whole import back.
    A ``dry_run`` returns the results and writes nothing. ``account`` names the bank
    account, as for :func:`import_statement_file`.
    """

    def record(conn: Connection) -> list[Reconciliation]:
        results: list[Reconciliation] = []
        before = 0
        for statement in statements:

            def advance(done: int, before: int = before) -> None:
                if progress is not None:
                    progress(before + done)

            results.append(
                reconciliation.import_statement(
                    conn,
                    ctx.deployment,
                    statement,
                    clock=ctx.clock,
                    account=account,
                    progress=advance,
                )
            )
            before += len(statement.lines)
        if check is not None:
            check(results)
        if dry_run:
            raise _Rehearsed(results)
        return results

    try:
        return ctx.write(record)
    except _Rehearsed as rehearsal:
        return rehearsal.results


@act(*OPERATORS)
def receive_association_funds(ctx: Context, amount: int, *, memo: str, key: str) -> str:
    """Book euros the association received for itself; the ledger batch that booked them."""
    scoped = ctx.key(key)
    return ctx.write(
        lambda conn: funds.receive_association_funds(
            conn, amount=amount, memo=memo, idempotency_key=scoped, clock=ctx.clock
        )
    )
