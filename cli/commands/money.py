"""``mlc transfer`` and ``mlc reverse``: move money, and correct a transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.commands.days import day_or_none
from cli.commands.options import JsonOption, KeyOption
from cli.context import run_context
from cli.lazy import lazy
from cli.output import print_json
from monnaie_locale.model import Transaction
from monnaie_locale.money import format_amount, parse_amount

if TYPE_CHECKING:
    from monnaie_locale.acts import transfers
else:
    transfers = lazy("monnaie_locale.acts.transfers")

__all__ = ["register", "transaction_json"]


def register(app: typer.Typer) -> None:
    app.command()(transfer)
    app.command()(reverse)


def transaction_json(transaction: Transaction) -> dict[str, Any]:
    return {
        "id": transaction.id,
        "kind": transaction.kind,
        "memo": transaction.memo,
        "reference": transaction.reference,
        "created_at": transaction.created_at.isoformat(),
        "reverses": transaction.reverses,
        "postings": [
            {
                "account": p.account,
                "currency": p.currency,
                "amount": p.amount,
                "balance_after": p.balance_after,
            }
            for p in transaction.postings
        ],
    }


def transfer(
    ctx: typer.Context,
    debit: Annotated[str, typer.Argument(help="Account paying.")],
    credit: Annotated[str, typer.Argument(help="Account paid.")],
    amount: Annotated[str, typer.Argument(help="Amount, e.g. 12,50 or 12.50.")],
    key: KeyOption,
    memo: Annotated[str, typer.Option("--memo", help="What the payment is for.")] = "",
    on: Annotated[
        str | None,
        typer.Option("--on", help="The day it happened, YYYY-MM-DD (default: today)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Move AMOUNT from DEBIT to CREDIT, once per --key.

    Both are holder accounts (members, businesses, authorities, the association's own
    units): note stocks, tills, the reserve and issuance move only through their own
    commands (convert, reconversion, notes, offices).

    [b]Example:[/b] mlc transfer alice bakery 12,50 --key pay-2026-11-27-001 --memo bread
    """
    run = run_context(ctx)
    minor = parse_amount(amount)
    transaction = transfers.transfer(
        run.context(), debit, credit, minor, key=key, memo=memo, on=day_or_none(run, on)
    )
    if as_json:
        print_json(transaction_json(transaction))
        return
    shown = format_amount(minor, decimal_separator=run.messages.decimal_separator)
    run.out.print(
        run.messages("transfer.done", id=transaction.id, amount=shown, debit=debit, credit=credit),
        markup=False,
    )


def reverse(
    ctx: typer.Context,
    txid: Annotated[int, typer.Argument(help="The transaction to correct.", min=1)],
    key: KeyOption,
    memo: Annotated[str, typer.Option("--memo", help="Why it is reversed.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Post the exact opposite of transaction TXID, linked to it (once).

    Only a plain transfer between holders is reversed here: a conversion, a payout or a
    note movement is corrected by its own command.

    [b]Example:[/b] mlc reverse 1042 --key reverse-1042 --memo "paid twice"
    """
    run = run_context(ctx)
    transaction = transfers.reverse(run.context(), txid, key=key, memo=memo)
    if as_json:
        print_json(transaction_json(transaction))
        return
    run.out.print(run.messages("reverse.done", id=transaction.id, original=txid), markup=False)
