"""``mlc mandate``: an authority's spending, proposed by its ordonnateur and paid by its
comptable, never both by one person (see :mod:`monnaie_locale.acts.mandates`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli import help_fr
from cli.commands.options import EXAMPLE, EXEMPLE, JsonOption, KeyOption
from cli.context import RunContext, run_context
from cli.deployment_settings import record_json
from cli.errors import UsageProblem
from cli.lazy import lazy
from cli.output import print_json
from monnaie_locale.money import format_amount, parse_amount

if TYPE_CHECKING:
    from monnaie_locale.acts import mandates
    from monnaie_locale.authorities.mandates import Mandate
else:
    mandates = lazy("monnaie_locale.acts.mandates")

__all__ = ["register"]

_PROPOSE = (
    "mlc --as j.etcheverry mandate propose bayonne --payee member:club --amount 250 "
    "--exercice 2026 --bordereau B-2026-014 --number 1207 --chapitre 65 --article 6574 "
    '--fonction 40 --object "Subvention au club de pelote" --key mandat-2026-1207'
)
_APPROVE = "mlc --as m.dufau mandate approve bayonne 12 --key paiement-2026-1207"
_REJECT = 'mlc --as m.dufau mandate reject bayonne 12 --reason "Pièces manquantes"'
_STATUSES = ("proposed", "paid", "rejected")

group = typer.Typer(
    help=(
        "An authority's mandates: proposed by its ordonnateur, paid by its comptable.\n\n"
        f"{EXAMPLE}mlc mandate list bayonne --status proposed"
    ),
    no_args_is_help=True,
)

# The French help of these commands, merged into cli.help_fr's table on registration.
FRENCH_HELP: dict[str, str] = {
    "mandate": (
        "Les mandats d'une collectivité : proposés par son ordonnateur, payés par son "
        f"comptable.\n\n{EXEMPLE}mlc mandate list bayonne --status proposed"
    ),
    "mandate propose": (
        "Propose un paiement de la collectivité (devoir d'ordonnateur) : rien ne bouge avant "
        "que le comptable l'approuve. Seulement si la convention en vigueur permet à la "
        f"collectivité de dépenser.\n\n{EXEMPLE}{_PROPOSE}"
    ),
    "mandate propose AUTHORITY": "Le code de la collectivité, par exemple bayonne.",
    "mandate propose --payee": "Le compte payé, par exemple member:club.",
    "mandate propose --amount": "Le montant, par exemple 250 ou 12,50.",
    "mandate propose --exercice": "L'exercice budgétaire, par exemple 2026.",
    "mandate propose --bordereau": "Le bordereau où le mandat est émis, par exemple B-2026-014.",
    "mandate propose --number": "Le numéro du mandat, par exemple 1207.",
    "mandate propose --chapitre": "Le chapitre M57, 2 ou 3 chiffres, par exemple 65.",
    "mandate propose --article": "L'article par nature M57, par exemple 6574.",
    "mandate propose --fonction": "La fonction M57, en chiffres, par exemple 40.",
    "mandate propose --object": "L'objet de la dépense, tel que le bénéficiaire le lira.",
    "mandate approve": (
        "Paie un mandat proposé depuis le compte de la collectivité (devoir de comptable). "
        "Refusé à la personne qui l'a proposé, même si elle a les deux devoirs."
        f"\n\n{EXEMPLE}{_APPROVE}"
    ),
    "mandate approve AUTHORITY": "Le code de la collectivité, par exemple bayonne.",
    "mandate approve MANDATE_ID": "Le numéro du mandat (mlc mandate list le montre).",
    "mandate reject": (
        "Rejette un mandat proposé en disant pourquoi (devoir de comptable) : rien ne bouge."
        f"\n\n{EXEMPLE}{_REJECT}"
    ),
    "mandate reject AUTHORITY": "Le code de la collectivité, par exemple bayonne.",
    "mandate reject MANDATE_ID": "Le numéro du mandat.",
    "mandate reject --reason": "Le motif du rejet.",
    "mandate list": (
        "Liste les mandats d'une collectivité, les plus anciens d'abord."
        f"\n\n{EXEMPLE}mlc mandate list bayonne --status proposed --exercice 2026"
    ),
    "mandate list AUTHORITY": "Le code de la collectivité, par exemple bayonne.",
    "mandate list --status": "Seulement ce statut : proposed, paid, rejected.",
    "mandate list --exercice": "Seulement cet exercice, par exemple 2026.",
    "mandate show": f"Montre un mandat.\n\n{EXEMPLE}mlc mandate show bayonne 12",
    "mandate show AUTHORITY": "Le code de la collectivité, par exemple bayonne.",
    "mandate show MANDATE_ID": "Le numéro du mandat.",
}

AuthorityArg = Annotated[
    str, typer.Argument(help="The authority's code, e.g. bayonne.", show_default=False)
]
MandateArg = Annotated[int, typer.Argument(help="The mandate's id (see mlc mandate list).", min=1)]


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="mandate")


def _money(run: RunContext, minor: int) -> str:
    return format_amount(minor, decimal_separator=run.messages.decimal_separator)


def _said(run: RunContext, mandate: Mandate, *, as_json: bool) -> None:
    """One line saying where the mandate stands, in the run's language."""
    if as_json:
        print_json(record_json(mandate))
        return
    fields = {
        "id": mandate.id,
        "authority": mandate.authority,
        "exercice": mandate.exercice,
        "bordereau": mandate.bordereau,
        "number": mandate.number,
        "amount": _money(run, mandate.amount),
        "payee": mandate.payee,
    }
    if mandate.status == "paid":
        text = run.messages("mandate.paid", transaction=mandate.transaction_id, **fields)
    elif mandate.status == "rejected":
        text = run.messages("mandate.rejected", reason=mandate.refusal, **fields)
    else:
        text = run.messages("mandate.proposed", **fields)
    run.out.print(text, markup=False)


def _status(run: RunContext, status: str) -> str:
    return {
        "proposed": run.messages("mandate.status.proposed"),
        "paid": run.messages("mandate.status.paid"),
        "rejected": run.messages("mandate.status.rejected"),
    }[status]


def _imputation(mandate: Mandate) -> str:
    return f"{mandate.chapitre}/{mandate.article}/{mandate.fonction}"


@group.command()
def propose(
    ctx: typer.Context,
    authority: AuthorityArg,
    payee: Annotated[str, typer.Option("--payee", help="The account paid, e.g. member:club.")],
    amount: Annotated[str, typer.Option("--amount", help="The amount, e.g. 250 or 12,50.")],
    exercice: Annotated[int, typer.Option("--exercice", help="The budget year, e.g. 2026.")],
    bordereau: Annotated[
        str, typer.Option("--bordereau", help="The bordereau it is issued in, e.g. B-2026-014.")
    ],
    number: Annotated[str, typer.Option("--number", help="The mandate's number, e.g. 1207.")],
    chapitre: Annotated[
        str, typer.Option("--chapitre", help="M57 chapitre, 2 or 3 digits, e.g. 65.")
    ],
    article: Annotated[str, typer.Option("--article", help="M57 article by nature, e.g. 6574.")],
    fonction: Annotated[str, typer.Option("--fonction", help="M57 fonction, digits, e.g. 40.")],
    object: Annotated[
        str, typer.Option("--object", help="What it pays for, as the payee will read it.")
    ],
    key: KeyOption,
    as_json: JsonOption = False,
) -> None:
    """Propose a payment by the authority (the ordonnateur's duty): nothing moves until the
    comptable approves it. Only where the convention in force lets the authority spend.

    [b]Example:[/b] mlc --as j.etcheverry mandate propose bayonne --payee member:club
    --amount 250 --exercice 2026 --bordereau B-2026-014 --number 1207 --chapitre 65
    --article 6574 --fonction 40 --object "Subvention au club de pelote" --key mandat-2026-1207
    """
    run = run_context(ctx)
    proposed = mandates.propose_mandate(
        run.context(),
        authority,
        payee=payee,
        amount=parse_amount(amount),
        exercice=exercice,
        bordereau=bordereau,
        number=number,
        chapitre=chapitre,
        article=article,
        fonction=fonction,
        object=object,
        key=key,
    )
    _said(run, proposed, as_json=as_json)


@group.command()
def approve(
    ctx: typer.Context,
    authority: AuthorityArg,
    mandate_id: MandateArg,
    key: KeyOption,
    as_json: JsonOption = False,
) -> None:
    """Pay a proposed mandate from the authority's account (the comptable's duty). Refused
    to the person who proposed it, even one holding both duties.

    [b]Example:[/b] mlc --as m.dufau mandate approve bayonne 12 --key paiement-2026-1207
    """
    run = run_context(ctx)
    _said(
        run,
        mandates.approve_mandate(run.context(), authority, mandate_id, key=key),
        as_json=as_json,
    )


@group.command()
def reject(
    ctx: typer.Context,
    authority: AuthorityArg,
    mandate_id: MandateArg,
    reason: Annotated[str, typer.Option("--reason", help="Why it is rejected.")],
    as_json: JsonOption = False,
) -> None:
    """Reject a proposed mandate, saying why (the comptable's duty): nothing moves.

    [b]Example:[/b] mlc --as m.dufau mandate reject bayonne 12 --reason "Pièces manquantes"
    """
    run = run_context(ctx)
    rejected = mandates.reject_mandate(run.context(), authority, mandate_id, reason=reason)
    _said(run, rejected, as_json=as_json)


@group.command("list")
def list_mandates(
    ctx: typer.Context,
    authority: AuthorityArg,
    status: Annotated[
        str | None,
        typer.Option("--status", help="Only this status: " + ", ".join(_STATUSES) + "."),
    ] = None,
    exercice: Annotated[
        int | None, typer.Option("--exercice", help="Only this exercice, e.g. 2026.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List an authority's mandates, oldest first.

    [b]Example:[/b] mlc mandate list bayonne --status proposed --exercice 2026
    """
    run = run_context(ctx)
    if status is not None and status not in _STATUSES:
        raise UsageProblem(run.messages("mandate.bad_status", statuses=", ".join(_STATUSES)))
    found = mandates.list_mandates(run.context(), authority, status=status, exercice=exercice)
    if as_json:
        print_json([record_json(item) for item in found])
        return
    if not found:
        run.out.print(run.messages("mandate.none"))
        return
    table = Table(title=run.messages("mandate.title", authority=authority))
    columns = ("id", "exercice", "bordereau", "number", "imputation", "payee", "amount")
    for column in (*columns, "status"):
        table.add_column(run.messages(f"col.{column}"))
    for item in found:
        table.add_row(
            str(item.id),
            str(item.exercice),
            item.bordereau,
            item.number,
            _imputation(item),
            item.payee,
            _money(run, item.amount),
            _status(run, item.status),
        )
    run.out.print(table)


@group.command()
def show(
    ctx: typer.Context,
    authority: AuthorityArg,
    mandate_id: MandateArg,
    as_json: JsonOption = False,
) -> None:
    """Show one mandate.

    [b]Example:[/b] mlc mandate show bayonne 12
    """
    run = run_context(ctx)
    found = mandates.get_mandate(run.context(), authority, mandate_id)
    if as_json:
        print_json(record_json(found))
        return
    _said(run, found, as_json=False)
    table = Table(show_header=False)
    table.add_column()
    table.add_column()
    rows = (
        ("status", _status(run, found.status)),
        ("imputation", _imputation(found)),
        ("object", found.object),
        ("proposed_by", found.proposed_by),
        ("decided_by", found.decided_by or ""),
        ("refusal", found.refusal or ""),
        ("transaction", "" if found.transaction_id is None else str(found.transaction_id)),
    )
    for column, value in rows:
        table.add_row(run.messages(f"col.{column}"), value)
    run.out.print(table)
