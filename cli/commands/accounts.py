"""``mlc accounts``: open, list, show, rename, freeze, close and import accounts."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from cli.commands.options import JsonOption
from cli.context import RunContext, run_context
from cli.errors import UsageProblem
from cli.lazy import lazy
from cli.output import limit_text, print_json, progress_bar
from monnaie_locale.errors import InvalidAmount
from monnaie_locale.model import Account, AccountKind
from monnaie_locale.money import format_amount, parse_amount

if TYPE_CHECKING:
    from monnaie_locale import sides
    from monnaie_locale.acts import accounts
    from monnaie_locale.ledger.history import StatementLine
    from monnaie_locale.operations.account_import import ImportProblem
else:
    accounts = lazy("monnaie_locale.acts.accounts")
    sides = lazy("monnaie_locale.sides")

__all__ = ["account_json", "parse_limit", "register"]

group = typer.Typer(
    help=(
        "Accounts of members, businesses, authorities and the association.\n\n"
        "[b]Example:[/b] mlc accounts show alice"
    ),
    no_args_is_help=True,
)

CodeArgument = Annotated[str, typer.Argument(help="The account's code, e.g. alice.")]


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="accounts")


def parse_limit(text: str | None) -> accounts.Limit:
    """A limit typed by a person: an amount, possibly negative, or ``none`` for no limit;
    not given, the deployment's for the kind."""
    if text is None:
        return accounts.USUAL
    if text.strip().lower() in ("none", "aucune", ""):
        return None
    cleaned = text.strip()
    if cleaned.startswith("-"):
        return -parse_amount(cleaned[1:])
    return parse_amount(cleaned)


def account_json(account: Account) -> dict[str, Any]:
    return {
        "id": account.id,
        "code": account.code,
        "display_name": account.display_name,
        "kind": str(account.kind),
        "currency": account.currency,
        "status": str(account.status),
        "owner": account.owner_ref,
        "lower_limit": account.lower_limit,
        "upper_limit": account.upper_limit,
        # The ledger's signed figure, for scripts; holder_balance is what people read.
        "balance": account.balance,
        "holder_balance": sides.holder_side(account.balance, account),
        "held": account.held,
        "available": account.available if account.lower_limit is not None else None,
    }


def _limit_or_refuse(run: RunContext, text: str | None) -> accounts.Limit:
    try:
        return parse_limit(text)
    except InvalidAmount as exc:
        raise UsageProblem(run.messages("accounts.bad_limit", value=text)) from exc


@group.command()
def create(
    ctx: typer.Context,
    code: CodeArgument,
    kind: Annotated[AccountKind, typer.Option("--kind", help="Who holds the account.")],
    currency: Annotated[str, typer.Option("--currency", help="EUR or the local unit's code.")],
    lower_limit: Annotated[
        str | None,
        typer.Option(
            "--lower-limit", help="Lowest balance allowed, 0 if not given; 'none': unbounded."
        ),
    ] = None,
    upper_limit: Annotated[
        str | None,
        typer.Option(
            "--upper-limit",
            help="Highest balance allowed; the deployment's for the kind if not given.",
        ),
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Reference of the holder (member number).")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="The name payers are shown; else the code.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Open an account with a zero balance.

    [b]Example:[/b] mlc accounts create bakery --kind business --currency MLC --name "Ogi Beroa"
    """
    run = run_context(ctx)
    lower, upper = _limit_or_refuse(run, lower_limit), _limit_or_refuse(run, upper_limit)
    account = accounts.open_account(
        run.context(),
        code,
        kind=kind,
        currency=currency,
        lower_limit=lower,
        upper_limit=upper,
        owner_ref=owner,
        display_name=name,
    )
    if as_json:
        print_json(account_json(account))
        return
    run.out.print(
        run.messages("accounts.created", code=code, kind=kind, currency=currency),
        markup=False,
    )


@group.command("list")
def list_command(
    ctx: typer.Context,
    kind: Annotated[
        AccountKind | None, typer.Option("--kind", help="Only accounts of this kind.")
    ] = None,
    after: Annotated[
        int, typer.Option("--after", help="Cursor: show accounts after this id.", min=0)
    ] = 0,
    limit: Annotated[int, typer.Option("--limit", help="Accounts per page.", min=1, max=1000)] = 50,
    as_json: JsonOption = False,
) -> None:
    """List accounts, a page at a time, in the order they were opened.

    [b]Example:[/b] mlc accounts list --kind business --limit 20 --after 140
    """
    run = run_context(ctx)
    page = accounts.list_accounts(run.context(), kind=kind, after_id=after, limit=limit + 1)
    shown, more = page[:limit], len(page) > limit
    cursor = shown[-1].id if more else None
    if as_json:
        print_json({"accounts": [account_json(a) for a in shown], "next_cursor": cursor})
        return
    if not shown:
        run.out.print(run.messages("accounts.none"))
        return
    run.out.print(_accounts_table(run, shown))
    if cursor is not None:
        run.out.print(run.messages("accounts.next", cursor=cursor))


def _accounts_table(run: RunContext, shown: list[Account]) -> Table:
    m, sep = run.messages, run.messages.decimal_separator
    table = Table(title=m("accounts.title"))
    for key in ("code", "kind", "currency", "status", "owner"):
        table.add_column(m(f"col.{key}"))
    for key in ("balance", "held", "lower_limit"):
        table.add_column(m(f"col.{key}"), justify="right")
    for account in shown:
        table.add_row(
            escape(account.code),
            str(account.kind),
            account.currency,
            m(f"status.{account.status}"),
            escape(account.owner_ref or ""),
            format_amount(sides.holder_side(account.balance, account), decimal_separator=sep),
            format_amount(account.held, decimal_separator=sep),
            limit_text(account.lower_limit, decimal_separator=sep, none=m("limit.none")),
        )
    return table


@group.command()
def show(
    ctx: typer.Context,
    code: CodeArgument,
    last: Annotated[
        int, typer.Option("--last", help="How many recent postings to show.", min=1, max=500)
    ] = 10,
    as_json: JsonOption = False,
) -> None:
    """Show an account: balance, held, available, limits and its last postings.

    [b]Example:[/b] mlc accounts show alice --last 20
    """
    run = run_context(ctx)
    account = accounts.get_account(run.context(), code)
    lines = accounts.statement(run.context(), code, limit=last).lines
    if as_json:
        print_json(
            {
                "account": account_json(account),
                "postings": [_line_json(line) for line in lines],
            }
        )
        return
    run.out.print(_summary_table(run, account))
    run.out.print(_postings_table(run, account, lines, zone=run.context().deployment.zone))


def _line_json(line: StatementLine) -> dict[str, Any]:
    return {
        "posting_id": line.posting.id,
        "transaction_id": line.posting.transaction_id,
        "created_at": line.posting.created_at.isoformat(),
        "amount": line.posting.amount,
        "balance_after": line.posting.balance_after,
        "kind": line.kind,
        "memo": line.memo,
        "reference": line.reference,
    }


def _summary_table(run: RunContext, account: Account) -> Table:
    m, sep = run.messages, run.messages.decimal_separator
    table = Table(
        title=escape(f"{account.code} ({account.kind}, {account.currency})"), show_header=False
    )
    table.add_column(m("col.check"))
    table.add_column(m("col.value"), justify="right")
    available = (
        format_amount(account.available, decimal_separator=sep)
        if account.lower_limit is not None
        else m("limit.none")
    )
    lower, upper = sides.holder_limits(account)
    rows = (
        ("col.status", m(f"status.{account.status}")),
        ("col.owner", escape(account.owner_ref or "")),
        (
            "col.balance",
            format_amount(sides.holder_side(account.balance, account), decimal_separator=sep),
        ),
        ("col.held", format_amount(account.held, decimal_separator=sep)),
        ("col.available", available),
        (
            "col.lower_limit",
            limit_text(lower, decimal_separator=sep, none=m("limit.none")),
        ),
        (
            "col.upper_limit",
            limit_text(upper, decimal_separator=sep, none=m("limit.none")),
        ),
    )
    for key, value in rows:
        table.add_row(m(key), value)
    return table


def _postings_table(
    run: RunContext, account: Account, lines: tuple[StatementLine, ...], *, zone: tzinfo
) -> Table:
    """The last postings, dated in the deployment's zone, read from the holder's side."""
    m, sep = run.messages, run.messages.decimal_separator
    table = Table(title=m("accounts.last_postings"))
    table.add_column(m("col.date"))
    table.add_column(m("col.transaction"), justify="right")
    table.add_column(m("col.kind"))
    table.add_column(m("col.memo"))
    table.add_column(m("col.amount"), justify="right")
    table.add_column(m("col.balance"), justify="right")
    for line in lines:
        table.add_row(
            line.posting.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            str(line.posting.transaction_id),
            escape(line.kind),
            escape(line.memo),
            format_amount(sides.holder_side(line.posting.amount, account), decimal_separator=sep),
            format_amount(
                sides.holder_side(line.posting.balance_after, account), decimal_separator=sep
            ),
        )
    return table


def _change_status(
    ctx: typer.Context, code: str, change: accounts.StatusChange, as_json: bool
) -> None:
    run = run_context(ctx)
    account = change(run.context(), code)
    if as_json:
        print_json(account_json(account))
        return
    status = run.messages(f"status.{account.status}")
    run.out.print(run.messages("accounts.status_changed", code=code, status=status), markup=False)


@group.command()
def freeze(ctx: typer.Context, code: CodeArgument, as_json: JsonOption = False) -> None:
    """Stop every movement on an account until it is unfrozen.

    [b]Example:[/b] mlc accounts freeze alice
    """
    _change_status(ctx, code, accounts.freeze, as_json)


@group.command()
def unfreeze(ctx: typer.Context, code: CodeArgument, as_json: JsonOption = False) -> None:
    """Let a frozen account move money again.

    [b]Example:[/b] mlc accounts unfreeze alice
    """
    _change_status(ctx, code, accounts.unfreeze, as_json)


@group.command()
def close(ctx: typer.Context, code: CodeArgument, as_json: JsonOption = False) -> None:
    """Close an empty account, for good (its balance and holds must be zero).

    [b]Example:[/b] mlc accounts close alice
    """
    _change_status(ctx, code, accounts.close, as_json)


@group.command()
def rename(
    ctx: typer.Context,
    code: CodeArgument,
    name: Annotated[
        str | None, typer.Argument(help="The name payers are shown from now on.")
    ] = None,
    clear: Annotated[
        bool, typer.Option("--clear", help="Remove the name: payers see the code again.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Change the name payers are shown for an account (on the QR pay page).

    [b]Example:[/b] mlc accounts rename bakery "Boulangerie Etchegaray"
    """
    run = run_context(ctx)
    if (name is None) == (not clear):
        raise UsageProblem(run.messages("accounts.rename_what"))
    account = accounts.rename(run.context(), code, name)
    if as_json:
        print_json(account_json(account))
        return
    key = "accounts.renamed" if name is not None else "accounts.name_cleared"
    run.out.print(run.messages(key, code=code, name=name or ""), markup=False)


@group.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV with code,kind,currency,owner,lower_limit.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every line, write nothing.")
    ] = False,
    encoding: Annotated[
        str, typer.Option("--encoding", help="The file's encoding, e.g. latin-1.")
    ] = "utf-8",
    as_json: JsonOption = False,
) -> None:
    """Open many accounts from a CSV file: all of them, or none.

    Columns (header line, comma or semicolon separated): code, kind, currency, owner,
    lower_limit, and optionally upper_limit and display_name. Every problem is listed
    with its line; when there is one, nothing is written. Check first with --dry-run.

    [b]Example:[/b] mlc accounts import adherents.csv --dry-run
    """
    run = run_context(ctx)
    if not file.is_file():
        raise UsageProblem(run.messages("file.not_found", path=file))
    context = run.context()
    with progress_bar(run.err, run.messages("import.checking"), total=None) as bar:
        outcome = accounts.import_accounts(
            context,
            file.read_bytes(),
            encoding=encoding,
            dry_run=dry_run,
            progress=bar.advance_to,
            on_total=bar.total,
        )
    if outcome.problems:
        _report_problems(run, file, outcome.problems, as_json=as_json, dry_run=dry_run)
        raise UsageProblem(run.messages("import.refused", count=len(outcome.problems)))
    if as_json:
        print_json({"dry_run": dry_run, "accounts": len(outcome.rows), "problems": []})
        return
    key = "import.dry_ok" if dry_run else "import.done"
    run.out.print(run.messages(key, count=len(outcome.rows)))


def _report_problems(
    run: RunContext, file: Path, problems: list[ImportProblem], *, as_json: bool, dry_run: bool
) -> None:
    if as_json:
        print_json(
            {
                "dry_run": dry_run,
                "accounts": 0,
                "problems": [
                    {"line": p.line, "column": p.column, "problem": _problem_text(run, p)}
                    for p in problems
                ],
            }
        )
        return
    m = run.messages
    table = Table(title=m("import.title", path=file))
    table.add_column(m("col.line"), justify="right")
    table.add_column(m("col.column"))
    table.add_column(m("col.problem"))
    for problem in problems:
        table.add_row(str(problem.line), problem.column or "", escape(_problem_text(run, problem)))
    run.out.print(table)


def _problem_text(run: RunContext, problem: ImportProblem) -> str:
    return run.messages(f"import.p.{problem.key}", **problem.fields)
