"""``mlc audit``: check that the books are whole, for the auditor and for scheduled jobs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cli.context import RunContext, run_context
from cli.errors import Discrepancy
from cli.lazy import lazy
from cli.output import print_json, progress_bar

if TYPE_CHECKING:
    from monnaie_locale.acts import audit
    from monnaie_locale.journal import Verification
else:
    audit = lazy("monnaie_locale.acts.audit")

__all__ = ["register", "seal_all"]

group = typer.Typer(
    help="Audit the books.\n\n[b]Example:[/b] mlc audit verify",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="audit")


def seal_all(run: RunContext) -> int:
    """Seal every transaction the service queued for the journal, with a progress bar."""
    ctx = run.context()
    queued = audit.journal_size(ctx).queued
    if not queued:
        return 0
    with progress_bar(run.err, run.messages("audit.sealing"), total=queued) as bar:
        return audit.seal_queued(ctx, progress=bar.advance_to)


@group.command()
def verify(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Verify the journal: hashes, sequence, the service's marks, the head, balances.

    On PostgreSQL it first seals what the service queued; a queued row without the
    service's mark of its content is never sealed but reported. On SQLite it seals
    nothing: the service chains each transaction as it commits, so a transaction without
    a journal entry is a discrepancy. Run it with the service's settings: the marks are
    checked with MLC_SECRET_KEY.

    Exits with 1, naming the first discrepancy's sequence number, when the books are
    broken: fit for a scheduled job that alerts.

    What it cannot detect: the newest transactions removed by someone who also undoes
    their balance updates and rewinds the journal's head; forgeries by someone who drops
    the database's triggers and erases every mark, so the journal looks as it did before
    marks existed; anything done by someone who holds MLC_SECRET_KEY as well as write
    access to the database. Signed checkpoints of the journal, kept outside the
    database, are the full answer.

    [b]Example:[/b] mlc audit verify --json
    """
    run = run_context(ctx)
    seal_all(run)  # SQLite never queues: there, nothing is sealed by verification
    entries = audit.journal_size(run.context()).entries
    with progress_bar(run.err, run.messages("audit.verifying"), total=entries) as bar:
        result = audit.verify_journal(run.context(), progress=bar.advance_to)
    if as_json:
        print_json(
            {
                "ok": result.ok,
                "entries": result.entries,
                "postings": result.postings,
                "accounts": result.accounts,
                "unsealed": result.unsealed,
                "discrepancies": [
                    {"sequence": d.sequence, "reason": d.reason} for d in result.discrepancies
                ],
            }
        )
    else:
        run.out.print(_table(run, result))
        run.out.print(run.messages("audit.limits"))
    if result.ok:
        if not as_json:
            run.out.print(run.messages("audit.ok"))
        return
    first = result.first
    assert first is not None
    if first.sequence is not None:
        message = run.messages("audit.broken", seq=first.sequence, reason=first.reason)
    else:
        message = run.messages("audit.broken_balances", reason=first.reason)
    raise Discrepancy(message)


def _table(run: RunContext, result: Verification) -> Table:
    m = run.messages
    table = Table(title=m("audit.title"))
    table.add_column(m("col.check"))
    table.add_column(m("col.value"), justify="right")
    table.add_row(m("audit.entries"), str(result.entries))
    table.add_row(m("audit.postings"), str(result.postings))
    table.add_row(m("audit.accounts"), str(result.accounts))
    table.add_row(m("audit.unsealed"), str(result.unsealed))
    verdict = m("audit.result_ok") if result.ok else m("audit.result_broken")
    table.add_row(m("audit.result"), verdict)
    for discrepancy in result.discrepancies:
        where = "-" if discrepancy.sequence is None else str(discrepancy.sequence)
        table.add_row(where, escape(discrepancy.reason))
    return table


@group.command()
def acts(
    ctx: typer.Context,
    after_id: Annotated[
        int, typer.Option("--after-id", min=0, help="Only the acts after this row's number.")
    ] = 0,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many acts.")] = 100,
    actor: Annotated[
        str | None, typer.Option(help="Only the acts of this user (a name, or user:<id>).")
    ] = None,
    act: Annotated[
        str | None, typer.Option("--act", help="Only this act, such as users.disable.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """The log of administrative acts, oldest first: who created or disabled a user, opened
    or froze an account, changed a rule, a bank account, an office, the chart, closed a
    period, and when. No row holds a password nor a key's secret.

    [b]Example:[/b] mlc audit acts --actor admin --act users.disable
    """
    run = run_context(ctx)
    found = audit.administrative_acts(
        run.context(), after_id=after_id, limit=limit, actor=actor, act=act
    )
    if as_json:
        print_json(
            [
                {
                    "id": row.id,
                    "done_at": row.done_at.isoformat(),
                    "actor": row.actor,
                    "actor_name": row.actor_name,
                    "role": row.role,
                    "act": row.act,
                    "target": row.target,
                    "summary": row.summary,
                }
                for row in found
            ]
        )
        return
    table = Table(title=run.messages("audit.acts_title"))
    for column in ("id", "date", "user", "role", "act", "target", "summary"):
        table.add_column(run.messages(f"col.{column}"))
    for row in found:
        table.add_row(
            str(row.id),
            row.done_at.isoformat(timespec="seconds"),
            escape(row.actor_name),
            row.role,
            row.act,
            escape(row.target),
            escape(json.dumps(row.summary, ensure_ascii=False)),
        )
    run.out.print(table)
