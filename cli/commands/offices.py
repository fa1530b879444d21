"""``mlc offices``: open an exchange office, close its till, send its cash to the bank,
close the office for good.

A closing compares the cash counted in the till with what the books expect and books the
difference as a loss or a gain; banking moves cash from the till into transit until the
bank statement shows it on the reserve (``mlc offices received`` or the statement import).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cli import help_fr
from cli.commands.options import JsonOption, KeyOption
from cli.context import RunContext, run_context
from cli.deployment_settings import record_json
from cli.lazy import lazy
from cli.output import print_json
from monnaie_locale.money import format_amount, parse_amount

if TYPE_CHECKING:
    from monnaie_locale.acts import offices
else:
    offices = lazy("monnaie_locale.acts.offices")

__all__ = ["register"]

group = typer.Typer(
    help=(
        "Exchange offices: open one, close its till, bank its cash, close it.\n\n"
        "[b]Example:[/b] mlc offices close-till centre --counted 412,50 --key "
        "close-centre-2026-11-27"
    ),
    no_args_is_help=True,
)
OfficeArgument = Annotated[str, typer.Argument(help="The exchange office's id.")]


# The French help of these commands, merged into cli.help_fr's table on registration.
FRENCH_HELP: dict[str, str] = {
    "offices": (
        "Comptoirs de change : en ouvrir un, clore sa caisse, déposer ses espèces à la "
        "banque, le fermer.\n\n[b]Exemple :[/b] mlc offices close-till centre --counted "
        "412,50 --key close-centre-2026-11-27"
    ),
    "offices add": (
        "Ouvre la caisse et le stock de billets d'un nouveau comptoir (une seule "
        "fois).\n\n[b]Exemple :[/b] mlc offices add halles"
    ),
    "offices add OFFICE": "L'identifiant du comptoir.",
    "offices close-till": (
        "Enregistre le comptage de la caisse ; un écart est passé en perte ou en "
        "gain.\n\n[b]Exemple :[/b] mlc offices close-till centre --counted 412,50 --key "
        "close-centre-2026-11-27"
    ),
    "offices close-till OFFICE": "L'identifiant du comptoir.",
    "offices close-till --counted": "Espèces comptées dans la caisse, en euros.",
    "offices close": (
        "Ferme un comptoir pour de bon : sa caisse et son stock de billets refusent toute "
        "opération. Refusé tant que la caisse contient des espèces (déposez-les à la "
        "banque) ou le stock des billets (rendez-les au coffre).\n\n[b]Exemple :[/b] mlc "
        "offices close halles"
    ),
    "offices close OFFICE": "L'identifiant du comptoir.",
    "offices bank": (
        "Envoie les espèces d'un comptoir à la banque : elles restent en transit jusqu'au "
        "relevé.\n\nAffiche la référence à porter sur le bordereau de versement : le relevé "
        "la montre, et son import reçoit le dépôt.\n\n[b]Exemple :[/b] mlc offices bank "
        "centre --key bank-centre-2026-11-27"
    ),
    "offices bank OFFICE": "L'identifiant du comptoir.",
    "offices bank --amount": "Euros portés à la banque (par défaut : toute la caisse).",
    "offices received": (
        "Enregistre que la banque a crédité un dépôt d'espèces sur la réserve.\n\n[b]Exemple "
        ":[/b] mlc offices received 7 --bank-ref 2026112800031"
    ),
    "offices received DEPOSIT_ID": "Le numéro du dépôt d'espèces.",
    "offices received --bank-ref": "L'identifiant du dépôt à la banque.",
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="offices")


def _money(run: RunContext, minor: int) -> str:
    return format_amount(minor, decimal_separator=run.messages.decimal_separator)


@group.command()
def add(ctx: typer.Context, office: OfficeArgument) -> None:
    """Open a new exchange office's till and note stock (once).

    [b]Example:[/b] mlc offices add halles
    """
    run = run_context(ctx)
    offices.add_office(run.context(), office)
    run.out.print(run.messages("offices.added", office=office), markup=False)


@group.command("close-till")
def close_till(
    ctx: typer.Context,
    office: OfficeArgument,
    counted: Annotated[str, typer.Option("--counted", help="Cash counted in the till, euros.")],
    key: KeyOption,
    as_json: JsonOption = False,
) -> None:
    """Record the day's till count; a difference is booked as a loss or a gain.

    [b]Example:[/b] mlc offices close-till centre --counted 412,50 --key close-centre-2026-11-27
    """
    run = run_context(ctx)
    minor = parse_amount(counted)
    closing = offices.close_till(run.context(), office, minor, key=key)
    if as_json:
        print_json(record_json(closing))
        return
    run.out.print(
        run.messages(
            "offices.closed",
            office=office,
            expected=_money(run, closing.expected),
            counted=_money(run, closing.counted),
            difference=_money(run, abs(closing.difference)),
            sign="-" if closing.difference < 0 else "+",
        ),
        markup=False,
    )


@group.command()
def close(ctx: typer.Context, office: OfficeArgument, as_json: JsonOption = False) -> None:
    """Close an exchange office for good: its till and note stock refuse every operation.

    Refused while the till holds cash (bank it: mlc offices bank) or the stock holds
    notes (return them: mlc notes return).

    [b]Example:[/b] mlc offices close halles
    """
    run = run_context(ctx)
    closed = offices.close_office(run.context(), office)
    if as_json:
        print_json(record_json(closed))
        return
    run.out.print(run.messages("offices.office_closed", office=closed.office), markup=False)


@group.command()
def bank(
    ctx: typer.Context,
    office: OfficeArgument,
    key: KeyOption,
    amount: Annotated[
        str | None,
        typer.Option("--amount", help="Euros taken to the bank (default: the whole till)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Send an office's cash to the bank: it waits in transit until the bank shows it.

    Prints the reference to write on the bank's deposit slip: the statement shows it, and
    its import receives the deposit.

    [b]Example:[/b] mlc offices bank centre --key bank-centre-2026-11-27
    """
    run = run_context(ctx)
    wanted = None if amount is None else parse_amount(amount)
    deposit = offices.bank_till(run.context(), office, wanted, key=key)
    if as_json:
        print_json(record_json(deposit))
        return
    run.out.print(
        run.messages(
            "offices.banked", office=office, amount=_money(run, deposit.amount), id=deposit.id
        ),
        markup=False,
    )
    run.out.print(run.messages("offices.deposit_reference"), markup=False)
    # The reference alone on its own line, for scripts that read the last line.
    run.out.print(deposit.reference, markup=False, highlight=False)


@group.command()
def received(
    ctx: typer.Context,
    deposit_id: Annotated[int, typer.Argument(help="The cash deposit's id.", min=1)],
    bank_ref: Annotated[str, typer.Option("--bank-ref", help="The bank's id of the deposit.")],
    as_json: JsonOption = False,
) -> None:
    """Record that the bank credited a cash deposit to the reserve.

    [b]Example:[/b] mlc offices received 7 --bank-ref 2026112800031
    """
    run = run_context(ctx)
    deposit = offices.receive_till_deposit(run.context(), deposit_id, bank_ref)
    if as_json:
        print_json(record_json(deposit))
        return
    run.out.print(
        run.messages("offices.received", id=deposit.id, amount=_money(run, deposit.amount)),
        markup=False,
    )
