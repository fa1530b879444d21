"""``mlc reserve``: does the euro reserve cover the circulation, and does the bank agree?

``report`` exits with 1 when the coverage is below 100 % or the report lists a
discrepancy, so a scheduled job can alert. ``import-statement`` reads a bank statement,
books the lines that match what the books await and shows the reconciliation; a file
that cannot be trusted (malformed, another account's, already imported, dated in the
future) is refused whole with exit 2, naming the line or element at fault. It also says
whether the statement was recorded in the journal, for checkpoints to carry.
``attestations`` lists the statements recorded so, for an auditor to check each against
the bank's own file with the offline verifier.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.table import Table

from cli import help_fr
from cli.commands.options import JsonOption
from cli.context import RunContext, run_context
from cli.errors import Discrepancy, UsageProblem
from cli.lazy import lazy
from cli.output import print_json, progress_bar
from monnaie_locale.clock import end_of_day
from monnaie_locale.money import format_amount

if TYPE_CHECKING:
    from monnaie_locale import reserve as reports
    from monnaie_locale.acts import reserve
    from monnaie_locale.bank.statement import BankStatement
    from monnaie_locale.operations import reconciliation
    from monnaie_locale.operations.reconciliation import LineOutcome, Reconciliation
    from monnaie_locale.operations.reserve_statements import Recorded
else:
    reports = lazy("monnaie_locale.reserve")
    reserve = lazy("monnaie_locale.acts.reserve")
    reconciliation = lazy("monnaie_locale.operations.reconciliation")

__all__ = ["register"]

group = typer.Typer(
    help=(
        "The reserve: coverage report, bank statements and reconciliation.\n\n"
        "[b]Example:[/b] mlc reserve report --as-of 2026-10-31 --format csv > reserve.csv"
    ),
    no_args_is_help=True,
)


class ReportFormat(enum.StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


class StatementFormat(enum.StrEnum):
    CAMT = "camt"
    CSV = "csv"


# The core's name of each format.
_FILE_FORMATS: dict[StatementFormat, Literal["camt053", "csv"]] = {
    StatementFormat.CAMT: "camt053",
    StatementFormat.CSV: "csv",
}


# The French help of these commands, merged into cli.help_fr's table on registration.
FRENCH_HELP: dict[str, str] = {
    "reserve": (
        "La réserve : rapport de couverture, relevés bancaires et rapprochement.\n\n[b]Exemple "
        ":[/b] mlc reserve report --as-of 2026-10-31 --format csv > reserve.csv"
    ),
    "reserve report": (
        "Montre ce qui circule, ce qui le couvre, la couverture et toute anomalie.\n\nCode de "
        "sortie 1 quand la couverture est sous 100 % ou qu'une anomalie est "
        "trouvée.\n\n[b]Exemple :[/b] mlc reserve report --as-of 2026-10-31 --format json"
    ),
    "reserve report --as-of": (
        "Fin de ce jour (AAAA-MM-JJ) ou un instant (ISO 8601), dans le fuseau du déploiement "
        "(MLC_TIME_ZONE) sauf si l'instant donne le sien."
    ),
    "reserve report --format": "table pour les personnes, csv ou json pour les outils.",
    "reserve import-statement": (
        "Importe un relevé d'un des comptes bancaires de l'association et montre le "
        "rapprochement.\n\nUn relevé camt.053 désigne son compte par son IBAN ; un export CSV "
        "est celui de --account.\n\nLes lignes qui "
        "correspondent à un ordre de conversion, un dépôt d'espèces ou un virement sont "
        "comptabilisées ; les autres sont listées. Code de sortie 1 quand le solde de la "
        "banque diffère des comptes à la date de clôture, 2 quand le fichier est refusé "
        "(rien n'est écrit alors).\n\n[b]Exemple :[/b] mlc reserve import-statement "
        "releve-2026-11.xml --dry-run"
    ),
    "reserve import-statement FILE": "Le fichier de relevé de la banque.",
    "reserve import-statement --format": "camt (XML camt.053) ou csv (export CSV de la banque).",
    "reserve import-statement --dry-run": "Montre le rapprochement, n'écrit rien.",
    "reserve import-statement --account": (
        "Le compte bancaire d'un export CSV (par défaut : celui du fonds de garantie numérique)."
    ),
    "reserve attestations": (
        "Liste les relevés bancaires consignés au journal : compte, jour et solde de clôture, "
        "empreinte SHA-256 du fichier, entrée du journal.\n\nChaque point de contrôle "
        "porte le dernier de chaque compte de réserve ; un auditeur vérifie le fichier de la "
        "banque avec python -m monnaie_locale.verify reserve.\n\n[b]Exemple :[/b] mlc "
        "reserve attestations --json"
    ),
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="reserve")


def _money(run: RunContext, minor: int) -> str:
    return format_amount(minor, decimal_separator=run.messages.decimal_separator)


def _as_of(run: RunContext, text: str | None, zone: tzinfo) -> datetime | None:
    """The end of day ``text`` in ``zone`` (the deployment's), or the moment it names, read
    in ``zone`` when it gives none; ``None``: now."""
    if text is None:
        return None
    try:
        if "T" not in text:
            return end_of_day(date.fromisoformat(text), zone)
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise UsageProblem(run.messages("reserve.bad_as_of", value=text)) from error
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


@group.command()
def report(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="End of this day (YYYY-MM-DD) or a moment (ISO 8601), in the deployment's "
            "time zone (MLC_TIME_ZONE) unless the moment gives its own.",
        ),
    ] = None,
    format: Annotated[
        ReportFormat, typer.Option("--format", help="table for people, csv or json for tools.")
    ] = ReportFormat.TABLE,
) -> None:
    """Show what circulates, what backs it, the coverage, and any discrepancy.

    Exits with 1 when the coverage is below 100 % or a discrepancy is found.

    [b]Example:[/b] mlc reserve report --as-of 2026-10-31 --format json
    """
    run = run_context(ctx)
    acting = run.context()
    moment = _as_of(run, as_of, acting.deployment.zone)
    found = reserve.reserve_report(acting, moment)
    if format is ReportFormat.JSON:
        print_json(reports.to_data(found))
    elif format is ReportFormat.CSV:
        run.out.file.write(reports.to_csv(found))
        run.out.file.flush()
    else:
        run.out.print(_report_table(run, found))
    ratio = found.coverage
    if ratio is not None and ratio < 1:
        percent = str(found.coverage_percent).replace(".", run.messages.decimal_separator)
        raise Discrepancy(run.messages("reserve.under_covered", percent=percent))
    if found.discrepancies:
        raise Discrepancy(run.messages("reserve.discrepancies", count=len(found.discrepancies)))


def _report_table(run: RunContext, found: reports.ReserveReport) -> Table:
    zone = run.context().deployment.zone
    moment = (
        run.messages("reserve.now")
        if found.as_of is None
        else found.as_of.astimezone(zone).isoformat(timespec="seconds")
    )
    table = Table(title=run.messages("reserve.title", unit=found.unit, moment=moment))
    for column in ("section", "item", "amount"):
        table.add_column(
            run.messages(f"col.{column}"), justify="right" if column == "amount" else "left"
        )
    here = found.position

    def row(section: str, item: str, amount: int | None, *, style: str | None = None) -> None:
        shown = "" if amount is None else _money(run, amount)
        table.add_row(run.messages(f"reserve.s.{section}"), item, shown, style=style)

    for kind, amount in sorted(here.digital.items()):
        row("circulation", run.messages("reserve.i.digital", kind=kind), amount)
    row("circulation", run.messages("reserve.i.pending"), here.reconversion_pending)
    row("circulation", run.messages("reserve.i.paper"), here.paper)
    row("circulation", run.messages("reserve.i.total", unit=found.unit), here.circulation)
    for place, amount in sorted(here.note_stocks.items()):
        row("stock", place, amount)
    for code, amount in sorted(here.reserve.items()):
        row("reserve", code, amount)
    row("reserve", run.messages("reserve.i.total", unit="EUR"), here.reserve_total)
    conv, reconv = found.pending_conversions, found.pending_reconversions
    row("pending", run.messages("reserve.i.conversions", count=conv.count), conv.amount)
    row("pending", run.messages("reserve.i.reconversions", count=reconv.count), reconv.amount)
    percent = found.coverage_percent
    shown = (
        "n/a" if percent is None else f"{percent} %".replace(".", run.messages.decimal_separator)
    )
    ratio = found.coverage
    table.add_row(
        run.messages("reserve.s.coverage"),
        "",
        shown,
        style="bold red" if ratio is not None and ratio < 1 else "bold green",
    )
    for text in found.discrepancies:
        table.add_row(run.messages("reserve.s.discrepancy"), text, "", style="bold red")
    return table


# Bank statements ------------------------------------------------------------------


def _refuse_future(run: RunContext, statements: list[BankStatement], *, today: date) -> None:
    """A statement cannot speak of days that have not come: the file is wrong or forged."""
    for statement in statements:
        if statement.closing_date is not None and statement.closing_date > today:
            raise UsageProblem(
                run.messages(
                    "reserve.future",
                    where=run.messages("reserve.where_closing", statement=statement.statement_id),
                    day=statement.closing_date.isoformat(),
                )
            )
        for number, line in enumerate(statement.lines, start=1):
            if line.booking_date > today:
                where = run.messages(
                    "reserve.where_line",
                    statement=statement.statement_id,
                    number=number,
                    line=line.line_id,
                )
                raise UsageProblem(
                    run.messages("reserve.future", where=where, day=line.booking_date.isoformat())
                )


@group.command("import-statement")
def import_statement_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The bank's statement file.")],
    format: Annotated[
        StatementFormat,
        typer.Option("--format", help="camt (camt.053 XML) or csv (the bank's CSV export)."),
    ] = StatementFormat.CAMT,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the reconciliation, write nothing.")
    ] = False,
    account: Annotated[
        str | None,
        typer.Option(
            "--account",
            help="The bank account a CSV export is of (default: the digital reserve's).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import a statement of one of the association's bank accounts and show the
    reconciliation.

    A camt.053 statement names its account by its IBAN; a CSV export is of --account.

    Lines matching a conversion order, a cash deposit or a payout are booked; the others
    are listed for a person to look at. Exits with 1 when the bank's closing balance
    differs from the books at the closing date, 2 when the file is refused (nothing is
    written then).

    [b]Example:[/b] mlc reserve import-statement releve-2026-11.xml --dry-run
    """
    run = run_context(ctx)
    if not file.is_file():
        raise UsageProblem(run.messages("file.not_found", path=file))
    context = run.context()
    statements = reconciliation.read_statement_file(
        context.deployment, file.read_bytes(), file_format=_FILE_FORMATS[format]
    )
    _refuse_future(run, statements, today=context.clock().date())

    def only_new(results: list[Reconciliation]) -> None:
        for result in results:
            if result.already_imported:
                # Raised before the commit: the file's other statements are not kept either.
                raise UsageProblem(
                    run.messages("reserve.already_imported", statement=result.statement_id)
                )

    lines = sum(len(statement.lines) for statement in statements)
    with progress_bar(run.err, run.messages("reserve.importing"), total=lines) as bar:
        results = reserve.import_statements(
            context,
            statements,
            progress=bar.advance_to,
            check=only_new,
            dry_run=dry_run,
            account=account,
        )
    _show_reconciliations(run, results, as_json=as_json, dry_run=dry_run)
    differing = [r for r in results if r.difference not in (None, 0)]
    if differing:
        raise Discrepancy(
            run.messages(
                "reserve.balance_differs",
                statement=differing[0].statement_id,
                difference=_money(run, differing[0].difference or 0),
            )
        )


@group.command("attestations")
def attestations_command(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the bank statements recorded in the journal: account, closing day and
    balance, the file's SHA-256, the journal entry.

    Each checkpoint carries the latest of each reserve account; an auditor checks the
    bank's file with python -m monnaie_locale.verify reserve.

    [b]Example:[/b] mlc reserve attestations --json
    """
    run = run_context(ctx)
    found = reserve.reserve_attestations(run.context())
    if as_json:
        print_json({"attestations": [_attestation_json(item) for item in found]})
        return
    if not found:
        run.out.print(run.messages("reserve.attestations_none"))
        return
    run.out.print(_attestations_table(run, found))


def _attestation_json(item: Recorded) -> dict[str, Any]:
    return {
        "account": item.statement.account,
        "closing_date": item.statement.day.isoformat(),
        "closing_balance": item.statement.closing,
        "file_sha256": item.statement.file_hash,
        "statement_id": item.statement_id,
        "transaction_id": item.transaction_id,
        "journal_seq": item.seq,
        "recorded_at": item.recorded_at.isoformat(),
    }


def _attestations_table(run: RunContext, found: list[Recorded]) -> Table:
    table = Table(title=run.messages("reserve.attestations_title"))
    for column in ("account", "date", "closing", "file_hash", "statement", "entry"):
        table.add_column(
            run.messages(f"col.{column}"), justify="right" if column == "closing" else "left"
        )
    for item in found:
        line = item.statement
        entry = (
            run.messages("reserve.unsealed", transaction=item.transaction_id)
            if item.seq is None
            else run.messages("reserve.entry", seq=item.seq, transaction=item.transaction_id)
        )
        table.add_row(
            line.account,
            line.day.isoformat(),
            _money(run, line.closing),
            line.file_hash,
            item.statement_id or "",
            entry,
        )
    return table


def _line_json(outcome: LineOutcome, *, dry_run: bool) -> dict[str, Any]:
    return {
        # A rehearsal keeps no line: the number it was given is no line's.
        "id": None if dry_run else outcome.row_id,
        "line_id": outcome.line_id,
        "amount": outcome.amount,
        "remittance": outcome.remittance,
        "matched_kind": outcome.matched_kind,
        "matched_id": outcome.matched_id,
        "note": outcome.note,
    }


def _show_reconciliations(
    run: RunContext, results: list[Reconciliation], *, as_json: bool, dry_run: bool
) -> None:
    if as_json:
        print_json(
            {
                "dry_run": dry_run,
                "statements": [
                    {
                        "statement_id": r.statement_id,
                        "bank_account": r.bank_account,
                        "ledger_account": r.ledger_account,
                        "skipped_lines": r.skipped_lines,
                        "matched": [_line_json(o, dry_run=dry_run) for o in r.matched],
                        "unmatched": [_line_json(o, dry_run=dry_run) for o in r.unmatched],
                        "closing_balance": r.closing_balance,
                        "ledger_balance": r.ledger_balance,
                        "difference": r.difference,
                        # A rehearsal keeps no record: the number it was given is none's.
                        "recorded": None if dry_run else r.recorded,
                        "unrecorded": r.unrecorded,
                    }
                    for r in results
                ],
            }
        )
        return
    for result in results:
        run.out.print(_lines_table(run, result, dry_run=dry_run))
        run.out.print(_balance_table(run, result, dry_run=dry_run))
    run.out.print(run.messages("reserve.dry_run" if dry_run else "reserve.imported"))


def _lines_table(run: RunContext, result: Reconciliation, *, dry_run: bool) -> Table:
    table = Table(title=run.messages("reserve.lines_title", statement=result.statement_id))
    for column in ("line", "amount", "remittance", "matched", "note"):
        table.add_column(
            run.messages(f"col.{column}"), justify="right" if column == "amount" else "left"
        )
    for outcome in (*result.matched, *result.unmatched):
        matched = (
            f"{outcome.matched_kind} {outcome.matched_id}"
            if outcome.matched_kind is not None
            else run.messages("reserve.unmatched")
        )
        table.add_row(
            outcome.line_id if dry_run else f"{outcome.row_id} {outcome.line_id}",
            _money(run, outcome.amount),
            outcome.remittance,
            matched,
            outcome.note,
            style=None if outcome.matched_kind is not None else "yellow",
        )
    return table


def _balance_table(run: RunContext, result: Reconciliation, *, dry_run: bool) -> Table:
    table = Table(title=run.messages("reserve.balance_title"))
    table.add_column(run.messages("col.check"))
    table.add_column(run.messages("col.value"), justify="right")
    table.add_row(run.messages("reserve.b.matched"), str(len(result.matched)))
    table.add_row(run.messages("reserve.b.unmatched"), str(len(result.unmatched)))
    table.add_row(run.messages("reserve.b.skipped"), str(result.skipped_lines))
    closing = result.closing_balance
    table.add_row(
        run.messages("reserve.b.bank"),
        run.messages("reserve.b.none") if closing is None else _money(run, closing),
    )
    table.add_row(run.messages("reserve.b.books"), _money(run, result.ledger_balance))
    difference = result.difference
    if difference is not None:
        table.add_row(
            run.messages("reserve.b.difference"),
            _money(run, difference),
            style="bold green" if difference == 0 else "bold red",
        )
    table.add_row(run.messages("reserve.b.recorded"), _recorded(run, result, dry_run=dry_run))
    return table


def _recorded(run: RunContext, result: Reconciliation, *, dry_run: bool) -> str:
    """Whether the statement was recorded in the journal, and as which transaction."""
    if result.unrecorded is not None:
        return run.messages(f"reserve.rec.{result.unrecorded}")
    if result.recorded is None:
        return run.messages("reserve.rec.before")
    if dry_run:
        return run.messages("reserve.rec.dry_run")
    return run.messages("reserve.rec.transaction", transaction=result.recorded)
