"""``mlc bank``: the association's bank accounts, and their statements reconciled.

``accounts add|change|list`` keep which bank account (IBAN, BIC) stands for which ledger
account; an IBAN is checked when it is entered. ``report`` shows a statement beside its
ledger account at the closing date and exits with 1 when they differ; ``line``, ``match``
and ``unmatch`` look at a bank line and match it to a ledger transaction by hand or undo
its match. Statements are imported with ``mlc reserve import-statement``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from cli import help_fr
from cli.commands.options import JsonOption
from cli.context import RunContext, run_context
from cli.errors import Discrepancy
from cli.lazy import lazy
from cli.output import print_json
from monnaie_locale.money import format_amount

if TYPE_CHECKING:
    from monnaie_locale.acts import bank
    from monnaie_locale.operations.bank_accounts import BankAccount
    from monnaie_locale.operations.bank_reconciliation import AccountReconciliation, BankLine
else:
    bank = lazy("monnaie_locale.acts.bank")

__all__ = ["register"]

group = typer.Typer(
    help=(
        "The association's bank accounts and their reconciliation with the books.\n\n"
        "[b]Example:[/b] mlc bank report fonds-numerique"
    ),
    no_args_is_help=True,
)
accounts_group = typer.Typer(
    help=(
        "The bank accounts: which IBAN stands for which ledger account.\n\n"
        "[b]Example:[/b] mlc bank accounts list"
    ),
    no_args_is_help=True,
)
group.add_typer(accounts_group, name="accounts")

NameArgument = Annotated[str, typer.Argument(help="The bank account's name.")]
LineArgument = Annotated[int, typer.Argument(help="The bank line's number.")]

FRENCH_HELP: dict[str, str] = {
    "bank": (
        "Les comptes bancaires de l'association et leur rapprochement avec les "
        "comptes.\n\n[b]Exemple :[/b] mlc bank report fonds-numerique"
    ),
    "bank accounts": (
        "Les comptes bancaires : quel IBAN correspond à quel compte du grand livre.\n\n"
        "[b]Exemple :[/b] mlc bank accounts list"
    ),
    "bank accounts add": (
        "Enregistre un compte bancaire ; l'IBAN et le BIC sont vérifiés maintenant.\n\n"
        "Rôles : reserve_digital (reserve:digital), reserve_notes (reserve:notes), operating "
        "(association:operating), un compte par rôle.\n\n[b]Exemple :[/b] mlc bank accounts "
        "add fonds-billets --role reserve_notes --iban FR7630006000011234567890189"
    ),
    "bank accounts add NAME": "Le nom du compte bancaire.",
    "bank accounts add --role": "reserve_digital, reserve_notes ou operating.",
    "bank accounts add --iban": "L'IBAN du compte.",
    "bank accounts add --bic": "Le BIC de la banque (facultatif).",
    "bank accounts change": (
        "Change l'IBAN, le BIC ou le nom d'un compte bancaire, vérifiés comme à "
        "l'enregistrement.\n\n[b]Exemple :[/b] mlc bank accounts change fonds-billets --bic "
        "CCOPFRPP"
    ),
    "bank accounts change NAME": "Le nom du compte bancaire.",
    "bank accounts change --iban": "Le nouvel IBAN.",
    "bank accounts change --bic": "Le nouveau BIC (vide : aucun).",
    "bank accounts change --name": "Le nouveau nom.",
    "bank accounts list": (
        "Liste les comptes bancaires et le compte du grand livre de chacun.\n\n"
        "[b]Exemple :[/b] mlc bank accounts list --json"
    ),
    "bank report": (
        "Montre un relevé à côté de son compte du grand livre à la date de clôture.\n\nCode "
        "de sortie 1 quand ils diffèrent.\n\n[b]Exemple :[/b] mlc bank report "
        "fonds-numerique --statement 2026-11"
    ),
    "bank report NAME": "Le nom du compte bancaire.",
    "bank report --statement": "L'identifiant du relevé (par défaut : le dernier).",
    "bank line": (
        "Montre une ligne de relevé, ce à quoi elle est rapprochée et les changements faits "
        "à la main.\n\n[b]Exemple :[/b] mlc bank line 12"
    ),
    "bank line LINE": "Le numéro de la ligne de relevé.",
    "bank match": (
        "Rapproche à la main une ligne de relevé d'une transaction du grand livre.\n\n"
        "[b]Exemple :[/b] mlc bank match 12 345"
    ),
    "bank match LINE": "Le numéro de la ligne de relevé.",
    "bank match TRANSACTION": "Le numéro de la transaction du grand livre.",
    "bank unmatch": (
        "Défait le rapprochement d'une ligne ; ce qu'il a comptabilisé reste.\n\n"
        "[b]Exemple :[/b] mlc bank unmatch 12"
    ),
    "bank unmatch LINE": "Le numéro de la ligne de relevé.",
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="bank")


def _money(run: RunContext, minor: int) -> str:
    return format_amount(minor, decimal_separator=run.messages.decimal_separator)


def _account_json(item: BankAccount) -> dict[str, Any]:
    data = asdict(item)
    data.pop("id")
    data["ledger_account"] = item.ledger_account
    data["updated_at"] = item.updated_at.isoformat() if item.updated_at else None
    return data


def _show_account(run: RunContext, item: BankAccount, *, as_json: bool, key: str) -> None:
    if as_json:
        print_json(_account_json(item))
        return
    run.out.print(
        run.messages(key, name=item.name, iban=item.iban, ledger=item.ledger_account),
        markup=False,
    )


@accounts_group.command("add")
def add_account(
    ctx: typer.Context,
    name: NameArgument,
    role: Annotated[
        str, typer.Option("--role", help="reserve_digital, reserve_notes or operating.")
    ],
    iban: Annotated[str, typer.Option("--iban", help="The account's IBAN.")],
    bic: Annotated[str | None, typer.Option("--bic", help="The bank's BIC (optional).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Enter a bank account; its IBAN and BIC are checked now.

    Roles: reserve_digital (reserve:digital), reserve_notes (reserve:notes), operating
    (association:operating), one account per role.

    [b]Example:[/b] mlc bank accounts add fonds-billets --role reserve_notes --iban FR7630006000011234567890189
    """  # noqa: E501
    run = run_context(ctx)
    item = bank.add_bank_account(run.context(), name, role=role, iban=iban, bic=bic)
    _show_account(run, item, as_json=as_json, key="bank.account_added")


@accounts_group.command("change")
def change_account(
    ctx: typer.Context,
    name: NameArgument,
    iban: Annotated[str | None, typer.Option("--iban", help="The new IBAN.")] = None,
    bic: Annotated[str | None, typer.Option("--bic", help="The new BIC (empty: none).")] = None,
    new_name: Annotated[str | None, typer.Option("--name", help="The new name.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Change a bank account's IBAN, BIC or name, checked as on entry.

    [b]Example:[/b] mlc bank accounts change fonds-billets --bic CCOPFRPP
    """
    run = run_context(ctx)
    item = bank.change_bank_account(run.context(), name, iban=iban, bic=bic, new_name=new_name)
    _show_account(run, item, as_json=as_json, key="bank.account_changed")


@accounts_group.command("list")
def list_accounts(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the bank accounts and the ledger account each stands for.

    [b]Example:[/b] mlc bank accounts list --json
    """
    run = run_context(ctx)
    found = bank.list_bank_accounts(run.context())
    if as_json:
        print_json([_account_json(item) for item in found])
        return
    table = Table(title=run.messages("bank.accounts_title"))
    for column in ("name", "role", "ledger", "iban", "bic"):
        table.add_column(run.messages(f"bank.col.{column}"))
    for item in found:
        table.add_row(item.name, item.role, item.ledger_account, item.iban, item.bic or "")
    run.out.print(table)


def _line_json(line: BankLine) -> dict[str, Any]:
    data = asdict(line)
    data["booking_date"] = line.booking_date.isoformat()
    data["value_date"] = line.value_date.isoformat() if line.value_date else None
    data["transactions"] = list(line.transactions)
    data["changes"] = [
        {**asdict(change), "changed_at": change.changed_at.isoformat()} for change in line.changes
    ]
    return data


def _report_json(found: AccountReconciliation) -> dict[str, Any]:
    return {
        "bank_account": found.bank_account,
        "ledger_account": found.ledger_account,
        "statement_id": found.statement_id,
        "closing_date": found.closing_date.isoformat() if found.closing_date else None,
        "as_of": found.as_of.isoformat() if found.as_of else None,
        "statement_balance": found.statement_balance,
        "ledger_balance": found.ledger_balance,
        "booked_after": found.booked_after,
        "books_at_closing": found.books_at_closing,
        "difference": found.difference,
        "matched_lines": found.matched_lines,
        "unmatched_bank": [_line_json(line) for line in found.unmatched_bank],
        "unmatched_books": [
            {
                "transaction_id": item.transaction_id,
                "booked_at": item.booked_at.isoformat(),
                "amount": item.amount,
                "memo": item.memo,
            }
            for item in found.unmatched_books
        ],
    }


def _report_table(run: RunContext, found: AccountReconciliation) -> Table:
    day = found.closing_date.isoformat() if found.closing_date else "-"
    table = Table(
        title=run.messages(
            "bank.report_title",
            account=found.bank_account,
            ledger=found.ledger_account,
            statement=found.statement_id,
            day=day,
        )
    )
    table.add_column(run.messages("col.check"))
    table.add_column(run.messages("col.value"), justify="right")
    bank_balance = found.statement_balance
    table.add_row(
        run.messages("reserve.b.bank"),
        run.messages("reserve.b.none") if bank_balance is None else _money(run, bank_balance),
    )
    table.add_row(run.messages("bank.r.ledger"), _money(run, found.ledger_balance))
    table.add_row(run.messages("bank.r.booked_after"), _money(run, found.booked_after))
    table.add_row(run.messages("reserve.b.matched"), str(found.matched_lines))
    for line in found.unmatched_bank:
        table.add_row(
            run.messages("bank.r.unmatched_bank", line=line.id, day=line.booking_date.isoformat())
            + f" {line.remittance}",
            _money(run, line.amount),
            style="yellow",
        )
    for item in found.unmatched_books:
        table.add_row(
            run.messages("bank.r.unmatched_books", transaction=item.transaction_id)
            + f" {item.memo}",
            _money(run, item.amount),
            style="yellow",
        )
    difference = found.difference
    if difference is not None:
        table.add_row(
            run.messages("reserve.b.difference"),
            _money(run, difference),
            style="bold green" if difference == 0 else "bold red",
        )
    return table


@group.command()
def report(
    ctx: typer.Context,
    name: NameArgument,
    statement: Annotated[
        str | None,
        typer.Option("--statement", help="The statement's id (default: the latest)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show a statement beside its ledger account at the closing date.

    Exits with 1 when they differ.

    [b]Example:[/b] mlc bank report fonds-numerique --statement 2026-11
    """
    run = run_context(ctx)
    found = bank.reconciliation_report(run.context(), name, statement)
    if as_json:
        print_json(_report_json(found))
    else:
        run.out.print(_report_table(run, found))
    if found.difference:
        raise Discrepancy(
            run.messages(
                "reserve.balance_differs",
                statement=found.statement_id,
                difference=_money(run, found.difference),
            )
        )


def _show_line(run: RunContext, line: BankLine, *, as_json: bool) -> None:
    if as_json:
        print_json(_line_json(line))
        return
    matched = (
        f"{line.matched_kind} {line.matched_id}"
        if line.matched_kind is not None
        else run.messages("reserve.unmatched")
    )
    run.out.print(
        run.messages(
            "bank.line",
            line=line.id,
            account=line.bank_account,
            day=line.booking_date.isoformat(),
            amount=_money(run, line.amount),
            matched=matched,
        ),
        markup=False,
    )
    for change in line.changes:
        run.out.print(
            run.messages(
                "bank.change",
                action=change.action,
                transaction=change.transaction_id or "-",
                actor=change.actor,
                at=change.changed_at.isoformat(),
            ),
            markup=False,
        )


@group.command()
def line(ctx: typer.Context, line: LineArgument, as_json: JsonOption = False) -> None:
    """Show a bank line, what it is matched to, and the changes made by hand.

    [b]Example:[/b] mlc bank line 12
    """
    run = run_context(ctx)
    _show_line(run, bank.bank_line(run.context(), line), as_json=as_json)


@group.command()
def match(
    ctx: typer.Context,
    line: LineArgument,
    transaction: Annotated[int, typer.Argument(help="The ledger transaction's number.")],
    as_json: JsonOption = False,
) -> None:
    """Match a bank line to a ledger transaction by hand.

    [b]Example:[/b] mlc bank match 12 345
    """
    run = run_context(ctx)
    _show_line(
        run, bank.match_line(run.context(), line, transaction_id=transaction), as_json=as_json
    )


@group.command()
def unmatch(ctx: typer.Context, line: LineArgument, as_json: JsonOption = False) -> None:
    """Undo a bank line's match; what it booked stays booked.

    [b]Example:[/b] mlc bank unmatch 12
    """
    run = run_context(ctx)
    _show_line(run, bank.unmatch_line(run.context(), line), as_json=as_json)
