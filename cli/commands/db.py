"""``mlc db``: bring the schema up to date, back up and restore the books."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.context import RunContext, run_context
from cli.errors import Discrepancy, UsageProblem
from cli.lazy import lazy
from cli.output import print_command, progress_bar
from monnaie_locale.errors import DatabaseUnavailable

if TYPE_CHECKING:
    from monnaie_locale import backup, database_url, store
else:
    backup = lazy("monnaie_locale.backup")
    database_url = lazy("monnaie_locale.database_url")
    store = lazy("monnaie_locale.store")

__all__ = ["register"]

group = typer.Typer(
    help=(
        "The database: migrations, backup and restore.\n\n"
        "[b]Example:[/b] mlc db backup var/backups/eusko.db"
    ),
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="db")


@group.command()
def migrate(ctx: typer.Context) -> None:
    """Create the ledger's tables, or bring them to the latest version (safe to repeat).

    [b]Example:[/b] mlc --database sqlite:///var/eusko.db db migrate
    """
    run = run_context(ctx)
    store.migrate(run.database(create=True))
    run.out.print(run.messages("db.migrated", url=database_url.safe_url(run.database_url)))


@group.command("backup")
def backup_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write the copy.")],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Write a consistent copy of the live SQLite database to FILE.

    The service may keep running: the copy is one committed state. For PostgreSQL, prints
    the pg_dump command to run instead (and the pg_restore one).

    [b]Example:[/b] mlc db backup var/backups/eusko-2026-11-27.db
    """
    run = run_context(ctx)
    source = database_url.sqlite_path(run.database_url)
    if source is None:
        _print_postgres_commands(run, file)
        return
    if not source.exists():
        raise UsageProblem(run.messages("db.missing_file", path=source))
    with progress_bar(run.err, str(file), total=None) as bar:

        def pages(done: int, total: int) -> None:
            bar.total(total)
            bar.advance_to(done)

        try:
            size = backup.backup_sqlite(source, file, progress=pages, overwrite=force)
        except FileExistsError as exc:
            raise UsageProblem(run.messages("db.backup_exists", path=file)) from exc
    run.out.print(run.messages("db.backup_done", path=file, size=size))


def _print_postgres_commands(run: RunContext, file: Path) -> None:
    commands = backup.postgres_commands(run.database_url, file)
    run.out.print(run.messages("db.postgres_backup"))
    print_command(run.out, commands.backup)
    run.out.print(run.messages("db.postgres_restore"))
    print_command(run.out, commands.restore)


@group.command()
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A backup written by `mlc db backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite a database that already holds data.")
    ] = False,
) -> None:
    """Restore the SQLite database from FILE, after verifying the copy's journal.

    Refuses to overwrite a database that holds data unless --force; nothing is written
    when the copy's journal does not verify. Stop the service before restoring.

    [b]Example:[/b] mlc db restore var/backups/eusko-2026-11-27.db
    """
    run = run_context(ctx)
    target = database_url.sqlite_path(run.database_url)
    if target is None:
        raise UsageProblem(run.messages("db.restore_postgres"))
    if not file.is_file():
        raise UsageProblem(run.messages("file.not_found", path=file))
    if not backup.is_sqlite_file(file):
        raise UsageProblem(run.messages("file.not_sqlite", path=file))
    with tempfile.TemporaryDirectory(prefix="mlc-restore-") as staging_dir:
        # Verify a private copy, so the backup file itself is never modified.
        staged = Path(staging_dir) / "staged.db"
        backup.backup_sqlite(file, staged)
        _verify_or_refuse(run, staged, source=file)
        if not force and not backup.is_empty(target):
            raise UsageProblem(run.messages("db.restore_not_empty", path=target))
        with progress_bar(run.err, str(target), total=None) as bar:

            def pages(done: int, total: int) -> None:
                bar.total(total)
                bar.advance_to(done)

            backup.restore_sqlite(staged, target, progress=pages)
    _verify_or_refuse(run, target, source=file)
    run.out.print(run.messages("db.restore_done", source=file))


def _verify_or_refuse(run: RunContext, path: Path, *, source: Path) -> None:
    try:
        result = backup.verify_copy(path, journal_key=run.journal_key())
    except DatabaseUnavailable as exc:  # not a database, or not the ledger's
        raise UsageProblem(run.messages("file.not_sqlite", path=source)) from exc
    if not result.ok and result.first is not None:
        raise Discrepancy(
            run.messages(
                "db.restore_broken",
                source=source,
                seq=result.first.sequence if result.first.sequence is not None else "-",
                reason=result.first.reason,
            )
        )
