"""``mlc``: the association's command line, one entry point for every command group.

Each group lives in a module of :mod:`cli.commands` that exposes ``register(app)``. The
groups of the currency operations, the reserve, the users and the server (``convert``,
``reconversion``, ``notes``, ``reserve``, ``users``, ``serve``) are mounted the same way as
soon as their module exists: :data:`OPTIONAL_GROUPS` lists where each one goes, so adding
one means writing its module, and ``mlc --help`` never lists a command that does not
exist yet.

Errors are turned into a message and an exit code in one place, :class:`ReportingGroup`
(see :mod:`cli.errors` for the codes).
"""

from __future__ import annotations

import enum
import importlib
import importlib.util
import os
from typing import Annotated, Any

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError
from typer.core import TyperGroup

from cli.commands import accounts, audit, db, export, money
from cli.context import DATABASE_ENV, DEFAULT_DATABASE_URL, LANG_ENV, RunContext, safe_url
from cli.errors import CliProblem, database_problem, exit_code_for, explain
from cli.help_fr import localize
from cli.messages import Messages, language_from
from monnaie_locale.errors import MonnaieLocaleError

__all__ = ["OPTIONAL_GROUPS", "ReportingGroup", "app", "main"]

OPTIONAL_GROUPS = (
    "cli.commands.convert",
    "cli.commands.reconversion",
    "cli.commands.notes",
    "cli.commands.reserve",
    "cli.commands.users",
    "cli.commands.offices",
    "cli.commands.membership",
    "cli.commands.serve",
    "cli.commands.keys",
    "cli.commands.jobs",
)


class ReportingGroup(TyperGroup):
    """The root group: reports any error of a command as a message and an exit code."""

    # ``ctx`` is Typer's click context; its class is private to Typer, hence Any.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CliProblem as problem:
            _report(ctx, problem.message)
            raise typer.Exit(problem.exit_code) from problem
        except MonnaieLocaleError as error:
            _report(ctx, explain(error, _run(ctx).messages))
            raise typer.Exit(exit_code_for(error)) from error
        except (OperationalError, ProgrammingError) as error:
            # Other database errors are bugs, and keep their traceback.
            run = _run(ctx)
            unusable = database_problem(error, run.messages, safe_url(run.database_url))
            _report(ctx, unusable.message)
            raise typer.Exit(unusable.exit_code) from error


def _run(ctx: Any) -> RunContext:
    found = ctx.find_root().obj
    if isinstance(found, RunContext):
        return found
    return RunContext(database_url=DEFAULT_DATABASE_URL, messages=Messages("fr"))


def _report(ctx: Any, message: str) -> None:
    _run(ctx).err.print(message, style="bold red", markup=False, highlight=False)


class Language(enum.StrEnum):
    FR = "fr"
    EN = "en"


app = typer.Typer(
    name="mlc",
    cls=ReportingGroup,
    no_args_is_help=True,
    rich_markup_mode="rich",
    # A traceback's local variables could show a database password.
    pretty_exceptions_show_locals=False,
    help=(
        "Run a local currency: accounts, transfers, audit, exports, backups.\n\n"
        "Faire tourner une monnaie locale : comptes, virements, audit, exports, sauvegardes. "
        "Aide en français : mlc --lang fr COMMANDE --help.\n\n"
        "Exit codes / codes de sortie: 0 done / fait; 1 discrepancy found / anomalie; "
        "2 bad usage or input / mauvaise saisie; 3 refused by the ledger / refusé par le "
        "registre; 4 database unreachable or not migrated / base injoignable ou non migrée.\n\n"
        "[b]Example:[/b] mlc --database sqlite:///var/eusko.db accounts list"
    ),
)


@app.callback()
def root(
    ctx: typer.Context,
    database: Annotated[
        str,
        typer.Option(
            "--database",
            envvar=DATABASE_ENV,
            help="Database URL: sqlite:///path.db or postgresql://user@host/db.",
            show_default=True,
        ),
    ] = DEFAULT_DATABASE_URL,
    lang: Annotated[
        Language | None,
        typer.Option(
            "--lang",
            help=f"Language of messages (default: {LANG_ENV}, then LANG, then fr).",
        ),
    ] = None,
) -> None:
    """Settings shared by every command."""
    run = RunContext(database_url=database, messages=Messages(language_from(lang, os.environ)))
    localize(ctx.command, run.messages.lang)
    ctx.obj = run
    ctx.call_on_close(run.close)


for _module in (db, accounts, money, audit, export):
    _module.register(app)

for _name in OPTIONAL_GROUPS:
    if importlib.util.find_spec(_name) is not None:
        importlib.import_module(_name).register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
