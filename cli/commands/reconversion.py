"""``mlc reconversion``: units back into euros, from request to payment.

A request holds the member's units; the association validates requests into a batch,
exports the batch as a pain.001 file for its bank, and marks each payout paid once the
bank executed it (or lets ``mlc reserve import-statement`` find the payment).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli import help_fr
from cli.commands.options import JsonOption, KeyOption
from cli.context import RunContext, run_context
from cli.deployment_settings import record_json
from cli.errors import UsageProblem
from cli.lazy import lazy
from cli.output import print_json
from monnaie_locale.money import format_amount, parse_amount

if TYPE_CHECKING:
    from monnaie_locale.acts import reconversions
    from monnaie_locale.operations.payouts import PayoutBatch
    from monnaie_locale.operations.reconversion import Reconversion
else:
    reconversions = lazy("monnaie_locale.acts.reconversions")

__all__ = ["register"]

group = typer.Typer(
    help=(
        "Reconvert units into euros: requests, payout batches, pain.001 files.\n\n"
        "[b]Example:[/b] mlc reconversion batch export 12 virements-2026-11-27.xml"
    ),
    no_args_is_help=True,
)
batch_group = typer.Typer(
    help=(
        "Payout batches: validate requests, export the bank file, mark it paid.\n\n"
        "[b]Example:[/b] mlc --as marie reconversion batch validate 4 5 6 --key batch-2026-11"
    ),
    no_args_is_help=True,
)
group.add_typer(batch_group, name="batch")

_STATUSES = ("requested", "batched", "paid", "cancelled")


# The French help of these commands, merged into cli.help_fr's table on registration.
FRENCH_HELP: dict[str, str] = {
    "reconversion": (
        "Reconvertit des unités en euros : demandes, lots de virements, fichiers "
        "pain.001.\n\n[b]Exemple :[/b] mlc reconversion batch export 12 "
        "virements-2026-11-27.xml"
    ),
    "reconversion request": (
        "Demande une reconversion : les unités sont bloquées jusqu'au virement ou à "
        "l'annulation.\n\n[b]Exemple :[/b] mlc reconversion request bakery 150 --name "
        '"Boulangerie Dupont" --iban FR1420041010050500013M02606 --key reconv-bakery-2026-11'
    ),
    "reconversion request ACCOUNT": "Le compte qui rend des unités.",
    "reconversion request AMOUNT": "Unités à reconvertir, par exemple 150 ou 12,50.",
    "reconversion request --name": "Nom du titulaire du compte bancaire.",
    "reconversion request --iban": "IBAN où les euros sont versés.",
    "reconversion request --bic": "BIC, si la banque le demande.",
    "reconversion cancel": (
        "Annule une demande qui n'est pas encore dans un lot : les unités sont "
        "libérées.\n\n[b]Exemple :[/b] mlc reconversion cancel 42"
    ),
    "reconversion cancel REQUEST_ID": "Le numéro de la demande.",
    "reconversion list": (
        "Liste les demandes de reconversion, les plus anciennes d'abord.\n\n[b]Exemple :[/b] "
        "mlc reconversion list --status requested"
    ),
    "reconversion list --status": "Seulement ce statut : requested, batched, paid, cancelled.",
    "reconversion paid": (
        "Marque un virement payé : les unités bloquées sont détruites, les euros quittent la "
        "réserve.\n\n[b]Exemple :[/b] mlc reconversion paid 42 --bank-ref 2026112800017"
    ),
    "reconversion paid REQUEST_ID": "Le numéro de la demande.",
    "reconversion paid --bank-ref": "L'identifiant du paiement à la banque.",
    "reconversion batch": (
        "Lots de virements : valider des demandes, écrire le fichier pour la banque, marquer "
        "payé.\n\n[b]Exemple :[/b] mlc --as marie reconversion batch validate 4 5 6 --key "
        "batch-2026-11"
    ),
    "reconversion batch validate": (
        "Valide des demandes en un lot de virements (la réserve doit couvrir leurs "
        "montants).\n\nL'utilisateur qui agit (--as) est enregistré comme valideur du "
        "lot.\n\n[b]Exemple :[/b] mlc --as marie reconversion batch validate 4 5 6 --key "
        "batch-2026-11"
    ),
    "reconversion batch validate REQUEST_IDS": "Les demandes à payer ensemble.",
    "reconversion batch export": (
        "Écrit un lot en fichier de virements SEPA pain.001 pour la banque.\n\n[b]Exemple "
        ":[/b] mlc reconversion batch export 12 virements-2026-11-27.xml"
    ),
    "reconversion batch export BATCH_ID": "Le numéro du lot.",
    "reconversion batch export FILE": "Le fichier XML pain.001 à écrire.",
    "reconversion batch export --execution-date": (
        "Jour du paiement par la banque, AAAA-MM-JJ (par défaut : aujourd'hui)."
    ),
    "reconversion batch paid": (
        "Marque payés tous les virements d'un lot, payé par la banque en un seul "
        "débit.\n\n[b]Exemple :[/b] mlc reconversion batch paid 12 --bank-ref 2026112800017"
    ),
    "reconversion batch paid BATCH_ID": "Le numéro du lot.",
    "reconversion batch paid --bank-ref": "L'identifiant du paiement à la banque.",
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="reconversion")


def _money(run: RunContext, minor: int) -> str:
    return format_amount(minor, decimal_separator=run.messages.decimal_separator)


def _show(run: RunContext, done: Reconversion, *, as_json: bool) -> None:
    if as_json:
        print_json(record_json(done))
        return
    run.out.print(
        run.messages(
            "reconversion.done",
            id=done.id,
            account=done.account,
            amount=_money(run, done.amount),
            fee=_money(run, done.fee),
            payout=_money(run, done.payout),
            status=done.status,
        ),
        markup=False,
    )


@group.command()
def request(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="The account giving back units.")],
    amount: Annotated[str, typer.Argument(help="Units to reconvert, e.g. 150 or 12,50.")],
    name: Annotated[str, typer.Option("--name", help="Name of the bank account's holder.")],
    iban: Annotated[str, typer.Option("--iban", help="IBAN the euros are paid to.")],
    key: KeyOption,
    bic: Annotated[str | None, typer.Option("--bic", help="BIC, if the bank needs it.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Request a reconversion: holds the units until the payout is made or cancelled.

    [b]Example:[/b] mlc reconversion request bakery 150 --name "Boulangerie Dupont"
    --iban FR1420041010050500013M02606 --key reconv-bakery-2026-11
    """
    run = run_context(ctx)
    minor = parse_amount(amount)
    done = reconversions.request_reconversion(
        run.context(), account, minor, creditor_name=name, iban=iban, bic=bic, key=key
    )
    _show(run, done, as_json=as_json)


@group.command()
def cancel(
    ctx: typer.Context,
    request_id: Annotated[int, typer.Argument(help="The request's id.", min=1)],
    as_json: JsonOption = False,
) -> None:
    """Cancel a request not yet in a batch: the units are released.

    [b]Example:[/b] mlc reconversion cancel 42
    """
    run = run_context(ctx)
    done = reconversions.cancel_reconversion(run.context(), request_id)
    _show(run, done, as_json=as_json)


@group.command("list")
def list_requests(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option("--status", help="Only this status: " + ", ".join(_STATUSES) + "."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List reconversion requests, oldest first.

    [b]Example:[/b] mlc reconversion list --status requested
    """
    run = run_context(ctx)
    if status is not None and status not in _STATUSES:
        raise UsageProblem(run.messages("reconversion.bad_status", statuses=", ".join(_STATUSES)))
    found = reconversions.list_reconversions(run.context(), status=status)
    if as_json:
        print_json([record_json(item) for item in found])
        return
    if not found:
        run.out.print(run.messages("reconversion.none"))
        return
    table = Table(title=run.messages("reconversion.title"))
    for column in ("id", "account", "amount", "fee", "payout", "status", "batch"):
        table.add_column(run.messages(f"col.{column}"))
    for item in found:
        table.add_row(
            str(item.id),
            item.account,
            _money(run, item.amount),
            _money(run, item.fee),
            _money(run, item.payout),
            item.status,
            "" if item.batch_id is None else str(item.batch_id),
        )
    run.out.print(table)


@group.command()
def paid(
    ctx: typer.Context,
    request_id: Annotated[int, typer.Argument(help="The request's id.", min=1)],
    bank_ref: Annotated[str, typer.Option("--bank-ref", help="The bank's id of the payment.")],
    as_json: JsonOption = False,
) -> None:
    """Mark one payout paid: the held units are destroyed, the euros leave the reserve.

    [b]Example:[/b] mlc reconversion paid 42 --bank-ref 2026112800017
    """
    run = run_context(ctx)
    done = reconversions.mark_paid(run.context(), request_id, bank_reference=bank_ref)
    _show(run, done, as_json=as_json)


def _show_batch(run: RunContext, batch: PayoutBatch, *, as_json: bool) -> None:
    if as_json:
        print_json(record_json(batch))
        return
    run.out.print(
        run.messages(
            "reconversion.batch",
            id=batch.id,
            count=len(batch.request_ids),
            total=_money(run, batch.total_payout),
            status=batch.status,
        ),
        markup=False,
    )


@batch_group.command()
def validate(
    ctx: typer.Context,
    request_ids: Annotated[list[int], typer.Argument(help="The requests to pay together.")],
    key: KeyOption,
    as_json: JsonOption = False,
) -> None:
    """Validate requests into one payout batch (the reserve must hold their payouts).

    The user acting (--as) is recorded as the batch's validator.

    [b]Example:[/b] mlc --as marie reconversion batch validate 4 5 6 --key batch-2026-11
    """
    run = run_context(ctx)
    batch = reconversions.validate_batch(run.context(), request_ids, key=key)
    _show_batch(run, batch, as_json=as_json)


@batch_group.command()
def export(
    ctx: typer.Context,
    batch_id: Annotated[int, typer.Argument(help="The batch's id.", min=1)],
    file: Annotated[Path, typer.Argument(help="The pain.001 XML file to write.")],
    execution_date: Annotated[
        str | None,
        typer.Option("--execution-date", help="Day the bank pays, YYYY-MM-DD (default: today)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Write a batch as a pain.001 SEPA credit transfer file for the bank.

    [b]Example:[/b] mlc reconversion batch export 12 virements-2026-11-27.xml
    """
    run = run_context(ctx)
    try:
        day = None if execution_date is None else date.fromisoformat(execution_date)
    except ValueError as error:
        raise UsageProblem(run.messages("export.bad_date", value=execution_date)) from error
    if file.exists():
        raise UsageProblem(run.messages("reconversion.file_exists", path=file))
    partial = file.with_name(file.name + ".partial")
    try:
        # Written before the commit: if the disk refuses, the batch stays unexported.
        content = reconversions.export_batch(
            run.context(), batch_id, execution_date=day, deliver=partial.write_bytes
        )
        partial.replace(file)
    finally:
        partial.unlink(missing_ok=True)
    size = len(content)
    if as_json:
        print_json({"batch": batch_id, "file": str(file), "bytes": size})
        return
    run.out.print(run.messages("reconversion.exported", id=batch_id, path=file), markup=False)


@batch_group.command("paid")
def batch_paid(
    ctx: typer.Context,
    batch_id: Annotated[int, typer.Argument(help="The batch's id.", min=1)],
    bank_ref: Annotated[str, typer.Option("--bank-ref", help="The bank's id of the payment.")],
    as_json: JsonOption = False,
) -> None:
    """Mark every payout of a batch paid, when the bank paid it as one debit.

    [b]Example:[/b] mlc reconversion batch paid 12 --bank-ref 2026112800017
    """
    run = run_context(ctx)
    batch = reconversions.mark_batch_paid(run.context(), batch_id, bank_reference=bank_ref)
    _show_batch(run, batch, as_json=as_json)
