"""``mlc versement``: a régie pays in what it collected, and the état de versement.

The régisseur (``--as``) sees whether the régie's versement is due, prepares it (its units
go to the Trésor as a reconversion the association then pays with its batches), lists the
régie's versements and writes the état of one as CSV or PDF for the public accountant.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli import help_fr
from cli.commands.options import JsonOption, KeyOption
from cli.context import RunContext, run_context
from cli.deployment_settings import record_json
from cli.errors import UsageProblem
from cli.lazy import lazy
from cli.output import print_json
from monnaie_locale.money import format_amount

if TYPE_CHECKING:
    from monnaie_locale.acts import versements
    from monnaie_locale.authorities.versements import Versement
else:
    versements = lazy("monnaie_locale.acts.versements")

__all__ = ["register"]

group = typer.Typer(
    help=(
        "A régie's versements to the public accountant, and their états.\n\n"
        "[b]Example:[/b] mlc --as regisseur versement prepare bayonne-piscine --key v-2026-11"
    ),
    no_args_is_help=True,
)

_FORMATS = ("csv", "pdf")
RegieArgument = Annotated[str, typer.Argument(help="The régie's code.")]

# The French help of these commands, merged into cli.help_fr's table on registration.
FRENCH_HELP: dict[str, str] = {
    "versement": (
        "Les versements d'une régie au comptable public, et leurs états.\n\n"
        "[b]Exemple :[/b] mlc --as regisseur versement prepare bayonne-piscine --key v-2026-11"
    ),
    "versement due": (
        "L'encaisse de la régie, son plafond, son dernier versement et le jour où le "
        "prochain est dû ; dit s'il est dû maintenant (plafond atteint ou période "
        "écoulée).\n\n[b]Exemple :[/b] mlc versement due bayonne-piscine"
    ),
    "versement due REGIE": "Le code de la régie.",
    "versement prepare": (
        "Verse toutes les quittances pas encore versées : leurs unités sont reconverties "
        "selon la convention en vigueur et virées au Trésor par l'association.\n\n"
        "[b]Exemple :[/b] mlc --as regisseur versement prepare bayonne-piscine --key v-2026-11"
    ),
    "versement prepare REGIE": "Le code de la régie.",
    "versement list": (
        "Les versements de la régie, les plus anciens d'abord.\n\n[b]Exemple :[/b] "
        "mlc versement list bayonne-piscine"
    ),
    "versement list REGIE": "Le code de la régie.",
    "versement etat": (
        "Écrit l'état d'un versement (ses quittances, totaux, commission, euros versés) en "
        "CSV ou en PDF.\n\n[b]Exemple :[/b] mlc versement etat bayonne-piscine 3 --format "
        "pdf --output etat-2026-0003.pdf"
    ),
    "versement etat REGIE": "Le code de la régie.",
    "versement etat VERSEMENT_ID": "Le numéro du versement (son id).",
    "versement etat --format": "csv ou pdf.",
    "versement etat --output": "Le fichier à écrire (il ne doit pas exister).",
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="versement")


def _money(run: RunContext, minor: int) -> str:
    return format_amount(minor, decimal_separator=run.messages.decimal_separator)


def _show(run: RunContext, done: Versement, *, as_json: bool) -> None:
    if as_json:
        print_json(record_json(done))
        return
    run.out.print(
        run.messages(
            "versement.done",
            label=done.label,
            id=done.id,
            regie=done.regie,
            units=_money(run, done.units),
            fee=_money(run, done.fee),
            euros=_money(run, done.euros),
            quittances=done.quittances,
        ),
        markup=False,
    )


@group.command()
def due(ctx: typer.Context, regie: RegieArgument, as_json: JsonOption = False) -> None:
    """The régie's encaisse, cap, last versement and the day the next is due; whether it
    is due now (cap reached or period over).

    [b]Example:[/b] mlc versement due bayonne-piscine
    """
    run = run_context(ctx)
    found = versements.versement_due(run.context(), regie)
    if as_json:
        print_json(record_json(found))
        return
    never = run.messages("versement.never")
    run.out.print(
        run.messages(
            "versement.due",
            regie=found.regie,
            encaisse=_money(run, found.encaisse),
            cap=_money(run, found.cap),
            last=never if found.last_versement is None else found.last_versement.isoformat(),
            due_on=never if found.due_on is None else found.due_on.isoformat(),
        ),
        markup=False,
    )
    reason = "versement.not_due" if found.reason is None else f"versement.due_{found.reason}"
    run.out.print(run.messages(reason), markup=False)


@group.command()
def prepare(
    ctx: typer.Context, regie: RegieArgument, key: KeyOption, as_json: JsonOption = False
) -> None:
    """Pay in every quittance not yet paid in: their units are reconverted under the
    convention in force and wired to the Trésor by the association.

    [b]Example:[/b] mlc --as regisseur versement prepare bayonne-piscine --key v-2026-11
    """
    run = run_context(ctx)
    _show(run, versements.prepare_versement(run.context(), regie, key=key), as_json=as_json)


@group.command("list")
def list_versements(ctx: typer.Context, regie: RegieArgument, as_json: JsonOption = False) -> None:
    """The régie's versements, oldest first.

    [b]Example:[/b] mlc versement list bayonne-piscine
    """
    run = run_context(ctx)
    found = versements.list_versements(run.context(), regie)
    if as_json:
        print_json([record_json(item) for item in found])
        return
    if not found:
        run.out.print(run.messages("versement.none"), markup=False)
        return
    table = Table(title=run.messages("versement.title", regie=regie))
    for column in ("id", "number", "date", "quittances", "units", "fee", "euros", "status"):
        table.add_column(run.messages(f"col.{column}"))
    for item in found:
        table.add_row(
            str(item.id),
            item.label,
            item.prepared_at.date().isoformat(),
            str(item.quittances),
            _money(run, item.units),
            _money(run, item.fee),
            _money(run, item.euros),
            item.status or "",
        )
    run.out.print(table)


@group.command()
def etat(
    ctx: typer.Context,
    regie: RegieArgument,
    versement_id: Annotated[int, typer.Argument(help="The versement's id.", min=1)],
    output: Annotated[
        Path, typer.Option("--output", help="The file to write (it must not exist).")
    ],
    format: Annotated[str, typer.Option("--format", help="csv or pdf.")] = "csv",
) -> None:
    """Write a versement's état (its quittances, totals, fee, euros paid in) as CSV or PDF.

    [b]Example:[/b] mlc versement etat bayonne-piscine 3 --format pdf --output etat-2026-0003.pdf
    """
    run = run_context(ctx)
    if format not in _FORMATS:
        raise UsageProblem(run.messages("versement.bad_format", formats=", ".join(_FORMATS)))
    if output.exists():
        raise UsageProblem(run.messages("reconversion.file_exists", path=output))
    found = versements.etat_de_versement(run.context(), regie, versement_id)
    content = versements.etat_csv(found) if format == "csv" else versements.etat_pdf(found)
    output.write_bytes(content)
    run.out.print(
        run.messages("versement.written", label=found.versement.label, path=output), markup=False
    )
