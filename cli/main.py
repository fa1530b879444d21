"""``mlc``: the association's command line, one entry point for every command group.

Each group lives in a module of :mod:`cli.commands` that exposes ``register(app)``.
:data:`COMMANDS` says which module holds each command, with its one-line help: ``mlc
--help`` lists them from that table alone, and a run imports only the module of the
command it runs. A command module imports the core, and the core SQLAlchemy and the rest,
only when it needs them, so asking for help costs no database library.

Errors are turned into a message and an exit code in one place, :class:`ReportingGroup`
(see :mod:`cli.errors` for the codes).
"""

from __future__ import annotations

import enum
import importlib
import os
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from cli.context import (
    ACTOR_ENV,
    DATABASE_ENV,
    DEFAULT_DATABASE_URL,
    LANG_ENV,
    RunContext,
)
from cli.errors import CliProblem, exit_code_for, explain
from cli.help_fr import localize
from cli.messages import Messages, language_from

__all__ = ["COMMANDS", "ReportingGroup", "app", "load_all", "main"]

# command -> (module that registers it, its one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": (
        "cli.commands.serve",
        "Set a deployment up: schema, system accounts, first administrator.",
    ),
    "serve": ("cli.commands.serve", "Run the HTTP service (migrating the database first)."),
    "db": ("cli.commands.db", "The database: migrations, backup and restore."),
    "accounts": (
        "cli.commands.accounts",
        "Accounts of members, businesses, authorities and the association.",
    ),
    "transfer": ("cli.commands.money", "Move AMOUNT from DEBIT to CREDIT, once per --key."),
    "reverse": (
        "cli.commands.money",
        "Post the exact opposite of transaction TXID, linked to it (once).",
    ),
    "convert": ("cli.commands.convert", "Convert euros into the local unit."),
    "reconversion": (
        "cli.commands.reconversion",
        "Reconvert units into euros: requests, payout batches, pain.001 files.",
    ),
    "mandate": (
        "cli.commands.mandate",
        "An authority's mandates: proposed by its ordonnateur, paid by its comptable.",
    ),
    "notes": (
        "cli.commands.notes",
        "Paper notes: print, deliver to offices, sell, deposit, destroy, lose, find.",
    ),
    "offices": (
        "cli.commands.offices",
        "Exchange offices: open one, close its till, bank its cash, close it.",
    ),
    "directory": (
        "cli.commands.directory",
        "The public directory: businesses that take the currency, offices that sell it.",
    ),
    "membership": (
        "cli.commands.membership",
        "Membership fees: record a payment, list who has paid.",
    ),
    "rules": (
        "cli.commands.rules",
        "The currency's rules: bonus, fees, who may reconvert, limits; and their history.",
    ),
    "books": (
        "cli.commands.books",
        "The association's other money flows: bank fees, interest, donations, grants, "
        "closures, notes written off, chargebacks.",
    ),
    "reserve": (
        "cli.commands.reserve",
        "The reserve: coverage report, bank statements and reconciliation.",
    ),
    "bank": (
        "cli.commands.bank",
        "The association's bank accounts and their reconciliation with the books.",
    ),
    "authority": (
        "cli.commands.authority",
        "Local authorities: record one, its convention's versions, who works there.",
    ),
    "regie": (
        "cli.commands.regie",
        "Régies of local authorities: open one, list them, their tariffs.",
    ),
    "users": (
        "cli.commands.users",
        "Users of the service: create, link to accounts, disable, change passwords.",
    ),
    "cashiers": (
        "cli.commands.cashiers",
        "A shop's cashiers: add, disable, enable, set a password (for the shop's owner).",
    ),
    "versement": (
        "cli.commands.versement",
        "A régie's versements to the public accountant, and their états.",
    ),
    "takings": (
        "cli.commands.takings",
        "A shop's QR checkout takings, for a day and a month, day by day.",
    ),
    "keys": (
        "cli.commands.keys",
        "The keys that sign payment codes and receipts: generate, rotate, show.",
    ),
    "jobs": (
        "cli.commands.jobs",
        "The service's scheduled jobs: expiring holds, sealing the journal, sending webhooks.",
    ),
    "chart": (
        "cli.commands.chart",
        "The chart of accounts: where each ledger account goes in the books.",
    ),
    "report": (
        "cli.commands.chart",
        "The income statement of a period and the balance sheet at its end, by chart account.",
    ),
    "audit": ("cli.commands.audit", "Audit the books."),
    "period": (
        "cli.commands.periods",
        "Accounting periods: the closing checklist, closing the books.",
    ),
    "export": ("cli.commands.export", "Export the books for people and other tools."),
    "quittance": (
        "cli.commands.quittance",
        "A régie's quittances: list, show, verify a signed one; a sale at its counter.",
    ),
    "town-statement": (
        "cli.commands.town_statement",
        "What the public accountant receives: a régie's or an authority's statement of a year.",
    ),
    "liability-proof": (
        "cli.commands.liability_proof",
        "The proof that an account's balance is counted in a checkpoint, for the verifier.",
    ),
}


class ReportingGroup(TyperGroup):
    """The root group: loads a command's module when the command is asked for, and
    reports any error of a command as a message and an exit code."""

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)
        for param in params:
            _read_plainly(param)
        return params

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            _read_help_plainly(ctx, command)
        return name, command, rest

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            if getattr(ctx, "resilient_parsing", False) or _listing(ctx):
                # Listing the commands for help: their line from the table will do.
                return TyperCommand(cmd_name, short_help=COMMANDS[cmd_name][1])
            self.load(COMMANDS[cmd_name][0])
        return self.commands.get(cmd_name)

    def load(self, module: str) -> None:
        """Import ``module`` and mount the commands it registers."""
        collected = typer.Typer()
        importlib.import_module(module).register(collected)
        built = typer.main.get_group(collected)
        self.commands.update(built.commands)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        ctx.meta["mlc.listing"] = True
        try:
            super().format_help(ctx, formatter)
        finally:
            ctx.meta["mlc.listing"] = False

    # ``ctx`` is Typer's click context; its class is private to Typer, hence Any.
    def invoke(self, ctx: Any) -> Any:
        from monnaie_locale.errors import MonnaieLocaleError

        try:
            return super().invoke(ctx)
        except CliProblem as problem:
            _report(ctx, problem.message)
            raise typer.Exit(problem.exit_code) from problem
        except MonnaieLocaleError as error:
            from monnaie_locale.database_url import safe_url

            run = _run(ctx)
            _report(ctx, explain(error, run.messages, url=safe_url(run.database_url)))
            raise typer.Exit(exit_code_for(error)) from error


class _PlainValue:
    """Reads an option's text, flag or choice as Typer would, without pydantic.

    Typer coerces every value through a pydantic ``TypeAdapter``, built on first use.
    The root options, and the ``--help`` flag of each group on the way to a command, are
    read on every run, ``mlc GROUP --help`` included: pydantic alone would cost that help
    a third of its time. Installed on the option in place of Typer's own (its
    ``_runtime_param``): should a later Typer not look there, it coerces as before, only
    slower, and ``tests/cli/test_help_imports.py`` says so.
    """

    def __init__(self, kind: type) -> None:
        self.kind = kind

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None or isinstance(value, self.kind):
            return value
        if self.kind is str:
            return str(value)
        if not issubclass(self.kind, enum.Enum):
            raise typer.BadParameter(f"{value!r} is not a valid {self.kind.__name__}.")
        for choice in self.kind:
            if str(choice.value).casefold() == str(value).casefold():
                return choice
        allowed = ", ".join(repr(choice.value) for choice in self.kind)
        raise typer.BadParameter(f"{value!r} is not one of {allowed}.", ctx=ctx, param=param)


def _read_plainly(param: Any) -> None:
    """Text, flags and choices read without pydantic; anything else as Typer does."""
    if getattr(param, "_runtime_param", True) is not None:
        return
    annotation = getattr(param.type_descriptor, "annotation", None)
    if annotation in (str, bool) or (
        isinstance(annotation, type) and issubclass(annotation, enum.Enum)
    ):
        param._runtime_param = _PlainValue(annotation)


def _read_help_plainly(ctx: Any, command: Any) -> None:
    """The ``--help`` flags of ``command`` and of every command under it."""
    _read_plainly(command.get_help_option(ctx))
    for sub in getattr(command, "commands", {}).values():
        _read_help_plainly(ctx, sub)


def _listing(ctx: Any) -> bool:
    return bool(ctx is not None and ctx.meta.get("mlc.listing"))


def load_all(group: ReportingGroup) -> ReportingGroup:
    """Every command mounted: for the tests that walk the whole tree."""
    for module in dict.fromkeys(module for module, _ in COMMANDS.values()):
        group.load(module)
    return group


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
        "registre; 4 database unreachable or not migrated / base injoignable ou non migrée; "
        "5 not allowed for the user acting (--as) / interdit à l'utilisateur qui agit.\n\n"
        "[b]Example:[/b] mlc --database sqlite:///var/eusko.db --as marie accounts list"
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
    actor: Annotated[
        str | None,
        typer.Option(
            "--as",
            envvar=ACTOR_ENV,
            help="Who acts: a user of this database. Each act is checked against that "
            "user's role and accounts, exactly as over HTTP.",
        ),
    ] = None,
) -> None:
    """Settings shared by every command."""
    run = RunContext(
        database_url=database,
        messages=Messages(language_from(lang, os.environ)),
        actor_name=actor,
    )
    localize(ctx.command, run.messages.lang, ctx)
    ctx.obj = run
    ctx.call_on_close(run.close)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
