"""``mlc convert``: euros in, units issued, by bank transfer, card or cash at an office.

A conversion by bank transfer has two steps: the order gives the member a reference to put
on the transfer, and the order is credited when the euros show on the reserve's account
(by hand here, or by ``mlc reserve import-statement``). Card and cash conversions are
issued at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli import help_fr
from cli.commands.days import day_or_none
from cli.commands.options import JsonOption, KeyOption
from cli.context import RunContext, run_context
from cli.deployment_settings import record_json
from cli.lazy import lazy
from cli.output import print_json
from monnaie_locale.clock import day_in
from monnaie_locale.money import format_amount, parse_amount

if TYPE_CHECKING:
    from monnaie_locale.acts import conversions
    from monnaie_locale.operations.conversion import Conversion
else:
    conversions = lazy("monnaie_locale.acts.conversions")

__all__ = ["register"]

AccountArgument = Annotated[str, typer.Argument(help="The account credited with the units.")]
AmountArgument = Annotated[str, typer.Argument(help="Euros converted, e.g. 50 or 12,50.")]

group = typer.Typer(
    help=(
        "Convert euros into the local unit.\n\n"
        "[b]Example:[/b] mlc convert transfer-order alice 50 --key order-alice-0001"
    ),
    no_args_is_help=True,
)


# The French help of these commands, merged into cli.help_fr's table on registration.
FRENCH_HELP: dict[str, str] = {
    "convert": (
        "Convertit des euros en monnaie locale.\n\n[b]Exemple :[/b] mlc convert transfer-order "
        "alice 50 --key order-alice-0001"
    ),
    "convert transfer-order": (
        "Enregistre un ordre de conversion par virement et affiche la référence à "
        "indiquer.\n\n[b]Exemple :[/b] mlc convert transfer-order alice 50 --key "
        "order-alice-0001"
    ),
    "convert transfer-order ACCOUNT": "Le compte crédité des unités.",
    "convert transfer-order AMOUNT": "Euros convertis, par exemple 50 ou 12,50.",
    "convert credit": (
        "Crédite un ordre par virement une fois les euros arrivés sur la réserve (émet les "
        "unités).\n\n[b]Exemple :[/b] mlc convert credit ML-7K3Q9 --amount 50 --bank-ref "
        "2026112700042"
    ),
    "convert credit REFERENCE": "La référence indiquée par l'adhérent.",
    "convert credit --amount": "Euros reçus sur le compte bancaire.",
    "convert credit --bank-ref": "L'identifiant du virement à la banque.",
    "convert credit --on": "Le jour de l'opération à la banque, AAAA-MM-JJ (par défaut : "
    "aujourd'hui) ; jamais dans une période close.",
    "convert cancel": (
        "Annule un ordre par virement dont les euros ne sont jamais venus.\n\n[b]Exemple :[/b] "
        "mlc convert cancel ML-7K3Q9"
    ),
    "convert cancel REFERENCE": "La référence d'un ordre en attente.",
    "convert card": (
        "Enregistre une conversion payée par carte (émet les unités aussitôt).\n\n[b]Exemple "
        ":[/b] mlc convert card alice 20 --payment-ref pi_3Nx --key card-pi_3Nx"
    ),
    "convert card ACCOUNT": "Le compte crédité des unités.",
    "convert card AMOUNT": "Euros convertis, par exemple 50 ou 12,50.",
    "convert card --payment-ref": "L'identifiant du paiement par carte chez le prestataire.",
    "convert cash": (
        "Enregistre une conversion payée en espèces à un comptoir (émet les unités "
        "aussitôt).\n\n[b]Exemple :[/b] mlc convert cash alice 30 --office centre --key "
        "centre-2026-11-27-014"
    ),
    "convert cash ACCOUNT": "Le compte crédité des unités.",
    "convert cash AMOUNT": "Euros convertis, par exemple 50 ou 12,50.",
    "convert cash --office": "Le comptoir dont la caisse a reçu les espèces.",
    "convert cash --on": "Le jour où les espèces ont été reçues, AAAA-MM-JJ (par défaut : "
    "aujourd'hui) ; jamais dans une période close.",
    "convert pending": (
        "Liste les ordres par virement qui attendent encore leurs euros.\n\n[b]Exemple :[/b] "
        "mlc convert pending --json"
    ),
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="convert")


def _show(run: RunContext, done: Conversion, *, as_json: bool) -> None:
    if as_json:
        print_json(record_json(done))
        return
    run.out.print(
        run.messages(
            "convert.done",
            id=done.id,
            account=done.account,
            amount=format_amount(done.amount, decimal_separator=run.messages.decimal_separator),
            bonus=format_amount(done.bonus, decimal_separator=run.messages.decimal_separator),
            status=done.status,
        ),
        markup=False,
    )


@group.command("transfer-order")
def transfer_order(
    ctx: typer.Context,
    account: AccountArgument,
    amount: AmountArgument,
    key: KeyOption,
    as_json: JsonOption = False,
) -> None:
    """Record an order to convert by bank transfer and print the reference to quote.

    [b]Example:[/b] mlc convert transfer-order alice 50 --key order-alice-0001
    """
    run = run_context(ctx)
    minor = parse_amount(amount)
    done = conversions.order_conversion(run.context(), account, minor, key=key)
    if as_json:
        print_json(record_json(done))
        return
    run.out.print(run.messages("convert.ordered", reference=done.reference), markup=False)
    # The reference alone on its own line, for scripts that read the last line.
    run.out.print(done.reference or "", markup=False, highlight=False)


@group.command()
def credit(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The reference the member quoted.")],
    amount: Annotated[str, typer.Option("--amount", help="Euros received on the bank account.")],
    bank_ref: Annotated[str, typer.Option("--bank-ref", help="The bank's id of the transfer.")],
    on: Annotated[
        str | None,
        typer.Option("--on", help="The bank's booking day, YYYY-MM-DD (default: today)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Credit a bank-transfer order once its euros reached the reserve (issues the units).

    [b]Example:[/b] mlc convert credit ML-7K3Q9 --amount 50 --bank-ref 2026112700042
    """
    run = run_context(ctx)
    minor = parse_amount(amount)
    done = conversions.credit_order(
        run.context(), reference, amount=minor, bank_reference=bank_ref, on=day_or_none(run, on)
    )
    _show(run, done, as_json=as_json)


@group.command()
def cancel(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The reference of a pending order.")],
    as_json: JsonOption = False,
) -> None:
    """Cancel a bank-transfer order whose euros never came.

    [b]Example:[/b] mlc convert cancel ML-7K3Q9
    """
    run = run_context(ctx)
    done = conversions.cancel_order(run.context(), reference)
    _show(run, done, as_json=as_json)


@group.command()
def card(
    ctx: typer.Context,
    account: AccountArgument,
    amount: AmountArgument,
    payment_ref: Annotated[
        str, typer.Option("--payment-ref", help="The card payment's id at the provider.")
    ],
    key: KeyOption,
    as_json: JsonOption = False,
) -> None:
    """Record a conversion paid by card (issues the units at once).

    [b]Example:[/b] mlc convert card alice 20 --payment-ref pi_3Nx --key card-pi_3Nx
    """
    run = run_context(ctx)
    minor = parse_amount(amount)
    done = conversions.convert_by_card(
        run.context(), account, minor, payment_reference=payment_ref, key=key
    )
    _show(run, done, as_json=as_json)


@group.command()
def cash(
    ctx: typer.Context,
    account: AccountArgument,
    amount: AmountArgument,
    office: Annotated[str, typer.Option("--office", help="The office whose till took the cash.")],
    key: KeyOption,
    on: Annotated[
        str | None,
        typer.Option("--on", help="The day the cash was taken, YYYY-MM-DD (default: today)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Record a conversion paid in cash at an exchange office (issues the units at once).

    [b]Example:[/b] mlc convert cash alice 30 --office centre --key centre-2026-11-27-014
    """
    run = run_context(ctx)
    minor = parse_amount(amount)
    done = conversions.convert_cash(
        run.context(), office, account, minor, key=key, on=day_or_none(run, on)
    )
    _show(run, done, as_json=as_json)


@group.command("pending")
def pending(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the bank-transfer orders still waiting for their euros.

    [b]Example:[/b] mlc convert pending --json
    """
    run = run_context(ctx)
    orders = conversions.pending_orders(run.context())
    if as_json:
        print_json([record_json(order) for order in orders])
        return
    if not orders:
        run.out.print(run.messages("convert.none_pending"))
        return
    zone = run.context().deployment.zone
    table = Table(title=run.messages("convert.pending_title"))
    for column in ("reference", "account", "amount", "date"):
        table.add_column(run.messages(f"col.{column}"))
    for order in orders:
        table.add_row(
            order.reference or "",
            order.account,
            format_amount(order.amount, decimal_separator=run.messages.decimal_separator),
            day_in(order.created_at, zone).isoformat(),
        )
    run.out.print(table)
