"""``mlc authority``: record a local authority, its convention's versions and who works
there (duties); list and show what is set up.

The association records an authority (``create``), each version of the convention
(``convention``) and grants duties to users with the role authority_agent (``duty
grant``); the town's people read what their duties let them (``list``, ``show``,
``conventions``, ``duty list``). The régies are ``mlc regie``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli import help_fr
from cli.commands.days import day
from cli.commands.options import EXEMPLE, JsonOption
from cli.commands.regie import regies_table
from cli.context import RunContext, run_context
from cli.lazy import lazy
from cli.output import print_json
from monnaie_locale.money import format_amount, parse_amount

if TYPE_CHECKING:
    from monnaie_locale.acts import authorities
    from monnaie_locale.authorities.registry import Authority, Convention
    from monnaie_locale.authorities.staff import DutyHeld
else:
    authorities = lazy("monnaie_locale.acts.authorities")

__all__ = ["register"]

group = typer.Typer(
    help=(
        "Local authorities: record one, its convention's versions, who works there.\n\n"
        "[b]Example:[/b] mlc authority show bayonne"
    ),
    no_args_is_help=True,
)
duty_group = typer.Typer(
    help=(
        "Duties at an authority: régisseur, mandataire (at one régie), finance, ordonnateur, "
        "comptable.\n\n[b]Example:[/b] mlc authority duty list bayonne"
    ),
    no_args_is_help=True,
)
group.add_typer(duty_group, name="duty")

AuthorityArgument = Annotated[str, typer.Argument(help="The authority's code, e.g. bayonne.")]
_AUTHORITY_FR = "Le code de la collectivité, par exemple bayonne."

FRENCH_HELP: dict[str, str] = {
    "authority": (
        "Collectivités : en enregistrer une, les versions de sa convention, qui y travaille."
        f"\n\n{EXEMPLE}mlc authority show bayonne"
    ),
    "authority create": (
        "Enregistre une collectivité et le compte du comptable public où ses régies versent ; "
        f"avec --own-account, ouvre son compte authority:CODE.\n\n{EXEMPLE}mlc authority "
        'create bayonne --name "Ville de Bayonne" --kind commune --treasury-name '
        '"Trésorerie de Bayonne" --treasury-iban FR7630001007941234567890185 --own-account'
    ),
    "authority create CODE": "Le code de la collectivité, par exemple bayonne.",
    "authority create --name": "Son nom, par exemple Ville de Bayonne.",
    "authority create --kind": "commune, epci, departement, region ou other.",
    "authority create --treasury-name": "Le nom du comptable public (la trésorerie).",
    "authority create --treasury-iban": "L'IBAN du compte du comptable public au Trésor.",
    "authority create --treasury-bic": "Son BIC (facultatif).",
    "authority create --own-account": "Ouvre aussi le compte de la collectivité, authority:CODE.",
    "authority list": (
        f"Liste les collectivités que vous pouvez lire.\n\n{EXEMPLE}mlc authority list"
    ),
    "authority show": (
        "Montre une collectivité, ses régies et la convention en vigueur aujourd'hui."
        f"\n\n{EXEMPLE}mlc authority show bayonne"
    ),
    "authority show AUTHORITY": _AUTHORITY_FR,
    "authority convention": (
        "Enregistre une nouvelle version de la convention, en vigueur à partir de son jour ; "
        f"une version n'est jamais modifiée.\n\n{EXEMPLE}mlc authority convention bayonne "
        '--from 2026-01-01 --fee 0 --payin-days 30 --may-spend --reference "Délibération '
        '2025-112"'
    ),
    "authority convention AUTHORITY": _AUTHORITY_FR,
    "authority convention --from": "Premier jour où la version s'applique, AAAA-MM-JJ.",
    "authority convention --fee": "Frais de reconversion, en pour cent (0, 1,5).",
    "authority convention --payin-days": "Jours au plus entre deux versements (1 à 31).",
    "authority convention --cash-cap": "Plafond d'encaisse de la convention (facultatif).",
    "authority convention --may-spend": (
        "La collectivité peut dépenser en monnaie locale (mandats)."
    ),
    "authority convention --reference": "La délibération et la référence de la convention.",
    "authority conventions": (
        f"Liste les versions de la convention.\n\n{EXEMPLE}mlc authority conventions bayonne"
    ),
    "authority conventions AUTHORITY": _AUTHORITY_FR,
    "authority duty": (
        "Fonctions dans une collectivité : régisseur, mandataire (à une régie), finance, "
        f"ordonnateur, comptable.\n\n{EXEMPLE}mlc authority duty list bayonne"
    ),
    "authority duty grant": (
        "Donne une fonction à un utilisateur de rôle authority_agent : à une régie pour un "
        "régisseur ou un mandataire, pour toute la collectivité sinon.\n\n"
        f"{EXEMPLE}mlc authority duty grant bayonne lea regisseur --regie bayonne-piscine"
    ),
    "authority duty grant AUTHORITY": _AUTHORITY_FR,
    "authority duty grant USERNAME": "L'identifiant de l'utilisateur.",
    "authority duty grant DUTY": "regisseur, mandataire, finance, ordonnateur ou comptable.",
    "authority duty grant --regie": "La régie, pour un régisseur ou un mandataire.",
    "authority duty revoke": (
        "Retire une fonction, par son numéro (voir duty list).\n\n"
        f"{EXEMPLE}mlc authority duty revoke bayonne 7"
    ),
    "authority duty revoke AUTHORITY": _AUTHORITY_FR,
    "authority duty revoke DUTY_ID": "Le numéro de la fonction.",
    "authority duty list": (
        f"Liste qui a quelle fonction dans la collectivité.\n\n{EXEMPLE}mlc authority duty "
        "list bayonne"
    ),
    "authority duty list AUTHORITY": _AUTHORITY_FR,
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="authority")


def _money(run: RunContext, minor: int | None) -> str:
    if minor is None:
        return "—"
    return format_amount(minor, decimal_separator=run.messages.decimal_separator)


def _percent(run: RunContext, bps: int) -> str:
    whole, cents = divmod(bps, 100)
    text = str(whole) if cents == 0 else f"{whole}{run.messages.decimal_separator}{cents:02d}"
    return f"{text} %"


def _authority_json(authority: Authority) -> dict[str, object]:
    return {
        "code": authority.code,
        "name": authority.name,
        "kind": authority.kind,
        "account": authority.account,
        "treasury_name": authority.treasury_name,
        "treasury_iban": authority.treasury_iban,
        "treasury_bic": authority.treasury_bic,
    }


def _convention_json(convention: Convention) -> dict[str, object]:
    return {
        "effective_from": convention.effective_from.isoformat(),
        "reconversion_fee_bps": convention.reconversion_fee_bps,
        "payin_days": convention.payin_days,
        "cash_cap": convention.cash_cap,
        "may_spend": convention.may_spend,
        "reference": convention.reference,
    }


def _duty_json(duty: DutyHeld) -> dict[str, object]:
    return {
        "id": duty.id,
        "username": duty.username,
        "authority": duty.authority,
        "regie": duty.regie,
        "duty": duty.duty,
        "granted_at": duty.granted_at.isoformat(),
    }


def _conventions_table(run: RunContext, title: str, found: list[Convention]) -> Table:
    m = run.messages
    table = Table(title=title)
    for column in (
        m("col.effective_from"),
        m("col.fee"),
        m("col.payin_days"),
        m("col.cash_cap"),
        m("col.may_spend"),
        m("col.reference"),
    ):
        table.add_column(column)
    for convention in found:
        table.add_row(
            convention.effective_from.isoformat(),
            _percent(run, convention.reconversion_fee_bps),
            str(convention.payin_days),
            _money(run, convention.cash_cap),
            m("authority.yes") if convention.may_spend else m("authority.no"),
            convention.reference,
        )
    return table


@group.command()
def create(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The authority's code, e.g. bayonne.")],
    name: Annotated[str, typer.Option("--name", help="Its name, e.g. Ville de Bayonne.")],
    kind: Annotated[
        str, typer.Option("--kind", help="commune, epci, departement, region or other.")
    ],
    treasury_name: Annotated[
        str, typer.Option("--treasury-name", help="The public accountant's name (trésorerie).")
    ],
    treasury_iban: Annotated[
        str, typer.Option("--treasury-iban", help="The public accountant's IBAN at the Trésor.")
    ],
    treasury_bic: Annotated[
        str | None, typer.Option("--treasury-bic", help="Its BIC (optional).")
    ] = None,
    own_account: Annotated[
        bool, typer.Option("--own-account", help="Also open its account, authority:CODE.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Record a local authority and where its régies pay in; with --own-account, open its
    account authority:CODE.

    [b]Example:[/b] mlc authority create bayonne --name "Ville de Bayonne" --kind commune
    --treasury-name "Trésorerie de Bayonne" --treasury-iban FR7630001007941234567890185
    --own-account
    """
    run = run_context(ctx)
    created = authorities.create_authority(
        run.context(),
        code,
        name=name,
        kind=kind,
        treasury_name=treasury_name,
        treasury_iban=treasury_iban,
        treasury_bic=treasury_bic,
        own_account=own_account,
    )
    if as_json:
        print_json(_authority_json(created))
        return
    run.out.print(run.messages("authority.created", code=created.code), markup=False)


@group.command("list")
def list_authorities(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """List the local authorities you may read.

    [b]Example:[/b] mlc authority list
    """
    run = run_context(ctx)
    found = authorities.list_authorities(run.context())
    if as_json:
        print_json([_authority_json(authority) for authority in found])
        return
    if not found:
        run.out.print(run.messages("authority.none"), markup=False)
        return
    m = run.messages
    table = Table(title=m("authority.title"))
    for column in ("col.code", "col.name", "col.kind", "col.account", "col.treasury"):
        table.add_column(m(column))
    for authority in found:
        table.add_row(
            authority.code,
            authority.name,
            authority.kind,
            authority.account or "—",
            f"{authority.treasury_name} {authority.treasury_iban}",
        )
    run.out.print(table)


@group.command()
def show(ctx: typer.Context, authority: AuthorityArgument, as_json: JsonOption = False) -> None:
    """Show an authority, its régies and the convention in force today.

    [b]Example:[/b] mlc authority show bayonne
    """
    run = run_context(ctx)
    view = authorities.get_authority(run.context(), authority)
    if as_json:
        print_json(
            {
                **_authority_json(view.authority),
                "regies": [
                    {"code": r.code, "name": r.name, "account": r.account, "cash_cap": r.cash_cap}
                    for r in view.regies
                ],
                "convention": None
                if view.convention is None
                else _convention_json(view.convention),
            }
        )
        return
    m, found = run.messages, view.authority
    run.out.print(f"{found.name} ({found.code}, {found.kind})", markup=False)
    run.out.print(m("authority.account_line", account=found.account or "—"), markup=False)
    run.out.print(
        m("authority.treasury_line", name=found.treasury_name, iban=found.treasury_iban),
        markup=False,
    )
    run.out.print(regies_table(run, view.regies))
    if view.convention is None:
        run.out.print(m("authority.no_convention", authority=found.code), markup=False)
    else:
        title = m("authority.convention_in_force")
        run.out.print(_conventions_table(run, title, [view.convention]))


@group.command()
def convention(
    ctx: typer.Context,
    authority: AuthorityArgument,
    effective_from: Annotated[
        str, typer.Option("--from", help="First day the version applies, YYYY-MM-DD.")
    ],
    fee: Annotated[str, typer.Option("--fee", help="Reconversion fee, a percentage (0, 1,5).")],
    payin_days: Annotated[
        int, typer.Option("--payin-days", help="Days at most between two versements (1 to 31).")
    ],
    cash_cap: Annotated[
        str | None, typer.Option("--cash-cap", help="The convention's cap on the encaisse.")
    ] = None,
    may_spend: Annotated[
        bool, typer.Option("--may-spend", help="The authority may spend units (mandates).")
    ] = False,
    reference: Annotated[
        str, typer.Option("--reference", help="The council's decision and the convention's ref.")
    ] = "",
    as_json: JsonOption = False,
) -> None:
    """Record a new version of the convention, in force from its day; a version is never
    changed.

    [b]Example:[/b] mlc authority convention bayonne --from 2026-01-01 --fee 0
    --payin-days 30 --may-spend --reference "Délibération 2025-112"
    """
    run = run_context(ctx)
    recorded = authorities.record_convention(
        run.context(),
        authority,
        effective_from=day(run, effective_from),
        reconversion_fee_bps=authorities.fee_bps(fee),
        payin_days=payin_days,
        cash_cap=None if cash_cap is None else parse_amount(cash_cap),
        may_spend=may_spend,
        reference=reference,
    )
    if as_json:
        print_json(_convention_json(recorded))
        return
    run.out.print(
        run.messages(
            "authority.convention_recorded",
            authority=authority,
            day=recorded.effective_from.isoformat(),
        ),
        markup=False,
    )


@group.command()
def conventions(
    ctx: typer.Context, authority: AuthorityArgument, as_json: JsonOption = False
) -> None:
    """List the versions of the convention, oldest first.

    [b]Example:[/b] mlc authority conventions bayonne
    """
    run = run_context(ctx)
    found = authorities.list_conventions(run.context(), authority)
    if as_json:
        print_json([_convention_json(version) for version in found])
        return
    if not found:
        run.out.print(run.messages("authority.no_convention", authority=authority), markup=False)
        return
    title = run.messages("authority.conventions_title", authority=authority)
    run.out.print(_conventions_table(run, title, found))


@duty_group.command()
def grant(
    ctx: typer.Context,
    authority: AuthorityArgument,
    username: Annotated[str, typer.Argument(help="The user's sign-in name.")],
    duty: Annotated[
        str, typer.Argument(help="regisseur, mandataire, finance, ordonnateur or comptable.")
    ],
    regie: Annotated[
        str | None, typer.Option("--regie", help="The régie, for a régisseur or a mandataire.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Give a user with the role authority_agent a duty: at a régie for a régisseur or a
    mandataire, town-wide for the others.

    [b]Example:[/b] mlc authority duty grant bayonne lea regisseur --regie bayonne-piscine
    """
    run = run_context(ctx)
    held = authorities.grant_duty(run.context(), authority, username, duty, regie=regie)
    if as_json:
        print_json(_duty_json(held))
        return
    run.out.print(
        run.messages(
            "authority.duty_granted",
            id=held.id,
            username=held.username,
            duty=held.duty,
            where=held.regie or held.authority,
        ),
        markup=False,
    )


@duty_group.command()
def revoke(
    ctx: typer.Context,
    authority: AuthorityArgument,
    duty_id: Annotated[int, typer.Argument(help="The duty's number (see duty list).")],
) -> None:
    """Take a duty back, by its number (see duty list).

    [b]Example:[/b] mlc authority duty revoke bayonne 7
    """
    run = run_context(ctx)
    taken = authorities.revoke_duty(run.context(), authority, duty_id)
    run.out.print(
        run.messages(
            "authority.duty_revoked", id=taken.id, username=taken.username, duty=taken.duty
        ),
        markup=False,
    )


@duty_group.command("list")
def list_duties(
    ctx: typer.Context, authority: AuthorityArgument, as_json: JsonOption = False
) -> None:
    """List who holds which duty at the authority.

    [b]Example:[/b] mlc authority duty list bayonne
    """
    run = run_context(ctx)
    found = authorities.list_duties(run.context(), authority)
    if as_json:
        print_json([_duty_json(held) for held in found])
        return
    if not found:
        run.out.print(run.messages("authority.no_duty", authority=authority), markup=False)
        return
    m = run.messages
    table = Table(title=m("authority.duties_title", authority=authority))
    for column in ("col.id", "col.user", "col.duty", "col.regie", "col.date"):
        table.add_column(m(column))
    for held in found:
        table.add_row(
            str(held.id),
            held.username,
            held.duty,
            held.regie or "—",
            held.granted_at.date().isoformat(),
        )
    run.out.print(table)
