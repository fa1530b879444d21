"""The exchange office's screen: what the till and the note stock hold now, and the
counter's acts behind big buttons, each ending on a receipt to print.

A volunteer works it on the shop's tablet: few fields, large type. The screen shows one
office: the only one the operator works at, or the one ``?bureau=`` names; with several
and none named, a chooser lists them. Every form carries its office and the idempotency
key made when it was shown, so a double tap, or a reload of a receipt, moves money once.

==============================  ===========================================================
Page                            Who may open it
==============================  ===========================================================
``GET /guichet``                an office operator (their offices), the association's
                                operators and administrators (any open office), the
                                auditor (to read): the till's cash, the note stock, the
                                acts' buttons; a chooser when there are several offices
``GET /guichet/vente``          the same: selling notes for cash, counted by denomination
``GET /guichet/especes``        the same: euros in cash converted to a holder's account
``GET /guichet/carte``          the same: euros paid by card converted to an account
``GET /guichet/depot``          the same: notes handed in, credited to an account
``GET /guichet/comptage``       the same: the till's count
``GET /guichet/banque``         the same: the cash to take to the bank
==============================  ===========================================================

The forms post to :mod:`api.web.office_counter` (notes and conversions) and
:mod:`api.web.office_till` (the count and the bank), where only the office's staff act:
the auditor opens every page here and is refused every form by its act.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.datastructures import FormData

from api.typography import money
from api.web.back_office import back_office_of
from api.web.rendering import PageRoute, language_of, redirect, render
from api.web.shop import form_text, new_key
from monnaie_locale.acting import Context
from monnaie_locale.acts import counter, directory, offices
from monnaie_locale.deployment import Deployment
from monnaie_locale.errors import Conflict, InvalidRequest
from monnaie_locale.money import format_amount
from monnaie_locale.operations.errors import InvalidNotes

__all__ = [
    "Bureau",
    "NoAccountSaid",
    "NoCardTicket",
    "ShortfallUnfunded",
    "bundle_of",
    "office_field",
    "office_page",
    "receipt",
    "router",
]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

_OFFICE = r"[A-Za-z0-9_-]{1,40}"
Bureau = Annotated[str | None, Query(max_length=40, pattern=f"^{_OFFICE}$")]
# The longest count of one denomination a form takes: a million notes is no counter's.
_COUNT_DIGITS = 6
# Each act's form page: its address under /guichet, its template.
_FORMS = {
    "vente": "web/bo_office_notes.html",
    "especes": "web/bo_office_conversion.html",
    "carte": "web/bo_office_conversion.html",
    "depot": "web/bo_office_notes.html",
    "comptage": "web/bo_office_count.html",
    "banque": "web/bo_office_bank.html",
}


class NoOffice(InvalidRequest):
    """A form posted without the office it was shown for (an old page, or a forged one)."""

    code = "office_no_office"

    def __init__(self) -> None:
        super().__init__("the form names no exchange office; reload the page")


class NoAccountSaid(InvalidRequest):
    """A conversion or a deposit whose customer's account is left blank."""

    code = "office_no_account"

    def __init__(self) -> None:
        super().__init__("say which account: its code, or words of its holder's name")


class NoCardTicket(InvalidRequest):
    """A card conversion without the payment's reference from the terminal's ticket."""

    code = "office_no_card_ticket"

    def __init__(self) -> None:
        super().__init__("copy the card payment's reference from the terminal's ticket")


class ShortfallUnfunded(Conflict):
    """A till counted short that the association's own euros cannot replace yet: the core
    refuses the count (the operating account may not go below zero), nothing is booked."""

    code = "office_shortfall_unfunded"

    def __init__(self) -> None:
        super().__init__(
            "the association's operating account cannot replace the missing cash yet; "
            "nothing was booked: tell the association, then confirm the count again"
        )


def _money_helpers(request: Request, deployment: Deployment) -> dict[str, Callable[..., str]]:
    """How the pages write euros (the till), notes' faces and amounts typed in a field."""
    language = language_of(request)
    symbol = request.app.state.settings.currency_symbol

    def euros(cents: int) -> str:
        return money(cents, language, "€")

    def signed_euros(cents: int) -> str:
        # A difference shows its sign: U+2212, the minus sign, as typeset numbers have it.
        sign = "+" if cents > 0 else "\u2212" if cents < 0 else ""
        return sign + euros(abs(cents))

    def face(denomination: int) -> str:
        whole, cents = divmod(denomination, 100)
        return f"{whole}\u00a0{symbol}" if not cents else money(denomination, language, symbol)

    def typed(cents: int) -> str:
        return format_amount(cents, decimal_separator="," if language == "fr" else ".")

    return {"euros": euros, "signed_euros": signed_euros, "face": face, "typed": typed}


def office_page(
    request: Request, ctx: Context, template: str, office: str, context: dict[str, Any]
) -> Response:
    """``template`` for ``office``: its name as the directory gives it, the money helpers."""
    names = {place.office: place.name for place in directory.list_office_places(ctx.database)}
    return render(
        request,
        template,
        {
            **context,
            "office": office,
            "office_name": names.get(office, office),
            "denominations": sorted(ctx.deployment.denominations),
            # The auditor reads the counter; its forms are the office staff's alone.
            "reads_only": ctx.actor.role not in offices.close_till.roles,
            **_money_helpers(request, ctx.deployment),
        },
        user=ctx.actor,
    )


def receipt(request: Request, ctx: Context, office: str, kind: str, **found: Any) -> Response:
    """The act's receipt: its page prints as a slip. A reload posts the same key again,
    which moves nothing and shows the same receipt."""
    return office_page(
        request,
        ctx,
        "web/bo_office_receipt.html",
        office,
        {"kind": kind, "now": ctx.clock(), "operator": ctx.actor.name, **found},
    )


def _chosen(ctx: Context, bureau: str | None) -> str | None:
    """The office the page is about: the one named, or the actor's only one."""
    if bureau:
        return bureau
    offices = counter.counter_offices(ctx)
    return offices[0] if len(offices) == 1 else None


def office_field(form: FormData) -> str:
    """The office a form was shown for (its act checks the actor works there)."""
    office = form_text(form, "office", limit=40)
    if not re.fullmatch(_OFFICE, office):
        raise NoOffice()
    return office


def bundle_of(form: FormData, deployment: Deployment) -> dict[int, int]:
    """The notes a form counts, by denomination (``n2000``: the 20 notes); blank is none."""
    bundle: dict[int, int] = {}
    for denomination in sorted(deployment.denominations):
        text = form_text(form, f"n{denomination}", limit=_COUNT_DIGITS)
        if not text:
            continue
        if not (text.isascii() and text.isdigit()):
            raise InvalidNotes(f"the count of {denomination} notes must be a whole number")
        if int(text):
            bundle[denomination] = int(text)
    return bundle


@router.get("/guichet", response_class=Response)
def screen(
    request: Request,
    ctx: Annotated[Context, back_office_of(counter.office_desk)],
    bureau: Bureau = None,
) -> Response:
    office = _chosen(ctx, bureau)
    if office is None:
        names = {place.office: place.name for place in directory.list_office_places(ctx.database)}
        offices = [(found, names.get(found, found)) for found in counter.counter_offices(ctx)]
        return render(request, "web/bo_office_choose.html", {"offices": offices}, user=ctx.actor)
    desk = counter.office_desk(ctx, office)
    return office_page(request, ctx, "web/bo_office_screen.html", office, {"desk": desk})


def _form_page(request: Request, ctx: Context, bureau: str | None, act: str) -> Response:
    office = _chosen(ctx, bureau)
    if office is None:
        return redirect(request, "/guichet")
    desk = counter.office_desk(ctx, office)
    return office_page(
        request,
        ctx,
        _FORMS[act],
        office,
        {"desk": desk, "act": act, "key": new_key(), "fields": {}},
    )


# One GET route per act, so each address is a page of its own (and a row of the matrix).
def _form_route(act: str) -> Callable[..., Response]:
    def form(
        request: Request,
        ctx: Annotated[Context, back_office_of(counter.office_desk)],
        bureau: Bureau = None,
    ) -> Response:
        return _form_page(request, ctx, bureau, act)

    return form


for _act in _FORMS:
    router.add_api_route(
        f"/guichet/{_act}", _form_route(_act), methods=["GET"], response_class=Response
    )
