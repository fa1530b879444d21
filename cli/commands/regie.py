"""``mlc regie``: open a régie of a local authority, list and show the régies, add and
list the tariffs of its counter.

A régie collects into an account of its own, opened with it (``authority:regie-CODE``),
up to its montant maximum de l'encaisse. Its régisseur adds its tariffs; whoever works
there or checks what it collected reads them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli import help_fr
from cli.commands.options import EXEMPLE, JsonOption
from cli.context import RunContext, run_context
from cli.lazy import lazy
from cli.output import print_json
from monnaie_locale.money import format_amount, parse_amount

if TYPE_CHECKING:
    from monnaie_locale.acts import authorities
    from monnaie_locale.authorities.registry import Regie, Tariff
else:
    authorities = lazy("monnaie_locale.acts.authorities")

__all__ = ["register"]

group = typer.Typer(
    help=(
        "Régies of local authorities: open one, list them, their tariffs.\n\n"
        "[b]Example:[/b] mlc regie tariffs bayonne-piscine"
    ),
    no_args_is_help=True,
)
tariff_group = typer.Typer(
    help="A régie's tariffs.\n\n[b]Example:[/b] mlc regie tariffs bayonne-piscine",
    no_args_is_help=True,
)
group.add_typer(tariff_group, name="tariff")

RegieArgument = Annotated[str, typer.Argument(help="The régie's code, e.g. bayonne-piscine.")]
_REGIE_FR = "Le code de la régie, par exemple bayonne-piscine."

FRENCH_HELP: dict[str, str] = {
    "regie": (
        "Régies des collectivités : en ouvrir une, les lister, leurs tarifs.\n\n"
        f"{EXEMPLE}mlc regie tariffs bayonne-piscine"
    ),
    "regie create": (
        "Ouvre une régie de la collectivité et son compte authority:regie-CODE, avec son "
        f"montant maximum d'encaisse.\n\n{EXEMPLE}mlc regie create bayonne bayonne-piscine "
        '--name "Piscine municipale" --cash-cap 1000'
    ),
    "regie create AUTHORITY": "Le code de la collectivité, par exemple bayonne.",
    "regie create CODE": "Le code de la régie, par exemple bayonne-piscine.",
    "regie create --name": "Son nom, par exemple Piscine municipale.",
    "regie create --cash-cap": "Le montant maximum de l'encaisse, en unités.",
    "regie create --names-payers": "Les quittances portent le nom de qui paie.",
    "regie list": f"Liste les régies que vous pouvez lire.\n\n{EXEMPLE}mlc regie list",
    "regie show": f"Montre une régie.\n\n{EXEMPLE}mlc regie show bayonne-piscine",
    "regie show REGIE": _REGIE_FR,
    "regie tariff": f"Les tarifs d'une régie.\n\n{EXEMPLE}mlc regie tariffs bayonne-piscine",
    "regie tariff add": (
        "Ajoute un tarif au guichet de la régie : son libellé est l'objet de la quittance."
        f'\n\n{EXEMPLE}mlc regie tariff add bayonne-piscine "Entrée piscine, plein tarif" 4,50'
    ),
    "regie tariff add REGIE": _REGIE_FR,
    "regie tariff add LABEL": "Le libellé, objet de la quittance.",
    "regie tariff add AMOUNT": "Le montant, en unités (4,50).",
    "regie tariffs": (
        f"Liste les tarifs de la régie.\n\n{EXEMPLE}mlc regie tariffs bayonne-piscine"
    ),
    "regie tariffs REGIE": _REGIE_FR,
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="regie")


def _money(run: RunContext, minor: int) -> str:
    return format_amount(minor, decimal_separator=run.messages.decimal_separator)


def _regie_json(regie: Regie) -> dict[str, object]:
    return {
        "code": regie.code,
        "name": regie.name,
        "authority": regie.authority,
        "account": regie.account,
        "cash_cap": regie.cash_cap,
        "names_payers": regie.names_payers,
    }


def _tariff_json(tariff: Tariff) -> dict[str, object]:
    return {"id": tariff.id, "label": tariff.label, "amount": tariff.amount}


def regies_table(run: RunContext, found: list[Regie]) -> Table:
    m = run.messages
    table = Table(title=m("regie.title"))
    for column in ("col.code", "col.name", "col.authority", "col.account", "col.cash_cap"):
        table.add_column(m(column))
    for regie in found:
        table.add_row(
            regie.code, regie.name, regie.authority, regie.account, _money(run, regie.cash_cap)
        )
    return table


@group.command()
def create(
    ctx: typer.Context,
    authority: Annotated[str, typer.Argument(help="The authority's code, e.g. bayonne.")],
    code: Annotated[str, typer.Argument(help="The régie's code, e.g. bayonne-piscine.")],
    name: Annotated[str, typer.Option("--name", help="Its name, e.g. Piscine municipale.")],
    cash_cap: Annotated[
        str, typer.Option("--cash-cap", help="The montant maximum de l'encaisse, in units.")
    ],
    names_payers: Annotated[
        bool, typer.Option("--names-payers", help="Quittances carry the payer's name.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Open a régie of the authority and its account authority:regie-CODE, with its
    montant maximum de l'encaisse.

    [b]Example:[/b] mlc regie create bayonne bayonne-piscine --name "Piscine municipale"
    --cash-cap 1000
    """
    run = run_context(ctx)
    created = authorities.create_regie(
        run.context(),
        authority,
        code,
        name=name,
        cash_cap=parse_amount(cash_cap),
        names_payers=names_payers,
    )
    if as_json:
        print_json(_regie_json(created))
        return
    run.out.print(
        run.messages("regie.created", code=created.code, account=created.account), markup=False
    )


@group.command("list")
def list_regies(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the régies you may read.

    [b]Example:[/b] mlc regie list
    """
    run = run_context(ctx)
    found = authorities.my_regies(run.context())
    if as_json:
        print_json([_regie_json(regie) for regie in found])
        return
    if not found:
        run.out.print(run.messages("regie.none"), markup=False)
        return
    run.out.print(regies_table(run, found))


@group.command()
def show(ctx: typer.Context, regie: RegieArgument, as_json: JsonOption = False) -> None:
    """Show a régie.

    [b]Example:[/b] mlc regie show bayonne-piscine
    """
    run = run_context(ctx)
    found = authorities.get_regie(run.context(), regie)
    if as_json:
        print_json(_regie_json(found))
        return
    run.out.print(regies_table(run, [found]))


@tariff_group.command()
def add(
    ctx: typer.Context,
    regie: RegieArgument,
    label: Annotated[str, typer.Argument(help="The label, the quittance's object.")],
    amount: Annotated[str, typer.Argument(help="The amount, in units (4.50).")],
    as_json: JsonOption = False,
) -> None:
    """Add a tariff to the régie's counter: its label is the quittance's object.

    [b]Example:[/b] mlc regie tariff add bayonne-piscine "Entrée piscine, plein tarif" 4.50
    """
    run = run_context(ctx)
    added = authorities.add_tariff(run.context(), regie, label=label, amount=parse_amount(amount))
    if as_json:
        print_json(_tariff_json(added))
        return
    run.out.print(
        run.messages(
            "regie.tariff_added", regie=regie, label=added.label, amount=_money(run, added.amount)
        ),
        markup=False,
    )


@group.command()
def tariffs(ctx: typer.Context, regie: RegieArgument, as_json: JsonOption = False) -> None:
    """List the régie's tariffs.

    [b]Example:[/b] mlc regie tariffs bayonne-piscine
    """
    run = run_context(ctx)
    found = authorities.list_tariffs(run.context(), regie)
    if as_json:
        print_json([_tariff_json(tariff) for tariff in found])
        return
    if not found:
        run.out.print(run.messages("regie.no_tariff", regie=regie), markup=False)
        return
    m = run.messages
    table = Table(title=m("regie.tariffs_title", regie=regie))
    for column in ("col.id", "col.label", "col.amount"):
        table.add_column(m(column))
    for tariff in found:
        table.add_row(str(tariff.id), tariff.label, _money(run, tariff.amount))
    run.out.print(table)
