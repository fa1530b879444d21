"""``mlc rules``: the currency's rules in force, their history, and changing one.

The rules live in the database from ``mlc init`` on (see :mod:`monnaie_locale.rules`);
the ``MLC_`` settings of the rules only seed them then. A change takes effect from the
day ``--from`` names, and is never rewritten: the next change is a new one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli import help_fr
from cli.commands.days import day as typed_day
from cli.commands.options import EXAMPLE, EXEMPLE, JsonOption
from cli.context import run_context
from cli.deployment_settings import record_json
from cli.lazy import lazy
from cli.output import print_json

if TYPE_CHECKING:
    from monnaie_locale.acts import rules
else:
    rules = lazy("monnaie_locale.acts.rules")

__all__ = ["register"]

group = typer.Typer(
    help=(
        "The currency's rules: bonus, fees, who may reconvert, limits; and their history.\n\n"
        f"{EXAMPLE}mlc rules set reconversion_fee.business 300 --from 2027-01-01"
    ),
    no_args_is_help=True,
)

# The French help of these commands, merged into cli.help_fr's table on registration.
FRENCH_HELP: dict[str, str] = {
    "rules": (
        "Les règles de la monnaie : bonus, commissions, qui peut reconvertir, plafonds ; et "
        f"leur historique.\n\n{EXEMPLE}mlc rules set reconversion_fee.business 300 "
        "--from 2027-01-01"
    ),
    "rules show": (
        "Affiche les règles en vigueur un jour donné, et la modification qui a fixé chacune."
        f"\n\n{EXEMPLE}mlc rules show --on 2027-01-01"
    ),
    "rules show --on": "Le jour, AAAA-MM-JJ (par défaut : aujourd'hui).",
    "rules history": (
        f"Liste chaque modification des règles, dans l'ordre.\n\n{EXEMPLE}mlc rules history"
    ),
    "rules set": (
        "Change une règle à partir d'un jour ; rien n'est réécrit, la modification s'ajoute."
        "\n\nRègles : conversion_bonus (points de base, 300 = 3 %), "
        "reconversion_fee.<catégorie> (points de base), members_may_reconvert et "
        "authorities_may_reconvert (oui/non), membership_fee.<type> (15,00/year ou "
        "1,50/month), max_balance.<type> et max_conversion.<type> (montant, ou none).\n\n"
        f"{EXEMPLE}mlc rules set membership_fee.member 15,00/year --from 2027-01-01"
    ),
    "rules set NAME": "La règle, par exemple conversion_bonus ou reconversion_fee.business.",
    "rules set VALUE": "Sa nouvelle valeur, telle qu'on l'écrit : 300, oui, 15,00/year, none.",
    "rules set --from": "Le jour d'entrée en vigueur, AAAA-MM-JJ.",
    "rules set --new-category": (
        "Crée la catégorie de reconversion nommée, qu'aucune règle ne tarifait encore."
    ),
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="rules")


@group.command()
def show(
    ctx: typer.Context,
    on: Annotated[
        str | None, typer.Option("--on", help="The day, YYYY-MM-DD (default: today).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show the rules in force on a day, and the change that set each.

    [b]Example:[/b] mlc rules show --on 2027-01-01
    """
    run = run_context(ctx)
    context = run.context()
    day = context.clock().date() if on is None else typed_day(run, on)
    found = rules.show_rules(context, day)
    if as_json:
        print_json([record_json(item) for item in found])
        return
    table = Table(title=run.messages("rules.title", day=day.isoformat()))
    for column in ("rule", "value", "version", "effective_from"):
        table.add_column(run.messages(f"col.{column}"))
    for item in found:
        since = "" if item.effective_from is None else item.effective_from.isoformat()
        version = run.messages("rules.settings") if item.version is None else str(item.version)
        table.add_row(item.rule, item.value, version, since)
    run.out.print(table)


@group.command()
def history(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List every change of the rules, in the order they were made.

    [b]Example:[/b] mlc rules history
    """
    run = run_context(ctx)
    found = rules.rule_history(run.context())
    if as_json:
        print_json([record_json(item) for item in found])
        return
    table = Table(title=run.messages("rules.history_title"))
    for column in ("version", "rule", "value", "effective_from", "changed_by", "changed_at"):
        table.add_column(run.messages(f"col.{column}"))
    for item in found:
        table.add_row(
            str(item.id),
            item.rule,
            item.value,
            item.effective_from.isoformat(),
            item.changed_by,
            item.changed_at.isoformat(timespec="seconds"),
        )
    run.out.print(table)


@group.command(name="set")
def set_rule(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(help="The rule, such as conversion_bonus or reconversion_fee.business."),
    ],
    value: Annotated[
        str,
        typer.Argument(help="Its new value as people write it: 300, yes, 15,00/year, none."),
    ],
    effective_from: Annotated[
        str, typer.Option("--from", help="The day it applies from, YYYY-MM-DD.")
    ],
    new_category: Annotated[
        bool,
        typer.Option("--new-category", help="Price a reconversion category no rule priced yet."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Change a rule from a day on; nothing is rewritten, the change is added.

    Rules: conversion_bonus (basis points, 300 = 3 %), reconversion_fee.<category> (basis
    points), members_may_reconvert and authorities_may_reconvert (yes/no),
    membership_fee.<kind> (15,00/year or 1,50/month), max_balance.<kind> and
    max_conversion.<kind> (an amount, or none).

    [b]Example:[/b] mlc rules set membership_fee.member 15,00/year --from 2027-01-01
    """
    run = run_context(ctx)
    day = typed_day(run, effective_from)
    change = rules.change_rule(
        run.context(), name, value, effective_from=day, new_category=new_category
    )
    if as_json:
        print_json(record_json(change))
        return
    run.out.print(
        run.messages(
            "rules.changed",
            rule=change.rule,
            value=change.value,
            day=change.effective_from.isoformat(),
            version=change.id,
        ),
        markup=False,
    )
