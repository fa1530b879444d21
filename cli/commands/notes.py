"""``mlc notes``: paper notes from the printer to destruction.

Notes are given as ``COUNTxVALUE`` (``--notes 10x20`` is ten 20 notes), repeatable. Places
are ``vault`` or an office id; the commands keep the ledger's note accounts and the
counts by denomination in step, so the reserve report can compare both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli import help_fr
from cli.commands.options import JsonOption, KeyOption
from cli.context import RunContext, run_context
from cli.deployment_settings import record_json
from cli.errors import UsageProblem
from cli.lazy import lazy
from cli.output import print_json
from monnaie_locale.errors import InvalidAmount
from monnaie_locale.money import format_amount, parse_amount

if TYPE_CHECKING:
    from monnaie_locale.acting import Context
    from monnaie_locale.acts import notes
    from monnaie_locale.operations.notes import Bundle, NoteMovement
else:
    notes = lazy("monnaie_locale.acts.notes")

__all__ = ["parse_bundle", "register"]

_ITEM = re.compile(r"\s*(\d{1,7})\s*[xX×]\s*(\S+)\s*")

group = typer.Typer(
    help=(
        "Paper notes: print, deliver to offices, sell, deposit, destroy, lose, find.\n\n"
        "[b]Example:[/b] mlc notes deliver --office centre --notes 100x10 --notes 50x20 "
        "--key deliver-centre-2026-11"
    ),
    no_args_is_help=True,
)

NotesOption = Annotated[
    list[str],
    typer.Option("--notes", help="COUNTxVALUE, e.g. 10x20 for ten 20 notes (repeatable)."),
]
OfficeOption = Annotated[str, typer.Option("--office", help="The exchange office's id.")]
PlaceOption = Annotated[
    str, typer.Option("--place", help="Where the notes are: vault or an office id.")
]


# The French help of these commands, merged into cli.help_fr's table on registration.
FRENCH_HELP: dict[str, str] = {
    "notes": (
        "Billets : impression, livraison aux comptoirs, vente, dépôt, destruction, perte, "
        "découverte.\n\n[b]Exemple :[/b] mlc notes deliver --office centre --notes 100x10 "
        "--notes 50x20 --key deliver-centre-2026-11"
    ),
    "notes print": (
        "Enregistre les billets reçus de l'imprimeur dans le coffre (pas encore en "
        "circulation).\n\n[b]Exemple :[/b] mlc notes print --notes 1000x10 --notes 500x20 "
        "--key print-2026-11"
    ),
    "notes deliver": (
        "Déplace des billets du coffre vers le stock d'un comptoir.\n\n[b]Exemple :[/b] mlc "
        "notes deliver --office centre --notes 100x10 --key deliver-centre-1"
    ),
    "notes return": (
        "Rapporte des billets du stock d'un comptoir au coffre.\n\n[b]Exemple :[/b] mlc notes "
        "return --office centre --notes 20x10 --key return-centre-1"
    ),
    "notes sell": (
        "Enregistre des billets vendus contre espèces à un comptoir : ils entrent en "
        "circulation, la caisse reçoit des euros.\n\n[b]Exemple :[/b] mlc notes sell --office "
        "centre --notes 2x20 --key centre-sale-0042"
    ),
    "notes deposit": (
        "Enregistre des billets déposés à un comptoir sur un compte numérique.\n\n[b]Exemple "
        ":[/b] mlc notes deposit --office centre --account bakery --notes 12x20 --key "
        "centre-deposit-0007"
    ),
    "notes deposit --account": "Le compte crédité.",
    "notes destroy": (
        "Enregistre la destruction de billets usés d'un stock (les unités cessent "
        "d'exister).\n\n[b]Exemple :[/b] mlc notes destroy --place vault --notes 40x10 --key "
        "destroy-2026-11"
    ),
    "notes lose": (
        "Enregistre des billets manquants dans un stock (présumés en circulation, toujours "
        "couverts).\n\n[b]Exemple :[/b] mlc notes lose --place centre --notes 1x20 --key "
        "lost-centre-1"
    ),
    "notes find": (
        "Enregistre des billets perdus retrouvés et remis dans un stock.\n\n[b]Exemple :[/b] "
        "mlc notes find --place centre --notes 1x20 --key found-centre-1"
    ),
    "notes print --notes": "NOMBRExVALEUR, par exemple 10x20 pour dix billets de 20 (répétable).",
    "notes deliver --notes": "NOMBRExVALEUR, par exemple 10x20 pour dix billets de 20 (répétable).",
    "notes deliver --office": "L'identifiant du comptoir.",
    "notes return --notes": "NOMBRExVALEUR, par exemple 10x20 pour dix billets de 20 (répétable).",
    "notes return --office": "L'identifiant du comptoir.",
    "notes sell --notes": "NOMBRExVALEUR, par exemple 10x20 pour dix billets de 20 (répétable).",
    "notes sell --office": "L'identifiant du comptoir.",
    "notes deposit --notes": "NOMBRExVALEUR, par exemple 10x20 pour dix billets de 20 (répétable).",
    "notes deposit --office": "L'identifiant du comptoir.",
    "notes destroy --notes": "NOMBRExVALEUR, par exemple 10x20 pour dix billets de 20 (répétable).",
    "notes destroy --place": (
        "Où sont les billets : vault (le coffre) ou l'identifiant d'un comptoir."
    ),
    "notes lose --notes": "NOMBRExVALEUR, par exemple 10x20 pour dix billets de 20 (répétable).",
    "notes lose --place": "Où sont les billets : vault (le coffre) ou l'identifiant d'un comptoir.",
    "notes find --notes": "NOMBRExVALEUR, par exemple 10x20 pour dix billets de 20 (répétable).",
    "notes find --place": "Où sont les billets : vault (le coffre) ou l'identifiant d'un comptoir.",
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="notes")


def parse_bundle(items: list[str], *, run: RunContext) -> Bundle:
    """``["10x20", "5x5"]`` as ``{2000: 10, 500: 5}``; refuses a malformed or zero item."""
    bundle: dict[int, int] = {}
    for item in items:
        match = _ITEM.fullmatch(item)
        try:
            if match is None:
                raise ValueError(item)
            count, value = int(match[1]), parse_amount(match[2])
        except (ValueError, InvalidAmount) as error:
            raise UsageProblem(run.messages("notes.bad_item", item=item)) from error
        if count == 0 or value == 0:
            raise UsageProblem(run.messages("notes.bad_item", item=item))
        bundle[value] = bundle.get(value, 0) + count
    return bundle


# One of the acts of monnaie_locale.acts.notes, given the run's context and the bundle.
if TYPE_CHECKING:
    Move = Callable[[Context, Bundle], NoteMovement]
    # An act moving notes at an office or a place: (context, office or place, bundle, key=).
    MoveAt = Callable[..., NoteMovement]


def _run(ctx: typer.Context, items: list[str], move: Move, *, as_json: bool) -> None:
    run = run_context(ctx)
    bundle = parse_bundle(items, run=run)
    done = move(run.context(), bundle)
    if as_json:
        print_json(record_json(done))
        return
    run.out.print(
        run.messages(
            "notes.done",
            kind=done.kind,
            source=done.source or "-",
            target=done.target or "-",
            count=sum(count for _, count in done.bundle),
            amount=format_amount(done.amount, decimal_separator=run.messages.decimal_separator),
        ),
        markup=False,
    )


@group.command("print")
def print_(
    ctx: typer.Context, items: NotesOption, key: KeyOption, as_json: JsonOption = False
) -> None:
    """Record notes received from the printer into the vault (not yet in circulation).

    [b]Example:[/b] mlc notes print --notes 1000x10 --notes 500x20 --key print-2026-11
    """
    _run(
        ctx,
        items,
        lambda context, bundle: notes.print_notes(context, bundle, key=key),
        as_json=as_json,
    )


def _moving(act: Callable[[], MoveAt], where: Any) -> Callable[..., None]:
    """A command moving notes at an office or a place with ``act()``, an act of
    :mod:`monnaie_locale.acts.notes` taking that office or place first (read when the
    command runs: its module is loaded then, not for the help). ``where`` is the option
    naming it, :data:`OfficeOption` or :data:`PlaceOption`."""

    def command(
        ctx: typer.Context,
        at: str,
        items: NotesOption,
        key: KeyOption,
        as_json: JsonOption = False,
    ) -> None:
        move = act()
        _run(
            ctx, items, lambda context, bundle: move(context, at, bundle, key=key), as_json=as_json
        )

    # Typer reads the option from the annotation: the one this command takes.
    command.__annotations__ = {**command.__annotations__, "at": where}
    return command


# Notes moved into or out of an office's stock: command -> (its act, its help).
_AT_OFFICE: dict[str, tuple[Callable[[], MoveAt], str]] = {
    "deliver": (
        lambda: notes.deliver_notes,
        "Move notes from the vault to an exchange office's stock.\n\n"
        "[b]Example:[/b] mlc notes deliver --office centre --notes 100x10 --key deliver-centre-1",
    ),
    "return": (
        lambda: notes.return_notes,
        "Move notes from an exchange office's stock back to the vault.\n\n"
        "[b]Example:[/b] mlc notes return --office centre --notes 20x10 --key return-centre-1",
    ),
    "sell": (
        lambda: notes.sell_notes,
        "Record notes sold for cash at an office: they enter circulation, the till takes "
        "euros.\n\n[b]Example:[/b] mlc notes sell --office centre --notes 2x20 --key "
        "centre-sale-0042",
    ),
}
for _name, (_act, _help) in _AT_OFFICE.items():
    group.command(_name, help=_help)(_moving(_act, OfficeOption))


@group.command()
def deposit(
    ctx: typer.Context,
    office: OfficeOption,
    account: Annotated[str, typer.Option("--account", help="The account credited.")],
    items: NotesOption,
    key: KeyOption,
    as_json: JsonOption = False,
) -> None:
    """Record notes deposited at an office onto a digital account.

    [b]Example:[/b] mlc notes deposit --office centre --account bakery --notes 12x20
    --key centre-deposit-0007
    """
    _run(
        ctx,
        items,
        lambda context, bundle: notes.deposit_notes(context, office, account, bundle, key=key),
        as_json=as_json,
    )


# Notes moved at a place (the vault or an office): command -> (its act, its help).
_AT_PLACE: dict[str, tuple[Callable[[], MoveAt], str]] = {
    "destroy": (
        lambda: notes.destroy_notes,
        "Record worn notes destroyed from a stock (the units cease to exist).\n\n"
        "[b]Example:[/b] mlc notes destroy --place vault --notes 40x10 --key destroy-2026-11",
    ),
    "lose": (
        lambda: notes.lose_notes,
        "Record notes missing from a stock (presumed circulating, still backed).\n\n"
        "[b]Example:[/b] mlc notes lose --place centre --notes 1x20 --key lost-centre-1",
    ),
    "find": (
        lambda: notes.find_notes,
        "Record lost notes found again and put back into a stock.\n\n"
        "[b]Example:[/b] mlc notes find --place centre --notes 1x20 --key found-centre-1",
    ),
}
for _name, (_act, _help) in _AT_PLACE.items():
    group.command(_name, help=_help)(_moving(_act, PlaceOption))
