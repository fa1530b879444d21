"""``mlc directory``: the public directory of the businesses that take the currency and of
the exchange offices that sell it.

Reading it names no user: it is what anyone sees (``GET /v1/directory``). Writing a
business's profile is its owner's or the association's; an office's place, the
association's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cli import help_fr
from cli.commands.options import EXAMPLE, EXEMPLE, JsonOption
from cli.context import run_context
from cli.deployment_settings import record_json
from cli.lazy import lazy
from cli.output import print_json

if TYPE_CHECKING:
    from monnaie_locale.acts import directory
else:
    directory = lazy("monnaie_locale.acts.directory")

__all__ = ["register"]

group = typer.Typer(
    help=(
        "The public directory: businesses that take the currency, offices that sell it.\n\n"
        f"{EXAMPLE}mlc directory list --town Bayonne epicerie"
    ),
    no_args_is_help=True,
)

FRENCH_HELP: dict[str, str] = {
    "directory": (
        "L'annuaire public : les commerces qui acceptent la monnaie, les comptoirs qui la "
        f"vendent.\n\n{EXEMPLE}mlc directory list --town Bayonne epicerie"
    ),
    "directory list": (
        "Liste les commerces de l'annuaire, tels que tout le monde les voit : ceux qui y "
        "figurent et dont le compte est actif. Chaque mot de la recherche doit se trouver "
        "dans le nom, la catégorie ou la ville, sans égard aux majuscules ni aux accents."
        f"\n\n{EXEMPLE}mlc directory list --town Bayonne epicerie"
    ),
    "directory list QUERY": "Les mots cherchés (par défaut : tous les commerces).",
    "directory list --town": "Seulement les commerces de cette ville.",
    "directory list --category": "Seulement les commerces de cette catégorie.",
    "directory list --limit": "Nombre de commerces affichés au plus.",
    "directory offices": (
        "Liste les comptoirs de change ouverts, avec leur adresse et leurs horaires."
        f"\n\n{EXEMPLE}mlc directory offices"
    ),
    "directory set-profile": (
        "Écrit la fiche d'un commerce dans l'annuaire, tous ses champs à la fois : un "
        "champ omis est effacé. Son propriétaire l'écrit pour son commerce, l'association "
        "pour tout commerce.\n\n"
        f"{EXEMPLE}mlc directory set-profile bakery --category Boulangerie --town Bayonne "
        '--address "12 rue d\'Espagne"'
    ),
    "directory set-profile ACCOUNT": "Le compte du commerce, par exemple bakery.",
    "directory set-profile --category": (
        "Ce que fait le commerce, comme on le cherche (Boulangerie, Librairie…), "
        "60 caractères au plus."
    ),
    "directory set-profile --town": "Sa ville, 80 caractères au plus.",
    "directory set-profile --description": "Quelques mots sur le commerce, 280 caractères au plus.",
    "directory set-profile --address": "Son adresse, sur une ligne de 120 caractères au plus.",
    "directory set-profile --unlisted": "Garde la fiche sans la montrer dans l'annuaire.",
    "directory set-office": (
        "Écrit où se trouve un comptoir de change et quand il ouvre, tout à la fois."
        f'\n\n{EXEMPLE}mlc directory set-office centre --address "Place de la gare" '
        '--town Bayonne --hours "lun.–ven. 9h–12h, 14h–18h ; sam. 9h–12h"'
    ),
    "directory set-office OFFICE": "L'identifiant du comptoir.",
    "directory set-office --address": "Son adresse, sur une ligne de 120 caractères au plus.",
    "directory set-office --town": "Sa ville, 80 caractères au plus.",
    "directory set-office --hours": ("Ses horaires, comme on les écrit, 200 caractères au plus."),
    "directory set-office --name": "Le nom affiché (par défaut : l'identifiant du comptoir).",
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="directory")


@group.command("list")
def list_command(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Words to look for (default: every business).")] = "",
    town: Annotated[
        str | None, typer.Option("--town", help="Only the businesses of this town.")
    ] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="Only the businesses of this category.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", help="At most this many businesses.", min=1, max=200)
    ] = 50,
    as_json: JsonOption = False,
) -> None:
    """List the directory's businesses as anyone sees them: those listed, of active accounts.
    Every word looked for must be in the name, the category or the town, case and accents
    aside.

    [b]Example:[/b] mlc directory list --town Bayonne epicerie
    """
    run = run_context(ctx)
    found = directory.search_businesses(
        run.database(), query, town=town, category=category, limit=limit
    )
    if as_json:
        print_json({"businesses": [record_json(listing) for listing in found]})
        return
    if not found:
        run.out.print(run.messages("directory.none"))
        return
    table = Table(title=run.messages("directory.title"))
    for column in (
        run.messages("directory.col_name"),
        run.messages("directory.col_category"),
        run.messages("directory.col_town"),
        run.messages("directory.col_address"),
        run.messages("directory.col_account"),
    ):
        table.add_column(column)
    for listing in found:
        table.add_row(
            escape(listing.name),
            escape(listing.category),
            escape(listing.town),
            escape(listing.address or ""),
            escape(listing.account),
        )
    run.out.print(table)


@group.command("offices")
def offices_command(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the open exchange offices with their address and opening hours.

    [b]Example:[/b] mlc directory offices
    """
    run = run_context(ctx)
    places = directory.list_office_places(run.database())
    if as_json:
        print_json({"offices": [record_json(place) for place in places]})
        return
    table = Table(title=run.messages("directory.offices_title"))
    for column in (
        run.messages("directory.col_office"),
        run.messages("directory.col_name"),
        run.messages("directory.col_address"),
        run.messages("directory.col_town"),
        run.messages("directory.col_hours"),
    ):
        table.add_column(column)
    for place in places:
        table.add_row(
            escape(place.office),
            escape(place.name),
            escape(place.address or ""),
            escape(place.town or ""),
            escape(place.hours or ""),
        )
    run.out.print(table)


@group.command("set-profile")
def set_profile(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="The business's account, e.g. bakery.")],
    category: Annotated[
        str,
        typer.Option(
            "--category",
            help="What the business is, as people look for it (Boulangerie, Librairie...), "
            "at most 60 characters.",
        ),
    ],
    town: Annotated[str, typer.Option("--town", help="Its town, at most 80 characters.")],
    description: Annotated[
        str | None,
        typer.Option("--description", help="A few words on it, at most 280 characters."),
    ] = None,
    address: Annotated[
        str | None,
        typer.Option("--address", help="Its address, one line of at most 120 characters."),
    ] = None,
    unlisted: Annotated[
        bool, typer.Option("--unlisted", help="Keep the profile without showing it.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Write a business's directory profile, every field at once: one left out is
    cleared. Its owner writes their own; the association any business's.

    [b]Example:[/b] mlc directory set-profile bakery --category Boulangerie --town Bayonne
    --address "12 rue d'Espagne"
    """
    run = run_context(ctx)
    profile = directory.set_business_profile(
        run.context(),
        account,
        category=category,
        town=town,
        description=description,
        address=address,
        listed=not unlisted,
    )
    if as_json:
        print_json(record_json(profile))
        return
    said = run.messages(
        "directory.profile_listed" if profile.listed else "directory.profile_unlisted",
        account=profile.account,
        category=profile.category,
        town=profile.town,
    )
    run.out.print(said, markup=False)


@group.command("set-office")
def set_office(
    ctx: typer.Context,
    office: Annotated[str, typer.Argument(help="The exchange office's id.")],
    address: Annotated[
        str, typer.Option("--address", help="Its address, one line of at most 120 characters.")
    ],
    town: Annotated[str, typer.Option("--town", help="Its town, at most 80 characters.")],
    hours: Annotated[
        str,
        typer.Option(
            "--hours", help="Its opening hours, as people write them, at most 200 characters."
        ),
    ],
    name: Annotated[
        str | None,
        typer.Option("--name", help="The name shown (default: the office's id)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Write where an exchange office is and when it opens, all at once.

    [b]Example:[/b] mlc directory set-office centre --address "Place de la gare" --town
    Bayonne --hours "lun.–ven. 9h–12h, 14h–18h ; sam. 9h–12h"
    """
    run = run_context(ctx)
    place = directory.set_office_place(
        run.context(), office, address=address, town=town, hours=hours, name=name
    )
    if as_json:
        print_json(record_json(place))
        return
    run.out.print(
        run.messages("directory.place_saved", office=place.office, town=place.town or ""),
        markup=False,
    )
