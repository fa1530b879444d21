"""The member's wallet: the balance, the history and its statements, sending units.

Every page acts on the one account the signed-in person holds (:mod:`monnaie_locale.acts.
wallet`): a member's, or the authority account its agent holds. Sending has two steps:
the form, then a confirmation that shows the recipient's name as the books have it and
the amount; the transfer itself goes with the idempotency key made when the form was
first shown, so a double submit sends once. The top-up, membership and profile pages are
in :mod:`api.web.wallet_more`.

==================================  =====================================================
Page                                Who may open it
==================================  =====================================================
``GET /portefeuille``               a member or an authority's agent holding one account:
                                    balance, held, available, the last ten movements
``GET /portefeuille/historique``    the same: the movements, filtered by days, way and
                                    text, a page at a time
``GET /portefeuille/releve.csv``    the same: the statement of the days chosen, as CSV
``GET /portefeuille/releve.pdf``    the same, as PDF
``GET/POST /portefeuille/envoyer``  the same: send units to a member, a business or an
                                    authority, after a confirmation; a search of the
                                    public directory's businesses to choose from
==================================  =====================================================
"""

from __future__ import annotations

import secrets
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from api.problems import status_for
from api.typography import typeset
from api.web import fields, statement_files
from api.web.rendering import PageRoute, language_of, redirect, render
from api.web.session import CheckedForm, PageContext, form_field
from monnaie_locale.acts import directory, transfers, wallet
from monnaie_locale.auth.errors import NotAuthenticated, RoleForbidden
from monnaie_locale.errors import MonnaieLocaleError
from monnaie_locale.i18n import Messages, describe
from monnaie_locale.money import parse_amount

__all__ = ["form_refusal", "new_key", "router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

Day = Annotated[str | None, Query(max_length=10)]
Text = Annotated[str, Query(max_length=100)]
Way = Annotated[Literal["", "entrees", "sorties"], Query()]
PageNumber = Annotated[int, Query(ge=1, le=10_000)]
Done = Annotated[str | None, Query(max_length=20)]
_WAYS: dict[str, wallet.Direction] = {"": None, "entrees": "in", "sorties": "out"}


def new_key() -> str:
    """A money form's idempotency key, made when the form is shown."""
    return secrets.token_urlsafe(16)


def form_refusal(request: Request, error: MonnaieLocaleError) -> tuple[str, int]:
    """What a refused form says, in the page's language, and the API's status for it.

    Who may not use the page at all still gets the refusal page (the error is raised).
    """
    if isinstance(error, NotAuthenticated | RoleForbidden | wallet.NoWallet):
        raise error
    status = status_for(type(error))
    if status >= 500:
        raise error
    language = language_of(request)
    detail = describe(error, Messages(language), prefixes=("page.refusal.", "api.error.", "error."))
    return typeset(detail or error.message, language), status


@router.get("/portefeuille", response_class=Response)
def wallet_home(request: Request, ctx: PageContext, ok: Done = None) -> Response:
    seen = wallet.overview(ctx, recent=10)
    return render(
        request,
        "web/wallet_home.html",
        {"account": seen.account, "lines": seen.recent, "ok": ok == "envoi"},
        user=ctx.actor,
    )


@router.get("/portefeuille/historique", response_class=Response)
def wallet_history(
    request: Request,
    ctx: PageContext,
    du: Day = None,
    au: Day = None,
    sens: Way = "",
    texte: Text = "",
    page: PageNumber = 1,
) -> Response:
    start, end = fields.period(du, au)
    found = wallet.history(
        ctx,
        start=start,
        end=end,
        zone=ctx.deployment.zone,
        direction=_WAYS[sens],
        text=texte,
        page=page,
    )
    period = {"du": du or "", "au": au or ""}
    filters = {**period, "sens": sens, "texte": texte}
    return render(
        request,
        "web/wallet_history.html",
        {
            "account": found.account,
            "lines": found.movements,
            "page": found.page,
            "more": found.more,
            "filters": filters,
            "period": period,
        },
        user=ctx.actor,
    )


@router.get("/portefeuille/releve.csv", response_class=Response)
def statement_csv(request: Request, ctx: PageContext, du: Day = None, au: Day = None) -> Response:
    start, end = fields.period(du, au)
    return statement_files.statement_csv(request, ctx, wallet.own_account(ctx).code, start, end)


@router.get("/portefeuille/releve.pdf", response_class=Response)
def statement_pdf(request: Request, ctx: PageContext, du: Day = None, au: Day = None) -> Response:
    account = wallet.own_account(ctx)
    start, end = fields.period(du, au)
    return statement_files.statement_pdf(
        request, ctx, account.code, start, end, holder=account.shown_name
    )


def _send_form(
    request: Request,
    ctx: PageContext,
    fields: dict[str, str],
    *,
    error: str = "",
    status: int = 200,
    search: str = "",
    found: list[directory.BusinessListing] | None = None,
) -> Response:
    account = wallet.own_account(ctx)
    return render(
        request,
        "web/wallet_send.html",
        {"account": account, "fields": fields, "error": error, "search": search, "found": found},
        status=status,
        user=ctx.actor,
    )


@router.get("/portefeuille/envoyer", response_class=Response)
def send_page(
    request: Request,
    ctx: PageContext,
    code: Annotated[str, Query(max_length=120)] = "",
    recherche: Text = "",
) -> Response:
    fields = {"code": code, "amount": "", "memo": "", "key": new_key()}
    # The public directory's businesses, to choose the recipient from instead of typing.
    found = (
        directory.search_businesses(ctx.database, recherche, limit=20)
        if recherche.strip()
        else None
    )
    return _send_form(request, ctx, fields, search=recherche, found=found)


@router.post("/portefeuille/envoyer", response_class=Response)
def send(request: Request, form: CheckedForm, ctx: PageContext) -> Response:
    account = wallet.own_account(ctx)
    fields = {
        name: form_field(form, name, limit=limit)
        for name, limit in (("code", 120), ("amount", 40), ("memo", 200), ("key", 64))
    }
    # A form shown by this site always carries its key; a forged one gets its own.
    fields["key"] = fields["key"] or new_key()
    confirmed = form.get("step") == "envoyer"
    try:
        amount = parse_amount(fields["amount"])
        to = wallet.recipient(ctx, fields["code"])
        if not confirmed:
            return render(
                request,
                "web/wallet_confirm.html",
                {"account": account, "fields": fields, "to": to, "amount": amount},
                user=ctx.actor,
            )
        transfers.transfer(
            ctx, account.code, to.code, amount, key=fields["key"], memo=fields["memo"].strip()
        )
    except MonnaieLocaleError as error:
        detail, status = form_refusal(request, error)
        return _send_form(request, ctx, fields, error=detail, status=status)
    return redirect(request, "/portefeuille?ok=envoi")
