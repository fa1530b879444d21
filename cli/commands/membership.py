"""``mlc membership``: record membership fees and see who is up to date.

Fees per account kind are rules of the currency (``mlc rules set membership_fee.member
15,00/year``), first recorded by ``mlc init`` from ``MLC_MEMBERSHIP_FEES``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.table import Table

from cli import help_fr
from cli.commands.days import day_or_none
from cli.commands.options import JsonOption, KeyOption
from cli.context import run_context
from cli.deployment_settings import record_json
from cli.errors import Discrepancy, UsageProblem
from cli.lazy import lazy
from cli.output import print_json
from monnaie_locale.clock import day_in
from monnaie_locale.money import format_amount

if TYPE_CHECKING:
    from monnaie_locale.acts import membership
else:
    membership = lazy("monnaie_locale.acts.membership")

__all__ = ["register"]

group = typer.Typer(
    help=(
        "Membership fees: record a payment, list who has paid.\n\n"
        "[b]Example:[/b] mlc membership pay alice --period 2026 --paid-in euros "
        "--key fee-alice-2026"
    ),
    no_args_is_help=True,
)


# The French help of these commands, merged into cli.help_fr's table on registration.
FRENCH_HELP: dict[str, str] = {
    "membership": (
        "Cotisations : enregistrer un paiement, voir qui a payé.\n\n[b]Exemple :[/b] mlc "
        "membership pay alice --period 2026 --paid-in euros --key fee-alice-2026"
    ),
    "membership pay": (
        "Enregistre la cotisation d'un compte pour une période.\n\n[b]Exemple :[/b] mlc "
        "membership pay alice --period 2026 --paid-in units --key fee-alice-2026"
    ),
    "membership pay ACCOUNT": "Le compte de l'adhérent ou du professionnel.",
    "membership pay --period": "La période payée : 2026 ou 2026-11.",
    "membership pay --paid-in": "units (prélevées sur le compte) ou euros (espèces, chèque).",
    "membership pay --on": "Le jour du paiement, AAAA-MM-JJ (par défaut : aujourd'hui).",
    "membership status": (
        "Liste l'état de cotisation de chaque adhérent et professionnel pour la période en "
        "cours.\n\n[b]Exemple :[/b] mlc membership status --unpaid"
    ),
    "membership status --on": "Le jour à vérifier, AAAA-MM-JJ (par défaut : aujourd'hui).",
    "membership status --unpaid": (
        "Seulement ceux qui n'ont pas payé ; code de sortie 1 s'il y en a."
    ),
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="membership")


@group.command()
def pay(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="The member's or business's account.")],
    period: Annotated[str, typer.Option("--period", help="The period paid: 2026 or 2026-11.")],
    key: KeyOption,
    paid_in: Annotated[
        str, typer.Option("--paid-in", help="units (from the account) or euros (cash, cheque).")
    ] = "euros",
    on: Annotated[
        str | None,
        typer.Option("--on", help="The day it was paid, YYYY-MM-DD (default: today)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Record an account's membership fee for a period.

    [b]Example:[/b] mlc membership pay alice --period 2026 --paid-in units --key fee-alice-2026
    """
    run = run_context(ctx)
    if paid_in not in ("units", "euros"):
        raise UsageProblem(run.messages("membership.bad_paid_in", value=paid_in))
    means: Literal["units", "euros"] = "units" if paid_in == "units" else "euros"
    paid = membership.pay_fee(
        run.context(), account, period, paid_in=means, key=key, on=day_or_none(run, on)
    )
    if as_json:
        print_json(record_json(paid))
        return
    amount = format_amount(paid.amount, decimal_separator=run.messages.decimal_separator)
    run.out.print(
        run.messages(
            "membership.paid",
            account=paid.account,
            period=paid.period,
            amount=amount,
            currency=paid.currency,
        ),
        markup=False,
    )


@group.command()
def status(
    ctx: typer.Context,
    on: Annotated[
        str | None, typer.Option("--on", help="The day to check, YYYY-MM-DD (default: today).")
    ] = None,
    unpaid: Annotated[
        bool, typer.Option("--unpaid", help="Only those who have not paid; exit 1 if any.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """List each member's and business's fee status for the current period.

    [b]Example:[/b] mlc membership status --unpaid
    """
    run = run_context(ctx)
    try:
        wanted = None if on is None else date.fromisoformat(on)
    except ValueError as error:
        raise UsageProblem(run.messages("export.bad_date", value=on)) from error
    context = run.context()
    day = day_in(context.clock(), context.deployment.zone) if wanted is None else wanted
    found = membership.fee_status(context, day)
    shown = [item for item in found if not (unpaid and item.paid)]
    if as_json:
        print_json([record_json(item) for item in shown])
    else:
        table = Table(title=run.messages("membership.title", day=day.isoformat()))
        for column in ("account", "kind", "period", "paid"):
            table.add_column(run.messages(f"col.{column}"))
        for item in shown:
            yes_no = run.messages("membership.yes" if item.paid else "membership.no")
            table.add_row(item.account, item.kind, item.period, yes_no)
        run.out.print(table)
    if unpaid and shown:
        raise Discrepancy(run.messages("membership.some_unpaid", count=len(shown)))
