"""``mlc takings``: what a shop's QR checkout received and refunded, by day and month.

Days are the deployment's (``MLC_TIME_ZONE``): a payment at 23:30 UTC in winter is the
next day's in Paris. The shop's owner and cashiers read their shop's; auditors, the
association's operators and administrators read any shop's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli import help_fr
from cli.commands.days import day_or_none
from cli.commands.options import JsonOption
from cli.context import RunContext, run_context
from cli.errors import UsageProblem
from cli.lazy import lazy
from cli.output import print_json
from monnaie_locale.money import format_amount

if TYPE_CHECKING:
    from datetime import date

    from monnaie_locale.acts import takings as takings_acts
    from monnaie_locale.acts.takings import Totals
else:
    takings_acts = lazy("monnaie_locale.acts.takings")

__all__ = ["register"]

# The French help of this command, merged into cli.help_fr's table on registration.
FRENCH_HELP: dict[str, str] = {
    "takings": (
        "Les recettes d'un commerce par QR code, pour un jour et un mois, jour par jour.\n\n"
        "Encaissé, remboursé, net et nombre de paiements, dans le fuseau du déploiement."
        "\n\n[b]Exemple :[/b] mlc --as baker takings bakery --month 2026-11"
    ),
    "takings ACCOUNT": "Le compte du commerce, par exemple bakery.",
    "takings --day": "Le jour, AAAA-MM-JJ (par défaut : aujourd'hui).",
    "takings --month": "Le mois, AAAA-MM (par défaut : celui du jour).",
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.command(name="takings")(takings)


def _money(run: RunContext, minor: int) -> str:
    return format_amount(minor, decimal_separator=run.messages.decimal_separator)


def _month(run: RunContext, text: str | None) -> date | None:
    if text is None:
        return None
    from monnaie_locale.errors import InvalidRequest

    try:
        return takings_acts.parse_month(text)
    except InvalidRequest as exc:
        raise UsageProblem(run.messages("takings.bad_month", value=text)) from exc


def _totals_json(totals: Totals) -> dict[str, object]:
    return {
        "received": format_amount(totals.received),
        "refunded": format_amount(totals.refunded),
        "net": format_amount(totals.net),
        "payments": totals.payments,
        "refunds": totals.refunds,
    }


def takings(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="The shop's account, e.g. bakery.")],
    day: Annotated[
        str | None, typer.Option("--day", help="The day, YYYY-MM-DD (default: today).")
    ] = None,
    month: Annotated[
        str | None, typer.Option("--month", help="The month, YYYY-MM (default: the day's).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """A shop's QR checkout takings, for a day and a month, day by day.

    Received, refunded, net and the number of payments, in the deployment's time zone.

    [b]Example:[/b] mlc --as baker takings bakery --month 2026-11
    """
    run = run_context(ctx)
    found = takings_acts.takings(
        run.context(), account, day=day_or_none(run, day), month=_month(run, month)
    )
    if as_json:
        print_json(
            {
                "account": found.account,
                "zone": found.zone,
                "day": found.day.isoformat(),
                "day_totals": _totals_json(found.day_totals),
                "month": found.month_text,
                "month_totals": _totals_json(found.month_totals),
                "days": [
                    {"day": line.day.isoformat(), **_totals_json(line.totals)}
                    for line in found.days
                ],
            }
        )
        return
    month_text = found.month_text
    table = Table(
        title=run.messages(
            "takings.title", account=found.account, month=month_text, zone=found.zone
        )
    )
    for column in ("date", "received", "refunded", "net", "payments"):
        table.add_column(
            run.messages(f"col.{column}"), justify="left" if column == "date" else "right"
        )
    for line in found.days:
        if line.totals.payments or line.totals.refunds:
            table.add_row(line.day.isoformat(), *_cells(run, line.totals))
    table.add_section()
    table.add_row(run.messages("takings.month", month=month_text), *_cells(run, found.month_totals))
    run.out.print(table)
    shown = found.day_totals
    run.out.print(
        run.messages(
            "takings.day",
            day=found.day.isoformat(),
            received=_money(run, shown.received),
            refunded=_money(run, shown.refunded),
            net=_money(run, shown.net),
            payments=shown.payments,
        ),
        markup=False,
    )


def _cells(run: RunContext, totals: Totals) -> tuple[str, str, str, str]:
    return (
        _money(run, totals.received),
        _money(run, totals.refunded),
        _money(run, totals.net),
        str(totals.payments),
    )
