"""``mlc export``: statements (CSV, PDF), the FEC for the accountant, a plain-text journal."""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO, TextIO, TypeVar

import typer

from cli.commands.days import day_or_none, zone_or_deployment
from cli.context import RunContext, run_context
from cli.errors import UsageProblem
from cli.lazy import lazy
from cli.output import Bar, print_json, progress_bar
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.money import format_amount
from monnaie_locale.siren import siren_is_valid

if TYPE_CHECKING:
    from monnaie_locale import exports
    from monnaie_locale.acts import exports as exporting
else:
    exports = lazy("monnaie_locale.exports")
    exporting = lazy("monnaie_locale.acts.exports")

__all__ = ["register"]

group = typer.Typer(
    help=(
        "Export the books for people and other tools.\n\n"
        "[b]Example:[/b] mlc export journal books.journal"
    ),
    no_args_is_help=True,
)

T = TypeVar("T")
JsonOption = Annotated[bool, typer.Option("--json", help="Print a JSON summary for scripts.")]
ZoneOption = Annotated[
    str | None,
    typer.Option(
        "--timezone",
        help="Time zone that dates are written in (default: the deployment's, MLC_TIME_ZONE).",
    ),
]
FileArgument = Annotated[Path, typer.Argument(help="The file to write.")]
FromOption = Annotated[
    str | None, typer.Option("--from", help="First day, YYYY-MM-DD (inclusive).")
]
ToOption = Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD (inclusive).")]


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="export")


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """A file to write beside ``path``, renamed to it at the end: never a half export."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _streamed(run: RunContext, work: Callable[[Bar], T], *, total: int | None) -> T:
    with progress_bar(run.err, run.messages("export.progress"), total=total) as bar:
        return work(bar)


class StatementFormat(enum.StrEnum):
    CSV = "csv"
    PDF = "pdf"


@group.command()
def statement(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The account's code.")],
    format: Annotated[
        str, typer.Option("--format", help="csv for spreadsheets, pdf to print or file.")
    ] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write; default: stdout.")
    ] = None,
    start: FromOption = None,
    end: ToOption = None,
    holder: Annotated[
        str | None,
        typer.Option("--holder", help="PDF: the holder's name (default: the account's name)."),
    ] = None,
    timezone: ZoneOption = None,
) -> None:
    """Write the statement of one account, oldest posting first, with the running balance.

    The period is whole days in --timezone; without --from and --to, the whole history.
    CSV: the period's postings; French runs write ; separators and decimal commas, as
    French spreadsheets expect. PDF: the period's movements between its opening and
    closing balances, labelled in the run's language (--lang).

    [b]Example:[/b] mlc export statement bakery --format pdf --from 2026-11-01
    --to 2026-11-30 -o bakery-2026-11.pdf
    """
    run = run_context(ctx)
    if format not in set(StatementFormat):
        raise UsageProblem(run.messages("export.bad_format", format=format, formats="csv, pdf"))
    zone = zone_or_deployment(run, timezone)
    first, last = day_or_none(run, start), day_or_none(run, end)
    if first is not None and last is not None and first > last:
        raise UsageProblem(run.messages("export.empty_period", start=start, end=end))
    if format == StatementFormat.PDF:
        _statement_pdf(run, code, output, zone=zone, holder=holder, start=first, end=last)
        return
    if holder is not None:
        raise UsageProblem(run.messages("export.pdf_only"))
    french = run.messages.lang == "fr"
    delimiter, decimal = (";", ",") if french else (",", ".")
    acting = run.context()

    def write(handle: TextIO, progress: Callable[[int], None] | None) -> int:
        return exporting.write_statement_csv(
            acting,
            code,
            handle,
            start=first,
            end=last,
            delimiter=delimiter,
            decimal_separator=decimal,
            zone=zone,
            progress=progress,
        )

    if output is None:
        # Rows on the terminal would run through the bar: a bar only when piped.
        if sys.stdout.isatty():
            write(sys.stdout, None)
        else:
            _streamed(run, lambda bar: write(sys.stdout, bar.advance_to), total=None)
        return
    with (
        _replacing(output) as partial,
        partial.open("w", encoding="utf-8", newline="") as handle,
    ):
        _streamed(run, lambda bar: write(handle, bar.advance_to), total=None)


def _statement_pdf(
    run: RunContext,
    code: str,
    output: Path | None,
    *,
    zone: tzinfo,
    holder: str | None,
    start: date | None,
    end: date | None,
) -> None:
    if output is None and sys.stdout.isatty():
        raise UsageProblem(run.messages("export.pdf_to_terminal"))
    acting = run.context()

    def write(handle: BinaryIO) -> None:
        _streamed(
            run,
            lambda bar: exporting.write_statement_pdf(
                acting,
                code,
                handle,
                start=start,
                end=end,
                zone=zone,
                lang=run.messages.lang,
                holder=holder,
                on_total=bar.total,
                progress=bar.advance_to,
            ),
            total=None,
        )

    if output is None:
        write(sys.stdout.buffer)
        sys.stdout.flush()
        return
    with _replacing(output) as partial, partial.open("wb") as handle:
        write(handle)


@group.command()
def fec(
    ctx: typer.Context,
    file: FileArgument,
    start: FromOption = None,
    end: ToOption = None,
    tab: Annotated[bool, typer.Option("--tab", help="Separate with tabs instead of |.")] = False,
    accounts_map: Annotated[
        Path | None,
        typer.Option("--accounts-map", help="CSV pattern,number,label[,aux][,currency]."),
    ] = None,
    journal_code: Annotated[
        str | None,
        typer.Option("--journal-code", help="One JournalCode for every écriture."),
    ] = None,
    siren: Annotated[
        str | None,
        typer.Option("--siren", help="The association's SIREN (default: MLC_SIREN)."),
    ] = None,
    timezone: ZoneOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the FEC (fichier des écritures comptables) for the association's accountant.

    18 columns, ISO-8859-15, one écriture per ledger transaction, in journals per kind
    (BQ1-BQ3 banks, CA-<office> tills, ML units, OD others), each numbered without gaps;
    with --from, the file opens with the balances carried forward (journal AN). Ledger
    accounts go to the association's chart of accounts (mlc chart show); try rules for
    one export with --accounts-map before storing them with mlc chart set. Give a
    directory as FILE to get the name the administration expects: SIREN + FEC + closing
    date.

    [b]Example:[/b] mlc export fec . --siren 123456782 --from 2026-01-01 --to 2026-12-31
    """
    run = run_context(ctx)
    zone = zone_or_deployment(run, timezone)
    mapping = _account_map(run, accounts_map)
    first, last = day_or_none(run, start), day_or_none(run, end)
    acting = run.context()
    if siren is not None and not siren_is_valid(siren):
        raise UsageProblem(run.messages("export.bad_siren", siren=siren))
    if file.is_dir():
        file = file / exports.fec_file_name(siren or acting.deployment.siren, last)
    total = exporting.count_postings(acting)
    with _replacing(file) as partial, partial.open("wb") as handle:
        summary = _streamed(
            run,
            lambda bar: exporting.write_fec(
                acting,
                handle,
                separator="\t" if tab else "|",
                zone=zone,
                start=first,
                end=last,
                account_map=mapping,
                journal_code=journal_code,
                progress=bar.advance_to,
            ),
            total=total,
        )
    if as_json:
        print_json({"file": str(file), **vars(summary)})
        return
    sep = run.messages.decimal_separator
    run.out.print(
        run.messages(
            "export.fec_done",
            path=file,
            entries=summary.entries,
            lines=summary.lines,
            debit=format_amount(summary.debit, decimal_separator=sep),
            credit=format_amount(summary.credit, decimal_separator=sep),
        ),
        markup=False,
    )


def _account_map(run: RunContext, path: Path | None) -> exports.AccountMap:
    if path is None:
        return exports.AccountMap()
    if not path.is_file():
        raise UsageProblem(run.messages("file.not_found", path=path))
    try:
        return exports.AccountMap.with_overrides(path.read_text(encoding="utf-8"))
    except (InvalidRequest, UnicodeDecodeError) as exc:
        raise UsageProblem(run.messages("export.bad_map", path=path, reason=str(exc))) from exc


@group.command()
def journal(
    ctx: typer.Context,
    file: FileArgument,
    assertions: Annotated[
        bool,
        typer.Option("--assertions", help="Assert each account's balance after each posting."),
    ] = False,
    timezone: ZoneOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the books as a plain-text journal (hledger / Ledger format).

    An independent tool then recomputes every balance: compare
    `hledger -f FILE balance` with `mlc accounts list` (signs are opposite).

    [b]Example:[/b] mlc export journal books.journal --assertions
    """
    run = run_context(ctx)
    zone = zone_or_deployment(run, timezone)
    acting = run.context()
    total = exporting.count_postings(acting)
    with _replacing(file) as partial, partial.open("w", encoding="utf-8") as handle:
        summary = _streamed(
            run,
            lambda bar: exporting.write_journal(
                acting, handle, assertions=assertions, zone=zone, progress=bar.advance_to
            ),
            total=total,
        )
    if as_json:
        print_json({"file": str(file), **vars(summary)})
        return
    run.out.print(
        run.messages("export.journal_done", path=file, transactions=summary.transactions),
        markup=False,
    )
