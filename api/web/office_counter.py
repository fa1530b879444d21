"""The exchange office's counter acts: selling notes, converting euros, taking notes in.

Each form is the screen's (:mod:`api.web.office_screen`); each answer is the act's
receipt, to print. The account a customer names is found by its code or by words of its
code or name: the code said whole goes straight to the act; otherwise the page lists
what matches and the volunteer picks one, the form's fields and key carried along, so
nothing moves until the account is certain.

==============================  ===========================================================
Page                            Who may open it
==============================  ===========================================================
``POST /guichet/vente``         an office operator, for their office; the association's
                                operators and administrators, for any: notes sold for
                                cash (the till takes the euros)
``POST /guichet/especes``       the same: cash converted to a holder's account
``POST /guichet/carte``         the same: a card payment converted to a holder's account
``POST /guichet/depot``         the same: notes handed in, credited to a holder's account
==============================  ===========================================================
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from starlette.datastructures import FormData

from api.web.back_office import back_office_of
from api.web.office_screen import (
    NoAccountSaid,
    NoCardTicket,
    bundle_of,
    office_field,
    office_page,
    receipt,
)
from api.web.rendering import PageRoute
from api.web.session import CheckedForm
from api.web.shop import count_attempt, form_key, form_text
from monnaie_locale.acting import Context
from monnaie_locale.acts import conversions, counter, notes
from monnaie_locale.errors import UnknownAccount
from monnaie_locale.ledger.account_search import MAX_QUERY
from monnaie_locale.model import Account
from monnaie_locale.money import parse_amount

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

# What the account's chooser carries from the form it answers, beside the account.
_CARRIED = ("office", "key", "amount", "payment_reference")


def _named_account(ctx: Context, said: str) -> str | list[Account]:
    """The code of the account ``said`` names whole, or the accounts its words match."""
    if not said:
        raise NoAccountSaid()
    found = counter.find_holders(ctx, said)
    if not found:
        raise UnknownAccount(said)
    if found[0].code == said:
        return said
    return found


def _choose_account(
    request: Request, ctx: Context, form: FormData, act: str, found: list[Account]
) -> Response:
    """The accounts that match, to pick one; the form posts again, everything kept."""
    names = [*_CARRIED, *(f"n{d}" for d in sorted(ctx.deployment.denominations))]
    carried = [(name, form_text(form, name, limit=120)) for name in names]
    return office_page(
        request,
        ctx,
        "web/bo_office_account.html",
        office_field(form),
        {
            "act": act,
            "found": found,
            "carried": [(name, value) for name, value in carried if value],
            "said": form_text(form, "account", limit=MAX_QUERY),
        },
    )


@router.post("/guichet/vente", response_class=Response)
def sell(
    request: Request, form: CheckedForm, ctx: Annotated[Context, back_office_of(notes.sell_notes)]
) -> Response:
    count_attempt(request, ctx)
    office, key = office_field(form), form_key(form)
    movement = notes.sell_notes(ctx, office, bundle_of(form, ctx.deployment), key=key)
    return receipt(request, ctx, office, "sale", movement=movement)


@router.post("/guichet/depot", response_class=Response)
def take_notes_in(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(notes.deposit_notes)],
) -> Response:
    count_attempt(request, ctx)
    office, key = office_field(form), form_key(form)
    bundle = bundle_of(form, ctx.deployment)
    account = _named_account(ctx, form_text(form, "account", limit=MAX_QUERY))
    if isinstance(account, list):
        return _choose_account(request, ctx, form, "depot", account)
    movement = notes.deposit_notes(ctx, office, account, bundle, key=key)
    return receipt(request, ctx, office, "deposit", movement=movement, account=account)


@router.post("/guichet/especes", response_class=Response)
def convert_cash(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(conversions.convert_cash)],
) -> Response:
    count_attempt(request, ctx)
    office, key = office_field(form), form_key(form)
    amount = parse_amount(form_text(form, "amount", limit=40))
    account = _named_account(ctx, form_text(form, "account", limit=MAX_QUERY))
    if isinstance(account, list):
        return _choose_account(request, ctx, form, "especes", account)
    conversion = conversions.convert_cash(ctx, office, account, amount, key=key)
    return receipt(request, ctx, office, "cash", conversion=conversion)


@router.post("/guichet/carte", response_class=Response)
def convert_card(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(conversions.convert_by_card)],
) -> Response:
    count_attempt(request, ctx)
    office, key = office_field(form), form_key(form)
    amount = parse_amount(form_text(form, "amount", limit=40))
    # The card terminal's ticket: the payment it names is converted once.
    payment = form_text(form, "payment_reference", limit=120)
    if not payment:
        raise NoCardTicket()
    account = _named_account(ctx, form_text(form, "account", limit=MAX_QUERY))
    if isinstance(account, list):
        return _choose_account(request, ctx, form, "carte", account)
    # The office is the screen's: a card conversion moves no till, yet the volunteer
    # converts only at an office they work at.
    counter.office_desk(ctx, office)
    conversion = conversions.convert_by_card(
        ctx, account, amount, payment_reference=payment, key=key
    )
    return receipt(request, ctx, office, "card", conversion=conversion)
