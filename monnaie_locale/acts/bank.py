"""The association's bank accounts, and their statements reconciled with the books.

Which bank account stands for which ledger account is data (see
:mod:`monnaie_locale.operations.bank_accounts`); a statement is compared with its account's
ledger account at its closing date, and its lines are matched automatically on import or
by hand here (see :mod:`monnaie_locale.operations.bank_reconciliation`). Importing a
statement is an act of :mod:`monnaie_locale.acts.reserve`.

======================  ===========================================================
Act                     Who may do it
======================  ===========================================================
list_bank_accounts      the auditors, the association's operators and administrators
reconciliation_report   the same
bank_line               the same
add_bank_account        the association's operators and administrators
change_bank_account     the same
match_line              the same
unmatch_line            the same
======================  ===========================================================
"""

from __future__ import annotations

from monnaie_locale.acting import Context, act
from monnaie_locale.admin_log import Logged
from monnaie_locale.auth.roles import OPERATORS, REPORT_READERS
from monnaie_locale.operations import bank_accounts, bank_reconciliation
from monnaie_locale.operations.bank_accounts import BankAccount
from monnaie_locale.operations.bank_reconciliation import AccountReconciliation, BankLine

__all__ = [
    "add_bank_account",
    "bank_line",
    "change_bank_account",
    "list_bank_accounts",
    "match_line",
    "reconciliation_report",
    "unmatch_line",
]


@act(*REPORT_READERS)
def list_bank_accounts(ctx: Context) -> list[BankAccount]:
    """The association's bank accounts, by name."""
    return ctx.read(bank_accounts.list_bank_accounts)


@act(*OPERATORS, logged=Logged(target="name", fields=("role", "iban", "bic")))
def add_bank_account(
    ctx: Context, name: str, *, role: str, iban: str, bic: str | None = None
) -> BankAccount:
    """Enter a bank account; its IBAN and BIC are checked now, and nothing is written if
    one is refused."""
    return ctx.write(
        lambda conn: bank_accounts.add_bank_account(
            conn, name=name, role=role, iban=iban, bic=bic, actor=ctx.actor.name, clock=ctx.clock
        )
    )


@act(*OPERATORS, logged=Logged(target="name", fields=("iban", "bic", "new_name")))
def change_bank_account(
    ctx: Context,
    name: str,
    *,
    iban: str | None = None,
    bic: str | None = None,
    new_name: str | None = None,
) -> BankAccount:
    """Change a bank account's IBAN, BIC or name, each checked as on entry."""
    return ctx.write(
        lambda conn: bank_accounts.change_bank_account(
            conn,
            name,
            iban=iban,
            bic=bic,
            new_name=new_name,
            actor=ctx.actor.name,
            clock=ctx.clock,
        )
    )


@act(*REPORT_READERS)
def reconciliation_report(
    ctx: Context, account: str, statement_id: str | None = None
) -> AccountReconciliation:
    """A bank account's statement (the latest, unless named) beside its ledger account at
    the closing date."""
    return ctx.read(
        lambda conn: bank_reconciliation.account_reconciliation(
            conn, account=account, statement_id=statement_id
        )
    )


@act(*REPORT_READERS)
def bank_line(ctx: Context, line: int) -> BankLine:
    """A bank line, what it is matched to, and the matches made or undone by hand."""
    return ctx.read(lambda conn: bank_reconciliation.get_line(conn, line))


@act(*OPERATORS)
def match_line(ctx: Context, line: int, *, transaction_id: int) -> BankLine:
    """Match a bank line to a ledger transaction moving its account, by hand."""
    return ctx.write(
        lambda conn: bank_reconciliation.match_line(
            conn, line=line, transaction_id=transaction_id, actor=ctx.actor.name, clock=ctx.clock
        )
    )


@act(*OPERATORS)
def unmatch_line(ctx: Context, line: int) -> BankLine:
    """Undo a bank line's match; what the match booked stays booked."""
    return ctx.write(
        lambda conn: bank_reconciliation.unmatch_line(
            conn, line=line, actor=ctx.actor.name, clock=ctx.clock
        )
    )
