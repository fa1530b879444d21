"""``mlc town-statement``: what the public accountant receives, a régie's or an authority's
statement of a year, as a table on screen, a CSV file or a PDF.

The table and the PDF speak the run's language (``--lang``); the CSV's columns are named
in English, and French runs write ``;`` and decimal commas, as French spreadsheets expect.
A file is written beside its name and renamed at the end: never half a statement.
"""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cli.context import RunContext, run_context
from cli.errors import UsageProblem
from cli.lazy import lazy
from monnaie_locale.money import format_amount

if TYPE_CHECKING:
    from monnaie_locale.acts import authority_statements as statements
    from monnaie_locale.acts.authority_statements import YearStatement
else:
    statements = lazy("monnaie_locale.acts.authority_statements")

__all__ = ["register"]

group = typer.Typer(
    help=(
        "What the public accountant receives: a régie's or an authority's statement of a "
        "year.\n\n[b]Example:[/b] mlc town-statement regie bayonne-piscine 2026"
    ),
    no_args_is_help=True,
)


class Form(enum.StrEnum):
    TABLE = "table"
    CSV = "csv"
    PDF = "pdf"


YearArgument = Annotated[int, typer.Argument(help="The calendar year, e.g. 2026.")]
FormatOption = Annotated[
    Form,
    typer.Option("--format", help="table on screen, csv for spreadsheets, pdf to print or file."),
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="CSV or PDF: the file to write.")
]

_EX = "[b]Exemple :[/b] "
FRENCH_HELP: dict[str, str] = {
    "town-statement": "Ce que reçoit le comptable public : l'état annuel d'une régie ou le "
    f"relevé annuel du compte d'une collectivité.\n\n{_EX}"
    "mlc town-statement regie bayonne-piscine 2026",
    "town-statement regie": "L'état d'une régie sur une année : solde au 1er janvier, chaque "
    "quittance, chaque versement au comptable public, solde au 31 décembre, et le contrôle "
    "qui les lie. Refusé si les lignes ne concordent pas avec le grand livre. Pour le "
    "régisseur de la régie, les finances et le comptable de la collectivité.\n\n"
    f"{_EX}mlc town-statement regie bayonne-piscine 2026 --format pdf -o piscine-2026.pdf",
    "town-statement regie CODE": "Le code de la régie, par exemple bayonne-piscine.",
    "town-statement authority": "Le relevé annuel du compte propre d'une collectivité : "
    "solde au 1er janvier, mandats payés (exercice, bordereau, imputation), autres "
    "mouvements, solde au 31 décembre. Pour les finances et le comptable de la "
    "collectivité.\n\n"
    f"{_EX}mlc town-statement authority bayonne 2026 --format csv -o bayonne-2026.csv",
    "town-statement authority CODE": "Le code de la collectivité, par exemple bayonne.",
    "town-statement regie YEAR": "L'année civile, par exemple 2026.",
    "town-statement authority YEAR": "L'année civile, par exemple 2026.",
    "town-statement regie --format": "table à l'écran, csv pour les tableurs, pdf pour "
    "imprimer ou archiver.",
    "town-statement authority --format": "table à l'écran, csv pour les tableurs, pdf pour "
    "imprimer ou archiver.",
    "town-statement regie --output": "CSV ou PDF : le fichier à écrire.",
    "town-statement authority --output": "CSV ou PDF : le fichier à écrire.",
}


def register(app: typer.Typer) -> None:
    from cli import help_fr

    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="town-statement")


@group.command()
def regie(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The régie's code, e.g. bayonne-piscine.")],
    year: YearArgument,
    form: FormatOption = Form.TABLE,
    output: OutputOption = None,
) -> None:
    """A régie's statement of a year: opening balance, every quittance, every versement to
    the public accountant, closing balance, and the check that ties them. Refused when the
    lines and the ledger disagree.

    [b]Example:[/b] mlc town-statement regie bayonne-piscine 2026 --format pdf
    -o piscine-2026.pdf
    """
    run = run_context(ctx)
    _check_output(run, form, output)
    _show(run, statements.regie_statement(run.context(), code, year), form, output)


@group.command()
def authority(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The authority's code, e.g. bayonne.")],
    year: YearArgument,
    form: FormatOption = Form.TABLE,
    output: OutputOption = None,
) -> None:
    """The statement of a year of an authority's own account: opening balance, mandates
    paid (exercice, bordereau, imputation), other movements, closing balance.

    [b]Example:[/b] mlc town-statement authority bayonne 2026 --format csv -o bayonne.csv
    """
    run = run_context(ctx)
    _check_output(run, form, output)
    _show(run, statements.authority_statement(run.context(), code, year), form, output)


def _check_output(run: RunContext, form: Form, output: Path | None) -> None:
    """Refuse what cannot be written before the books are read."""
    if form == Form.TABLE and output is not None:
        raise UsageProblem(run.messages("town_statement.table_to_file"))
    if form == Form.PDF and output is None and sys.stdout.isatty():
        raise UsageProblem(run.messages("export.pdf_to_terminal"))


def _show(run: RunContext, found: YearStatement, form: Form, output: Path | None) -> None:
    lang = run.messages.lang
    if form == Form.TABLE:
        _table(run, found)
        return
    body = (
        statements.statement_csv(found, style=lang)
        if form == Form.CSV
        else statements.statement_pdf(found, lang=lang)
    )
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
        return
    partial = output.with_name(f".{output.name}.partial")
    try:
        partial.write_bytes(body)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    run.err.print(escape(run.messages("town_statement.written", path=str(output))))


def _table(run: RunContext, s: YearStatement) -> None:
    lang = run.messages.lang
    labels = statements.YEAR_LABELS[lang]

    def money(units: int) -> str:
        return format_amount(units, decimal_separator=labels["decimal"])

    title = f"{labels[f'title.{s.kind}']} — {s.name} ({s.code}), {labels['year']} {s.year}"
    run.out.print(f"[b]{escape(title)}[/b]")
    run.out.print(escape(f"{labels['opening']}{labels['colon']}{money(s.opening)} {s.currency}"))
    if s.in_transit_opening:
        run.out.print(
            escape(f"  {labels['in_transit']}{labels['colon']}{money(s.in_transit_opening)}")
        )
    for section in statements.statement_tables(s, lang=lang):
        table = Table(title=section.title)
        for column in section.columns:
            right = column in statements.AMOUNT_COLUMNS
            table.add_column(labels[column], justify="right" if right else "left")
        for row in section.rows:
            table.add_row(*(escape(cell) for cell in row))
        table.add_section()
        table.add_row(*(escape(cell) for cell in section.totals))
        run.out.print(table)
    run.out.print(escape(f"{labels['closing']}{labels['colon']}{money(s.closing)} {s.currency}"))
    if s.in_transit_closing:
        run.out.print(
            escape(f"  {labels['in_transit']}{labels['colon']}{money(s.in_transit_closing)}")
        )
    if not s.complete:
        run.out.print(escape(labels["so_far"]))
