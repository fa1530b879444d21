"""``mlc quittance``: a régie's quittances, a sale at its counter, and checking a signed
quittance offline.

``verify`` reads no database: it checks the file against the deployment's public keys
(the settings' signing keys, or a JWK Set file as ``GET /v1/checkout/keys`` publishes it),
and exits with 1 when the signature does not hold.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from cli import help_fr
from cli.commands.days import day_or_none
from cli.commands.options import EXAMPLE, EXEMPLE, JsonOption, KeyOption
from cli.context import RunContext, run_context
from cli.errors import Discrepancy, UsageProblem
from cli.lazy import lazy
from cli.output import print_json
from monnaie_locale.money import format_amount, parse_amount

if TYPE_CHECKING:
    from monnaie_locale.acts import regie_counter
    from monnaie_locale.authorities import quittance_signing
    from monnaie_locale.authorities.quittances import Quittance
else:
    regie_counter = lazy("monnaie_locale.acts.regie_counter")
    quittance_signing = lazy("monnaie_locale.authorities.quittance_signing")

__all__ = ["register"]

group = typer.Typer(
    help=(
        "A régie's quittances: list, show, verify a signed one; a sale at its counter.\n\n"
        f"{EXAMPLE}mlc quittance list bayonne-piscine --from 2026-11-01"
    ),
    no_args_is_help=True,
)

RegieArgument = Annotated[str, typer.Argument(help="The régie's code.")]

FRENCH_HELP: dict[str, str] = {
    "quittance": (
        "Les quittances d'une régie : liste, détail, vérification d'une quittance signée ; "
        f"une vente à son guichet.\n\n{EXEMPLE}mlc quittance list bayonne-piscine "
        "--from 2026-11-01"
    ),
    "quittance list": (
        "Les quittances d'une régie, par numéro, d'un jour à un autre (jours des comptes).\n\n"
        f"{EXEMPLE}mlc quittance list bayonne-piscine --from 2026-11-01 --to 2026-11-30"
    ),
    "quittance list REGIE": "Le code de la régie.",
    "quittance list --from": "Le premier jour, AAAA-MM-JJ (par défaut : la première quittance).",
    "quittance list --to": "Le dernier jour, AAAA-MM-JJ, inclus (par défaut : aujourd'hui).",
    "quittance show": (
        "Une quittance ; avec --json, sa forme signée, que « mlc quittance verify » "
        f"vérifie.\n\n{EXEMPLE}mlc quittance show bayonne-piscine 2026 42 --json > q.json"
    ),
    "quittance show REGIE": "Le code de la régie.",
    "quittance show YEAR": "L'année de la quittance.",
    "quittance show NUMBER": "Son numéro dans l'année.",
    "quittance verify": (
        "Vérifie hors ligne la signature d'une quittance (fichier JSON) avec les clés "
        "publiques du déploiement. Code de sortie 1 si elle ne tient pas.\n\n"
        f"{EXEMPLE}mlc quittance verify q.json --keys cles.json"
    ),
    "quittance verify FILE": "La quittance signée, en JSON.",
    "quittance verify --keys": (
        "Un JWK Set (GET /v1/checkout/keys) ; par défaut, les clés des réglages du service."
    ),
    "quittance sale": (
        "Prépare une vente au guichet d'une régie : un tarif, ou un montant et son objet ; "
        "la part payée en euros (carte ou espèces) en est déduite. Affiche le lien du QR "
        f"à payer.\n\n{EXEMPLE}mlc quittance sale bayonne-piscine --tariff 1 --euros 1,50 "
        "--euro-means card --euro-reference CB-8841 --key vente-001"
    ),
    "quittance sale REGIE": "Le code de la régie.",
    "quittance sale --tariff": "L'identifiant d'un tarif de la régie.",
    "quittance sale --amount": "Le prix entier, sans tarif, par exemple 12,50.",
    "quittance sale --object": "L'objet de la quittance, sans tarif.",
    "quittance sale --euros": "La part du prix payée en euros hors du service.",
    "quittance sale --euro-means": "Comment la part en euros est payée : card ou cash.",
    "quittance sale --euro-reference": "La référence du paiement en euros (ticket de carte).",
    "quittance sale --payer-name": "Le nom du payeur à porter sur la quittance.",
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="quittance")


def _amount(run: RunContext, minor: int) -> str:
    return format_amount(minor, decimal_separator=run.messages.decimal_separator)


def _quittance_json(quittance: Quittance) -> dict[str, Any]:
    return {
        "year": quittance.year,
        "number": quittance.number,
        "label": quittance.label,
        "issued_at": quittance.issued_at.isoformat(),
        "object": quittance.object,
        "payer_name": quittance.payer_name,
        "units": quittance.units,
        "euros": quittance.euros,
        "euro_means": quittance.euro_means,
        "euro_reference": quittance.euro_reference,
        "transaction_id": quittance.transaction_id,
        "signed": quittance.signature is not None,
    }


@group.command("list")
def list_(
    ctx: typer.Context,
    regie: RegieArgument,
    start: Annotated[str | None, typer.Option("--from", help="The first day, YYYY-MM-DD.")] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="The last day, YYYY-MM-DD, included.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """A régie's quittances by number, from one day to another (the books' days).

    [b]Example:[/b] mlc quittance list bayonne-piscine --from 2026-11-01 --to 2026-11-30
    """
    run = run_context(ctx)
    context = run.context()
    found = regie_counter.list_quittances(
        context, regie, start=day_or_none(run, start), end=day_or_none(run, end)
    )
    if as_json:
        print_json([_quittance_json(q) for q in found])
        return
    if not found:
        run.out.print(run.messages("quittance.none"), markup=False)
        return
    table = Table(title=run.messages("quittance.title", regie=regie))
    for column in ("number", "day", "object", "payer", "units", "euros", "euro_reference"):
        table.add_column(run.messages(f"quittance.col.{column}"))
    for q in found:
        table.add_row(
            q.label,
            context.deployment.today(q.issued_at).isoformat(),
            q.object,
            q.payer_name,
            _amount(run, q.units),
            _amount(run, q.euros),
            q.euro_reference or "",
        )
    run.out.print(table)


@group.command()
def show(
    ctx: typer.Context,
    regie: RegieArgument,
    year: Annotated[int, typer.Argument(help="The quittance's year.", min=2000, max=9999)],
    number: Annotated[int, typer.Argument(help="Its number in the year.", min=1)],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the signed quittance, as verify reads it.")
    ] = False,
) -> None:
    """One quittance; with --json, its signed form, which `mlc quittance verify` checks.

    [b]Example:[/b] mlc quittance show bayonne-piscine 2026 42 --json > q.json
    """
    run = run_context(ctx)
    quittance = regie_counter.get_quittance(run.context(), regie, year, number)
    if as_json:
        print_json(quittance_signing.signed_quittance(quittance, regie=regie))
        return
    table = Table(title=run.messages("quittance.title", regie=regie), show_header=False)
    table.add_column()
    table.add_column()
    signed = (
        run.messages("quittance.signed_by", kid=quittance.key_id)
        if quittance.signature
        else run.messages("quittance.unsigned")
    )
    for column, value in (
        ("number", quittance.label),
        ("day", run.context().deployment.today(quittance.issued_at).isoformat()),
        ("object", quittance.object),
        ("payer", quittance.payer_name),
        ("units", _amount(run, quittance.units)),
        ("euros", _amount(run, quittance.euros)),
        ("euro_reference", quittance.euro_reference or ""),
        ("signature", signed),
    ):
        table.add_row(run.messages(f"quittance.col.{column}"), value)
    run.out.print(table)


def _read_json(run: RunContext, path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UsageProblem(
            run.messages("quittance.unreadable", path=str(path), reason=str(exc))
        ) from exc


def _published_keys(run: RunContext, keys: Path | None) -> list[dict[str, str]]:
    if keys is not None:
        found = _read_json(run, keys)
        return list(found.get("keys", [])) if isinstance(found, dict) else []
    from cli.commands.keys import explained_key_problems, service_settings
    from monnaie_locale.signing_keys import keyring_from_settings

    with explained_key_problems(run):
        ring = keyring_from_settings(service_settings(run))
    if ring is None:
        raise UsageProblem(run.messages("quittance.no_keys"))
    return ring.jwks()["keys"]


@group.command()
def verify(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The signed quittance, as JSON.")],
    keys: Annotated[
        Path | None,
        typer.Option(
            "--keys", help="A JWK Set (GET /v1/checkout/keys); default: the settings' keys."
        ),
    ] = None,
) -> None:
    """Check a signed quittance offline against the deployment's public keys.

    Exits with 1 when its signature does not hold.

    [b]Example:[/b] mlc quittance verify q.json --keys keys.json
    """
    run = run_context(ctx)
    document = _read_json(run, file)
    published = _published_keys(run, keys)
    if not isinstance(document, dict):
        raise Discrepancy(run.messages("quittance.refused", reason="not a JSON object"))
    try:
        fields = quittance_signing.verify_quittance(document, keys=published)
    except quittance_signing.QuittanceSignatureError as refused:
        raise Discrepancy(run.messages("quittance.refused", reason=refused.reason)) from None
    run.out.print(
        run.messages(
            "quittance.verified",
            regie=fields["regie"],
            label=f"{fields['year']}-{fields['number']:06d}",
            units=_amount(run, fields["units"]),
            euros=_amount(run, fields["euros"]),
        ),
        markup=False,
    )


@group.command()
def sale(
    ctx: typer.Context,
    regie: RegieArgument,
    key: KeyOption,
    tariff: Annotated[
        int | None, typer.Option("--tariff", help="A tariff of the régie, by id.", min=1)
    ] = None,
    amount: Annotated[
        str | None, typer.Option("--amount", help="The whole price, without a tariff.")
    ] = None,
    object_: Annotated[
        str | None, typer.Option("--object", help="The quittance's object, without a tariff.")
    ] = None,
    euros: Annotated[
        str, typer.Option("--euros", help="The part of the price paid in euros outside.")
    ] = "0",
    euro_means: Annotated[
        str | None, typer.Option("--euro-means", help="How the euro part is paid: card or cash.")
    ] = None,
    euro_reference: Annotated[
        str | None,
        typer.Option("--euro-reference", help="The euro payment's reference (card slip)."),
    ] = None,
    payer_name: Annotated[
        str | None, typer.Option("--payer-name", help="The payer's name, for the quittance.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Prepare a sale at a régie's counter: a tariff, or an amount and its object; the part
    paid in euros (card or cash) is taken off what the QR asks. Prints the link to pay.

    [b]Example:[/b] mlc quittance sale bayonne-piscine --tariff 1 --euros 1,50
    --euro-means card --euro-reference CB-8841 --key sale-001
    """
    run = run_context(ctx)
    euro_part = 0 if euros.strip() in ("0", "") else parse_amount(euros)
    made = regie_counter.prepare_sale(
        run.context(),
        regie,
        tariff_id=tariff,
        amount=None if amount is None else parse_amount(amount),
        object=object_,
        euros=euro_part,
        euro_means=euro_means,
        euro_reference=euro_reference,
        payer_name=payer_name,
        key=key,
    )
    from cli.commands.keys import service_settings

    url = made.url(host=service_settings(run).public_host)
    if as_json:
        print_json(
            {
                "regie": made.regie,
                "request_id": made.request_id,
                "url": url,
                "units": made.units,
                "euros": made.euros,
                "object": made.object,
                "expires_at": made.expires_at.isoformat(),
            }
        )
        return
    run.out.print(
        run.messages(
            "quittance.sale_ready",
            units=_amount(run, made.units),
            euros=_amount(run, made.euros),
            url=url,
        ),
        markup=False,
    )
