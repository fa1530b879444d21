"""The back-office's paper notes: the stock at each place, and the association's movements,
each shown with its ledger entries before it is made.

A movement is made in two steps. Its form posts to the preview, which runs the movement
in a transaction that is rolled back (:func:`monnaie_locale.acts.notes.preview_notes`)
and shows the entries it would post; the preview's "confirm" button carries the same
fields and an idempotency key to the confirmation, which makes it. A preview refused
(notes a stock does not hold, a lost note the association's euros cannot back) is the
refusal the movement itself would meet.

==================================  ========================================================
Page                                Who may open it
==================================  ========================================================
``GET /gestion/billets``            the association's operators and administrators, the
                                    auditor: the notes at each place by denomination (the
                                    forms only for those who move notes)
``POST /gestion/billets/apercu``    the association's operators and administrators: the
                                    entries a movement would post, nothing kept
``POST /gestion/billets/confirmer`` the same: the movement, once per key
==================================  ========================================================

The movements of this page are the association's (print, deliver, return, destroy, lose,
find); selling and taking deposits are the offices' own, at their counter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, TypeVar

from fastapi import APIRouter, Request, Response
from starlette.datastructures import FormData

from api.typography import NBSP, money
from api.web.back_office import back_office_of
from api.web.rendering import PageRoute, language_of, redirect, render
from api.web.session import CheckedForm, form_field
from api.web.shop import Ok, form_key, new_key
from monnaie_locale.acting import Context
from monnaie_locale.acts import notes
from monnaie_locale.deployment import ASSOCIATION_OPERATING
from monnaie_locale.errors import Conflict, InvalidRequest, LimitExceeded
from monnaie_locale.money import EUR
from monnaie_locale.preview import Entry

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

# The movements made here, in the page's order, with the form field that names the place
# for each (the act's own name for it).
MOVES: Mapping[str, str | None] = {
    "print": None,
    "deliver": "office",
    "return": "office",
    "destroy": "location",
    "lose": "location",
    "find": "location",
}
# Every movement here admits the same roles: the pages that post them admit those.
_ROLES = notes.print_notes.roles
assert all(notes.MOVEMENTS[name].act.roles == _ROLES for name in MOVES)
Movers = Annotated[Context, back_office_of(notes.print_notes)]
T = TypeVar("T")


class UnreadableMovement(InvalidRequest):
    """A movement's form that names no movement of this page, or a count that is no whole
    number: the form's refusal, as the other pages word it."""

    code = "invalid_form"


class NotesNotBacked(Conflict):
    """Lost notes the association's operating euros cannot back (the ledger says the
    operating account cannot go below nothing): said as such, not as an account's limit."""

    code = "notes_not_backed"

    def __init__(self) -> None:
        super().__init__("the association's operating account lacks the euros to back these notes")


def _backed(call: Callable[[], T]) -> T:
    """``call``'s result; the ledger's refusal to take the association's operating euros
    below nothing said as :class:`NotesNotBacked`."""
    try:
        return call()
    except LimitExceeded as error:
        if error.account != ASSOCIATION_OPERATING:
            raise
        raise NotesNotBacked() from error


@router.get("/gestion/billets", response_class=Response)
def notes_page(
    request: Request,
    ctx: Annotated[Context, back_office_of(notes.note_stock)],
    ok: Ok = None,
) -> Response:
    stock = notes.note_stock(ctx)
    return render(
        request,
        "web/bo_notes_stock.html",
        {
            "stock": stock,
            "moves": MOVES,
            "offices": ctx.deployment.offices,
            "may_move": ctx.actor.role in _ROLES,
            "ok": ok if ok in MOVES else None,
            "note": _note_label(request, ctx),
        },
        user=ctx.actor,
    )


@router.post("/gestion/billets/apercu", response_class=Response)
def notes_preview(request: Request, form: CheckedForm, ctx: Movers) -> Response:
    movement, place, bundle = _movement_of(form, ctx)
    preview = _backed(lambda: notes.preview_notes(ctx, movement, bundle, **place))
    return render(
        request,
        "web/bo_notes_preview.html",
        {
            "movement": movement,
            "place": next(iter(place.values()), None),
            "bundle": sorted(bundle.items(), reverse=True),
            "total": preview.result.amount,
            "entries": _in_reading_order(preview.entries, ctx),
            "written": _written(request, ctx),
            "key": new_key(),
            "note": _note_label(request, ctx),
        },
        user=ctx.actor,
    )


@router.post("/gestion/billets/confirmer", response_class=Response)
def notes_confirm(request: Request, form: CheckedForm, ctx: Movers) -> Response:
    movement, place, bundle = _movement_of(form, ctx)
    key = form_key(form)
    _backed(lambda: notes.MOVEMENTS[movement].act(ctx, bundle=bundle, key=key, **place))
    return redirect(request, f"/gestion/billets?ok={movement}")


def _movement_of(form: FormData, ctx: Context) -> tuple[str, dict[str, str], dict[int, int]]:
    """The movement a form names, its place (as the act names it) and its notes."""
    movement = form_field(form, "movement", limit=20)
    if movement not in MOVES:
        raise UnreadableMovement(f"choose one of the movements {', '.join(MOVES)}")
    field = MOVES[movement]
    place = {} if field is None else {field: form_field(form, "place", limit=60)}
    return movement, place, _bundle(form, ctx.deployment.denominations)


def _bundle(form: FormData, denominations: tuple[int, ...]) -> dict[int, int]:
    """The counts typed per denomination (``count_2000``), the empty ones left out; the
    act refuses a bundle with no note."""
    bundle = {}
    for denomination in denominations:
        text = form_field(form, f"count_{denomination}", limit=9)
        if not text:
            continue
        if not text.isdecimal() or not text.isascii():
            raise UnreadableMovement(f"the count of {denomination} notes is a whole number")
        if int(text):
            bundle[denomination] = int(text)
    return bundle


def _in_reading_order(entries: tuple[Entry, ...], ctx: Context) -> list[Entry]:
    """The local unit's entries, then the euros'; debits before credits in each."""
    unit = ctx.deployment.unit.code
    return sorted(entries, key=lambda entry: (entry.currency != unit, entry.amount > 0))


def _written(request: Request, ctx: Context) -> Callable[[str, int], str]:
    """How the page writes an entry's amount: in its own currency's symbol."""
    language = language_of(request)
    symbols = {EUR.code: "€", ctx.deployment.unit.code: request.app.state.settings.currency_symbol}
    return lambda currency, minor: money(minor, language, symbols.get(currency, currency))


def _note_label(request: Request, ctx: Context) -> Callable[[int], str]:
    """A note's name: "20 EK", its value without cents when it has none."""
    language = language_of(request)
    symbol = request.app.state.settings.currency_symbol

    def label(denomination: int) -> str:
        if denomination % 100 == 0:
            return f"{denomination // 100}{NBSP}{symbol}"
        return money(denomination, language, symbol)

    return label
