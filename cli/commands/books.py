"""``mlc books``: the association's other money flows.

Bank and card fees, interest, fees held and surplus moved to the operating account,
donations and grants, a holder who left or died, a note series written off, a conversion
reversed or charged back. Amounts are written as people write them (``12,50``, ``12.50``);
every command moves money once per ``--key``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

import typer

from cli import help_fr
from cli.commands.days import day_or_none
from cli.commands.notes import NotesOption, parse_bundle
from cli.commands.options import JsonOption, KeyOption
from cli.context import RunContext, run_context
from cli.deployment_settings import record_json
from cli.errors import UsageProblem
from cli.lazy import lazy
from cli.output import print_json
from monnaie_locale.money import format_amount, parse_amount

if TYPE_CHECKING:
    from monnaie_locale.acts import books
    from monnaie_locale.operations.bookings import Booking
else:
    books = lazy("monnaie_locale.acts.books")

__all__ = ["register"]

group = typer.Typer(
    help=(
        "The association's other money flows: bank fees, interest, donations, grants, "
        "closures, notes written off, chargebacks.\n\n"
        "[b]Example:[/b] mlc books bank-fee reserve:digital 4,20 --key fee-2026-11"
    ),
    no_args_is_help=True,
)

AccountArgument = Annotated[str, typer.Argument(help="The account.")]
AmountArgument = Annotated[str, typer.Argument(help="Amount, e.g. 12,50 or 12.50.")]
MemoOption = Annotated[str, typer.Option("--memo", help="From whom, what for.")]

_BANK = "reserve:digital, reserve:notes or association:operating"

# The French help of these commands, merged into cli.help_fr's table on registration.
FRENCH_HELP: dict[str, str] = {
    "books": (
        "Les autres flux d'argent de l'association : frais bancaires, intérêts, dons, "
        "subventions, clôtures, billets passés en perte, rétrofacturations.\n\n[b]Exemple "
        ":[/b] mlc books bank-fee reserve:digital 4,20 --key fee-2026-11"
    ),
    "books bank-fee": (
        "Enregistre des frais bancaires (ou de carte avec --card) prélevés sur un compte en "
        "banque de l'association ; sur la réserve, complétée depuis le compte de "
        "fonctionnement si elle ne couvrait plus la circulation.\n\n[b]Exemple :[/b] mlc "
        "books bank-fee reserve:digital 4,20 --key fee-2026-11"
    ),
    "books bank-fee ACCOUNT": f"Le compte en banque : {_BANK}.",
    "books bank-fee AMOUNT": "Le montant, par exemple 12,50 ou 12.50.",
    "books bank-fee --card": "Des frais sur les paiements par carte.",
    "books bank-fee --on": "Le jour où la banque les a passés, AAAA-MM-JJ (défaut : aujourd'hui).",
    "books interest": (
        "Enregistre des intérêts versés par la banque.\n\n[b]Exemple :[/b] mlc books "
        "interest reserve:digital 12,30 --key interest-2026"
    ),
    "books interest ACCOUNT": f"Le compte en banque : {_BANK}.",
    "books interest AMOUNT": "Le montant, par exemple 12,50 ou 12.50.",
    "books interest --on": "Le jour où la banque les a versés, AAAA-MM-JJ (défaut : aujourd'hui).",
    "books to-operating": (
        "Verse au compte de fonctionnement les commissions détenues (fees) ou l'excédent "
        "de la réserve (surplus).\n\n[b]Exemple :[/b] mlc books to-operating fees 120 "
        "--key fees-2026-11"
    ),
    "books to-operating WHAT": "fees (les commissions détenues) ou surplus (l'excédent).",
    "books to-operating AMOUNT": "Le montant, par exemple 12,50 ou 12.50.",
    "books to-operating --reserve": (
        "Le compte de réserve débité : reserve:digital ou reserve:notes."
    ),
    "books donation": (
        "Enregistre un don reçu en euros sur le compte de fonctionnement.\n\n[b]Exemple "
        ':[/b] mlc books donation 50 --memo "Mme Durand" --key don-0012'
    ),
    "books donation AMOUNT": "Le montant, par exemple 12,50 ou 12.50.",
    "books donation --memo": "De qui, pour quoi.",
    "books grant": (
        "Enregistre une subvention reçue en euros sur le compte de fonctionnement.\n\n"
        '[b]Exemple :[/b] mlc books grant 1500 --memo "Région 2026" --key grant-2026'
    ),
    "books grant AMOUNT": "Le montant, par exemple 12,50 ou 12.50.",
    "books grant --memo": "De qui, pour quoi.",
    "books donate-units": (
        "Enregistre des unités données par un titulaire à l'association.\n\n[b]Exemple "
        ":[/b] mlc books donate-units alice 10 --key don-alice-1"
    ),
    "books donate-units ACCOUNT": "Le compte du donateur.",
    "books donate-units AMOUNT": "Le montant, par exemple 12,50 ou 12.50.",
    "books close-account": (
        "Clôt le compte d'un adhérent parti ou décédé après avoir réglé son solde : "
        "remboursé (refund) ou donné à l'association (donate).\n\n[b]Exemple :[/b] mlc "
        'books close-account alice --reason deceased --settle refund --paid-to "Notaire '
        'Martin" --key close-alice'
    ),
    "books close-account ACCOUNT": "Le compte à clore.",
    "books close-account --reason": "left (parti) ou deceased (décédé).",
    "books close-account --settle": "refund (remboursé) ou donate (donné à l'association).",
    "books close-account --paid-to": "À qui le remboursement est versé (nom, IBAN).",
    "books write-off": (
        "Passe en perte une série de billets volés ou détruits : leurs unités sont "
        "détruites.\n\n[b]Exemple :[/b] mlc books write-off A-0101..A-0150 --place vault "
        "--notes 50x20 --reason stolen --key write-off-A"
    ),
    "books write-off SERIES": "La série, par ses numéros.",
    "books write-off --place": (
        "Où les livres tiennent les billets : vault, l'identifiant d'un comptoir, ou lost "
        "(déclarés perdus)."
    ),
    "books write-off --notes": (
        "NOMBRExVALEUR, par exemple 10x20 pour dix billets de 20 (répétable)."
    ),
    "books write-off --reason": "stolen (volés) ou destroyed (détruits).",
    "books reverse-conversion": (
        "Annule une conversion créditée (ou la rétrofacturation d'un paiement par carte "
        "avec --chargeback) : unités et bonus repris.\n\n[b]Exemple :[/b] mlc books "
        "reverse-conversion 42 --chargeback --key chargeback-42"
    ),
    "books reverse-conversion CONVERSION": "Le numéro de la conversion.",
    "books reverse-conversion --chargeback": "Une rétrofacturation du réseau de cartes.",
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="books")


def _choice(run: RunContext, value: str, *choices: str) -> str:
    if value not in choices:
        raise UsageProblem(
            run.messages("books.bad_choice", value=value, choices=", ".join(choices))
        )
    return value


def _amount(run: RunContext, minor: int) -> str:
    return format_amount(minor, decimal_separator=run.messages.decimal_separator)


def _booked(run: RunContext, booked: Booking, *, as_json: bool) -> None:
    if as_json:
        print_json(record_json(booked))
        return
    run.out.print(
        run.messages(
            "books.booked",
            kind=booked.kind,
            account=booked.account,
            amount=_amount(run, booked.amount),
            currency=booked.currency,
            batch=booked.transaction_batch,
        ),
        markup=False,
    )
    if booked.extra:
        run.out.print(
            run.messages("books.topped_up", amount=_amount(run, booked.extra)), markup=False
        )


BankDayOption = Annotated[
    str | None,
    typer.Option("--on", help="The bank's booking day, YYYY-MM-DD (default: today)."),
]


@group.command("bank-fee")
def bank_fee(
    ctx: typer.Context,
    account: AccountArgument,
    amount: AmountArgument,
    key: KeyOption,
    card: Annotated[bool, typer.Option("--card", help="A fee on card payments.")] = False,
    on: BankDayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a bank fee (or a card fee, --card) charged on one of the association's bank
    accounts; on the reserve, topped up from operating if it no longer covered.

    [b]Example:[/b] mlc books bank-fee reserve:digital 4,20 --key fee-2026-11
    """
    run = run_context(ctx)
    fee: Literal["bank", "card"] = "card" if card else "bank"
    booked = books.bank_fee(
        run.context(), account, parse_amount(amount), fee=fee, key=key, on=day_or_none(run, on)
    )
    _booked(run, booked, as_json=as_json)


@group.command()
def interest(
    ctx: typer.Context,
    account: AccountArgument,
    amount: AmountArgument,
    key: KeyOption,
    on: BankDayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record interest the bank paid.

    [b]Example:[/b] mlc books interest reserve:digital 12,30 --key interest-2026
    """
    run = run_context(ctx)
    booked = books.interest(
        run.context(), account, parse_amount(amount), key=key, on=day_or_none(run, on)
    )
    _booked(run, booked, as_json=as_json)


@group.command("to-operating")
def to_operating(
    ctx: typer.Context,
    what: Annotated[str, typer.Argument(help="fees (the fees held) or surplus (the excess).")],
    amount: AmountArgument,
    key: KeyOption,
    reserve: Annotated[
        str,
        typer.Option(
            "--reserve", help="The reserve account paying: reserve:digital or reserve:notes."
        ),
    ] = "reserve:digital",
    as_json: JsonOption = False,
) -> None:
    """Move the fees the association holds, or the reserve's surplus, to its operating account.

    [b]Example:[/b] mlc books to-operating fees 120 --key fees-2026-11
    """
    run = run_context(ctx)
    chosen: Literal["fees", "surplus"] = (
        "fees" if _choice(run, what, "fees", "surplus") == "fees" else "surplus"
    )
    booked = books.to_operating(
        run.context(), chosen, parse_amount(amount), key=key, reserve=reserve
    )
    _booked(run, booked, as_json=as_json)


@group.command()
def donation(
    ctx: typer.Context,
    amount: AmountArgument,
    key: KeyOption,
    memo: MemoOption = "",
    as_json: JsonOption = False,
) -> None:
    """Record a donation received in euros on the operating account.

    [b]Example:[/b] mlc books donation 50 --memo "Mme Durand" --key don-0012
    """
    run = run_context(ctx)
    booked = books.receive_gift(run.context(), "donation", parse_amount(amount), key=key, memo=memo)
    _booked(run, booked, as_json=as_json)


@group.command()
def grant(
    ctx: typer.Context,
    amount: AmountArgument,
    key: KeyOption,
    memo: MemoOption = "",
    as_json: JsonOption = False,
) -> None:
    """Record a grant received in euros on the operating account.

    [b]Example:[/b] mlc books grant 1500 --memo "Région 2026" --key grant-2026
    """
    run = run_context(ctx)
    booked = books.receive_gift(run.context(), "grant", parse_amount(amount), key=key, memo=memo)
    _booked(run, booked, as_json=as_json)


@group.command("donate-units")
def donate_units(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="The giver's account.")],
    amount: AmountArgument,
    key: KeyOption,
    as_json: JsonOption = False,
) -> None:
    """Record units a holder gives to the association.

    [b]Example:[/b] mlc books donate-units alice 10 --key don-alice-1
    """
    run = run_context(ctx)
    booked = books.donate_units(run.context(), account, parse_amount(amount), key=key)
    _booked(run, booked, as_json=as_json)


@group.command("close-account")
def close_account(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="The account to close.")],
    key: KeyOption,
    reason: Annotated[str, typer.Option("--reason", help="left or deceased.")],
    settle: Annotated[
        str, typer.Option("--settle", help="refund (paid out) or donate (to the association).")
    ],
    paid_to: Annotated[
        str, typer.Option("--paid-to", help="Whom a refund is paid to (name, IBAN).")
    ] = "",
    as_json: JsonOption = False,
) -> None:
    """Close the account of a member who left or died, once its balance is settled.

    [b]Example:[/b] mlc books close-account alice --reason deceased --settle refund
    --paid-to "Notaire Martin" --key close-alice
    """
    run = run_context(ctx)
    why: Literal["left", "deceased"] = (
        "left" if _choice(run, reason, "left", "deceased") == "left" else "deceased"
    )
    how: Literal["refund", "donate"] = (
        "refund" if _choice(run, settle, "refund", "donate") == "refund" else "donate"
    )
    closed = books.close_for_good(
        run.context(), account, reason=why, settlement=how, paid_to=paid_to, key=key
    )
    if as_json:
        print_json(record_json(closed))
        return
    run.out.print(
        run.messages(
            "books.closed",
            account=closed.account,
            reason=closed.reason,
            settlement=closed.settlement,
            amount=_amount(run, closed.amount),
        ),
        markup=False,
    )


@group.command("write-off")
def write_off(
    ctx: typer.Context,
    series: Annotated[str, typer.Argument(help="The series, by its serial numbers.")],
    items: NotesOption,
    key: KeyOption,
    place: Annotated[
        str,
        typer.Option(
            "--place", help="Where the books hold the notes: vault, an office id, or lost."
        ),
    ],
    reason: Annotated[str, typer.Option("--reason", help="stolen or destroyed.")],
    as_json: JsonOption = False,
) -> None:
    """Write off a series of notes stolen or destroyed: their units are destroyed.

    [b]Example:[/b] mlc books write-off A-0101..A-0150 --place vault --notes 50x20
    --reason stolen --key write-off-A
    """
    run = run_context(ctx)
    why: Literal["stolen", "destroyed"] = (
        "stolen" if _choice(run, reason, "stolen", "destroyed") == "stolen" else "destroyed"
    )
    bundle = parse_bundle(items, run=run)
    done = books.write_off_notes(run.context(), series, place, bundle, reason=why, key=key)
    if as_json:
        print_json(record_json(done))
        return
    run.out.print(
        run.messages(
            "books.written_off",
            series=done.series,
            place=done.location,
            amount=_amount(run, done.amount),
        ),
        markup=False,
    )


@group.command("reverse-conversion")
def reverse_conversion(
    ctx: typer.Context,
    conversion: Annotated[int, typer.Argument(help="The conversion's number.", min=1)],
    key: KeyOption,
    chargeback: Annotated[
        bool, typer.Option("--chargeback", help="A chargeback by the card network.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Take a credited conversion back (or a card chargeback, --chargeback): units and
    bonus taken back, what the member spent already borne by the association.

    [b]Example:[/b] mlc books reverse-conversion 42 --chargeback --key chargeback-42
    """
    run = run_context(ctx)
    how: Literal["reversed", "charged_back"] = "charged_back" if chargeback else "reversed"
    done = books.reverse_conversion(run.context(), conversion, how=how, key=key)
    if as_json:
        print_json(record_json(done))
        return
    run.out.print(
        run.messages(
            "books.reversed",
            id=done.conversion_id,
            status=done.kind,
            taken=_amount(run, done.taken_back),
            borne=_amount(run, done.borne),
        ),
        markup=False,
    )
