"""``mlc period``: the closing checklist, closing the books through a day, the closings.

``checklist`` exits with 1 when a check fails, so a scheduled job can alert; ``close``
is refused (exit 3) unless every check passes: there is no forcing a closing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from cli import help_fr
from cli.commands.days import day
from cli.commands.options import JsonOption
from cli.context import run_context
from cli.errors import Discrepancy
from cli.lazy import lazy
from cli.output import print_json

if TYPE_CHECKING:
    from monnaie_locale.acts import periods
    from monnaie_locale.periods import Check, ClosedPeriod
else:
    periods = lazy("monnaie_locale.acts.periods")

__all__ = ["register"]

group = typer.Typer(
    help=(
        "Accounting periods: the closing checklist, closing the books.\n\n"
        "[b]Example:[/b] mlc period checklist 2026-12-31"
    ),
    no_args_is_help=True,
)

ThroughArgument = Annotated[str, typer.Argument(help="The period's last day, YYYY-MM-DD.")]

FRENCH_HELP: dict[str, str] = {
    "period": (
        "Périodes comptables : liste de contrôle de clôture, clôture des comptes.\n\n"
        "[b]Exemple :[/b] mlc period checklist 2026-12-31"
    ),
    "period checklist": (
        "Montre chaque contrôle de la clôture (journal, couverture, rapprochement bancaire) "
        "avec ✓ ou ✗. Code de sortie 1 quand un contrôle échoue.\n\n"
        "[b]Exemple :[/b] mlc period checklist 2026-12-31"
    ),
    "period checklist THROUGH": "Le dernier jour de la période, AAAA-MM-JJ.",
    "period close": (
        "Clôt les comptes jusqu'à un jour passé, si chaque contrôle réussit (pas de "
        "forçage). Ensuite, aucune opération ne peut être datée dans la période ; la "
        "contrepassation d'une de ses écritures est datée du jour.\n\n"
        "[b]Exemple :[/b] mlc period close 2026-12-31 --year-end"
    ),
    "period close THROUGH": "Le dernier jour de la période, AAAA-MM-JJ (un jour passé).",
    "period close --year-end": "La fin d'un exercice : le FEC suivant s'ouvre sur les à-nouveaux.",
    "period close --note": "Une note gardée avec la clôture.",
    "period list": "Les clôtures des comptes, de la plus ancienne à la plus récente.\n\n"
    "[b]Exemple :[/b] mlc period list --json",
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="period")


def _check_json(check: Check) -> dict[str, object]:
    return {"name": check.name, "passed": check.passed, "detail": check.detail}


def _period_json(period: ClosedPeriod) -> dict[str, object]:
    return {
        "closed_through": period.closed_through.isoformat(),
        "year_end": period.year_end,
        "closed_at": period.closed_at.isoformat(),
        "closed_by": period.closed_by,
        "note": period.note,
    }


@group.command()
def checklist(ctx: typer.Context, through: ThroughArgument, as_json: JsonOption = False) -> None:
    """Show each check a closing needs (journal, coverage, bank reconciliation), ✓ or ✗.

    Exits with 1 when a check fails.

    [b]Example:[/b] mlc period checklist 2026-12-31
    """
    run = run_context(ctx)
    checks = periods.closing_checklist(run.context(), day(run, through))
    passed = all(check.passed for check in checks)
    if as_json:
        print_json(
            {"through": through, "passed": passed, "checks": [_check_json(c) for c in checks]}
        )
    else:
        for check in checks:
            mark = "✓" if check.passed else "✗"
            label = run.messages(f"period.check_{check.name}")
            run.out.print(f"{mark} {escape(label)}: {escape(check.detail)}")
    if not passed:
        raise Discrepancy(run.messages("period.checklist_failed", through=through))


@group.command()
def close(
    ctx: typer.Context,
    through: ThroughArgument,
    year_end: Annotated[
        bool, typer.Option("--year-end", help="The end of an exercice (the FEC carries it).")
    ] = False,
    note: Annotated[str, typer.Option("--note", help="A note kept with the closing.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Close the books through a past day, if every check of the checklist passes.

    Nothing can be dated inside the period afterwards; a reversal of one of its
    entries is dated today. There is no forcing a closing: fix what the checklist shows.

    [b]Example:[/b] mlc period close 2026-12-31 --year-end
    """
    run = run_context(ctx)
    closed = periods.close_period(run.context(), day(run, through), year_end=year_end, note=note)
    if as_json:
        print_json(_period_json(closed))
        return
    run.out.print(
        run.messages("period.closed", through=closed.closed_through.isoformat()), markup=False
    )


@group.command("list")
def list_(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The closings of the books, oldest first.

    [b]Example:[/b] mlc period list --json
    """
    run = run_context(ctx)
    closings = periods.list_periods(run.context())
    if as_json:
        print_json([_period_json(period) for period in closings])
        return
    if not closings:
        run.out.print(run.messages("period.none"), markup=False)
    for period in closings:
        kind = run.messages("period.year_end") if period.year_end else ""
        line = f"{period.closed_through.isoformat()}  {period.closed_by}  {kind}  {period.note}"
        run.out.print(line.rstrip(), markup=False)
