"""``mlc chart`` and ``mlc report``: the association's chart of accounts and its books.

``chart show`` lists the association's rules and the chart account of each account of
the books; ``chart set`` and ``chart unset`` add, replace or remove a rule of the
association (tried before the built-in chart). ``report`` shows the income statement of a
period and the balance sheet at its end, by account of the chart.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cli import help_fr
from cli.commands.days import day_or_none, zone_or_deployment
from cli.commands.options import JsonOption
from cli.context import RunContext, run_context
from cli.errors import UsageProblem
from cli.lazy import lazy
from cli.output import print_json
from monnaie_locale.money import format_amount

if TYPE_CHECKING:
    from monnaie_locale import books_report as reports
    from monnaie_locale.acts import chart
else:
    reports = lazy("monnaie_locale.books_report")
    chart = lazy("monnaie_locale.acts.chart")

__all__ = ["register"]

chart_group = typer.Typer(
    help=(
        "The chart of accounts: where each ledger account goes in the books.\n\n"
        "[b]Example:[/b] mlc chart set association:fees 706100 'Commissions diverses'"
    ),
    no_args_is_help=True,
)


class ReportFormat(enum.StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


# The French help of these commands, merged into cli.help_fr's table on registration.
FRENCH_HELP: dict[str, str] = {
    "chart": (
        "Le plan comptable : où va chaque compte du registre dans la comptabilité.\n\n"
        "[b]Exemple :[/b] mlc chart set association:fees 706100 'Commissions diverses'"
    ),
    "chart show": (
        "Montre les règles de l'association et le compte du plan de chaque compte du "
        "registre.\n\n[b]Exemple :[/b] mlc chart show --json"
    ),
    "chart set": (
        "Ajoute ou remplace une règle de l'association, essayée avant le plan intégré.\n\n"
        "[b]Exemple :[/b] mlc chart set 'income:*' 758000 'Produits divers' --currency EUR"
    ),
    "chart set PATTERN": "Les codes de comptes du registre visés, avec * et ? : income:*.",
    "chart set NUMBER": "Le numéro du plan comptable (PCG) : 706100.",
    "chart set LABEL": "Le libellé du compte.",
    "chart set --auxiliary": "Nomme aussi le compte du registre comme compte auxiliaire.",
    "chart set --currency": "Seulement les comptes de cette devise (par défaut : toutes).",
    "chart unset": (
        "Retire une règle de l'association : le plan intégré s'applique de nouveau.\n\n"
        "[b]Exemple :[/b] mlc chart unset association:fees"
    ),
    "chart unset PATTERN": "Le motif de la règle à retirer.",
    "chart unset --currency": "La devise de la règle à retirer, si elle en a une.",
    "report": (
        "Compte de résultat d'une période et bilan à sa fin, par compte du plan "
        "comptable.\n\nLe résultat est celui des classes 7 − 6 du FEC sur les mêmes "
        "jours.\n\n[b]Exemple :[/b] mlc report --from 2026-01-01 --to 2026-12-31"
    ),
    "report --from": "Premier jour, AAAA-MM-JJ (inclus).",
    "report --to": "Dernier jour, AAAA-MM-JJ (inclus).",
    "report --timezone": "Fuseau horaire des jours de la période.",
    "report --format": "table pour les personnes, csv ou json pour les outils.",
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(chart_group, name="chart")
    app.command("report")(report)


def _money(run: RunContext, minor: int) -> str:
    return format_amount(minor, decimal_separator=run.messages.decimal_separator)


@chart_group.command("show")
def show(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show the association's rules and the chart account of each account of the books.

    [b]Example:[/b] mlc chart show --json
    """
    run = run_context(ctx)
    found = chart.show_chart(run.context())
    if as_json:
        print_json(
            {
                "rules": [
                    {
                        "pattern": rule.pattern,
                        "currency": rule.currency,
                        "number": rule.number,
                        "label": rule.label,
                        "auxiliary": rule.auxiliary,
                    }
                    for rule in found.rules
                ],
                "accounts": [
                    {
                        "code": line.code,
                        "kind": line.kind,
                        "currency": line.currency,
                        "number": line.number,
                        "label": line.label,
                        "auxiliary": line.auxiliary,
                        "source": line.source,
                    }
                    for line in found.accounts
                ],
            }
        )
        return
    table = Table(title=run.messages("chart.title"))
    for column in ("number", "label", "account", "currency", "source"):
        table.add_column(run.messages(f"chart.col.{column}"))
    for line in found.accounts:
        source = run.messages(
            "chart.source.association" if line.source == "association" else "chart.source.built_in"
        )
        table.add_row(line.number, escape(line.label), escape(line.code), line.currency, source)
    run.out.print(table)
    if found.rules:
        rules = Table(title=run.messages("chart.rules_title"))
        for column in ("pattern", "currency", "number", "label"):
            rules.add_column(run.messages(f"chart.col.{column}"))
        for rule in found.rules:
            rules.add_row(
                escape(rule.pattern), rule.currency or "*", rule.number, escape(rule.label)
            )
        run.out.print(rules)


@chart_group.command("set")
def set_rule(
    ctx: typer.Context,
    pattern: Annotated[
        str, typer.Argument(help="Ledger account codes it applies to, with * and ?: income:*.")
    ],
    number: Annotated[str, typer.Argument(help="The chart of accounts (PCG) number: 706100.")],
    label: Annotated[str, typer.Argument(help="The account's label.")],
    auxiliary: Annotated[
        bool,
        typer.Option("--auxiliary", help="Also name the ledger account as the auxiliary account."),
    ] = False,
    currency: Annotated[
        str | None,
        typer.Option("--currency", help="Only accounts in this currency (default: any)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Add or replace a rule of the association, tried before the built-in chart.

    [b]Example:[/b] mlc chart set 'income:*' 758000 'Produits divers' --currency EUR
    """
    run = run_context(ctx)
    rule = chart.set_chart_rule(
        run.context(), pattern, number, label, auxiliary=auxiliary, currency=currency
    )
    if as_json:
        print_json({"pattern": rule.pattern, "currency": rule.currency, "number": rule.number,
                    "label": rule.label, "auxiliary": rule.auxiliary})  # fmt: skip
        return
    run.out.print(
        run.messages("chart.set", pattern=rule.pattern, number=rule.number, label=rule.label),
        markup=False,
    )


@chart_group.command("unset")
def unset_rule(
    ctx: typer.Context,
    pattern: Annotated[str, typer.Argument(help="The pattern of the rule to remove.")],
    currency: Annotated[
        str | None,
        typer.Option("--currency", help="The currency of the rule to remove, if it has one."),
    ] = None,
) -> None:
    """Remove a rule of the association: the built-in chart applies again.

    [b]Example:[/b] mlc chart unset association:fees
    """
    run = run_context(ctx)
    chart.unset_chart_rule(run.context(), pattern, currency=currency)
    run.out.print(run.messages("chart.unset", pattern=pattern), markup=False)


def report(
    ctx: typer.Context,
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (inclusive).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (inclusive).")
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="Time zone of the period's days (default: MLC_TIME_ZONE)."),
    ] = None,
    format: Annotated[
        ReportFormat, typer.Option("--format", help="table for people, csv or json for tools.")
    ] = ReportFormat.TABLE,
) -> None:
    """The income statement of a period and the balance sheet at its end, by chart account.

    The result is the FEC's classes 7 − 6 over the same days.

    [b]Example:[/b] mlc report --from 2026-01-01 --to 2026-12-31
    """
    run = run_context(ctx)
    first, last = day_or_none(run, start), day_or_none(run, end)
    if first is not None and last is not None and last < first:
        raise UsageProblem(run.messages("report.bad_period", start=start, end=end))
    found = chart.books_report_for(
        run.context(), start=first, end=last, zone=zone_or_deployment(run, timezone)
    )
    if format is ReportFormat.JSON:
        print_json(reports.to_data(found))
    elif format is ReportFormat.CSV:
        run.out.file.write(reports.to_csv(found))
        run.out.file.flush()
    else:
        run.out.print(_statement_table(run, found.income_statement))
        run.out.print(_sheet_table(run, found.balance_sheet))


def _period(run: RunContext, start: date | None, end: date | None) -> str:
    first = start.isoformat() if start else run.messages("report.beginning")
    last = end.isoformat() if end else run.messages("report.now")
    return f"{first} – {last}"


def _table(run: RunContext, title: str) -> Table:
    table = Table(title=title)
    table.add_column(run.messages("chart.col.number"))
    table.add_column(run.messages("chart.col.label"))
    table.add_column(run.messages("col.amount"), justify="right")
    return table


def _statement_table(run: RunContext, statement: reports.IncomeStatement) -> Table:
    table = _table(
        run,
        run.messages("report.income_title", period=_period(run, statement.start, statement.end)),
    )
    for section, lines, total in (
        ("income", statement.income, statement.total_income),
        ("expenses", statement.expenses, statement.total_expenses),
    ):
        table.add_row("", run.messages(f"report.s.{section}"), "", style="bold")
        for line in lines:
            table.add_row(line.number, escape(line.label), _money(run, line.amount))
        table.add_row("", run.messages("report.total"), _money(run, total), style="bold")
    style = "bold green" if statement.result >= 0 else "bold red"
    table.add_row("", run.messages("report.result"), _money(run, statement.result), style=style)
    return table


def _sheet_table(run: RunContext, sheet: reports.BalanceSheet) -> Table:
    day = sheet.end.isoformat() if sheet.end else run.messages("report.now")
    table = _table(run, run.messages("report.sheet_title", day=day))
    table.add_row("", run.messages("report.s.assets"), "", style="bold")
    for line in sheet.assets:
        table.add_row(line.number, escape(line.label), _money(run, line.amount))
    table.add_row("", run.messages("report.total"), _money(run, sheet.total_assets), style="bold")
    table.add_row("", run.messages("report.s.liabilities"), "", style="bold")
    for line in sheet.liabilities:
        table.add_row(line.number, escape(line.label), _money(run, line.amount))
    table.add_row("", run.messages("report.retained"), _money(run, sheet.retained))
    table.add_row("", run.messages("report.result"), _money(run, sheet.result))
    table.add_row(
        "", run.messages("report.total"), _money(run, sheet.total_liabilities), style="bold"
    )
    table.add_row("", run.messages("report.reserve"), _money(run, sheet.reserve))
    table.add_row("", run.messages("report.circulation"), _money(run, sheet.circulation))
    table.add_row(
        "", run.messages("report.association_units"), _money(run, sheet.association_units)
    )
    return table
