"""The merchant's space: turning units back into euros, and the shop's statements.

A reconversion is asked in two steps: the form, then a confirmation that shows the fee
and the euros the request would fix (the quote is the request's own computation), and
only then the request, which holds the units. Statements download as the API's CSV and
as the PDF the core writes, for a period of whole days in the deployment's zone.

==================================================  ========================================
Page                                                Who may open it
==================================================  ========================================
``GET /commerce/reconversions``                     the shop's owner and cashiers: the
                                                    shop's requests and their status
``POST /commerce/reconversions/apercu``             the shop's owner: the fee and the euros,
                                                    before confirming
``POST /commerce/reconversions``                    the same: the request, once confirmed
``POST /commerce/reconversions/{id}/annuler``       the same: a request not yet in a batch
``GET /commerce/releves``                           the shop's owner and cashiers: the
                                                    period to download
``GET /commerce/releves.csv``                       the same: the statement as CSV
``GET /commerce/releves.pdf``                       the same: the statement as PDF
==================================================  ========================================
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.web import statement_files
from api.web.fields import euros_of, period
from api.web.rendering import PageRoute, redirect, render
from api.web.session import CheckedForm
from api.web.shop import Ok, count_attempt, form_key, form_text, new_key, shop_of, staff_of
from monnaie_locale.acting import Context
from monnaie_locale.acts import exports, reconversions
from monnaie_locale.money import parse_amount

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

RequestId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Day = Annotated[str | None, Query(max_length=10)]
_OK = ("requested", "cancelled")


def _payout_fields(form: object) -> dict[str, str]:
    return {
        "creditor_name": form_text(form, "creditor_name", limit=140),
        "iban": form_text(form, "iban", limit=50),
        "bic": form_text(form, "bic", limit=11),
    }


@router.get("/commerce/reconversions", response_class=Response)
def reconversions_page(
    request: Request,
    ctx: Annotated[Context, staff_of(reconversions.holder_reconversions)],
    ok: Ok = None,
) -> Response:
    found = reconversions.holder_reconversions(ctx, shop_of(ctx))
    return render(
        request,
        "web/shop_reconversions.html",
        {
            "requests": list(reversed(found)),
            "ok": ok if ok in _OK else None,
            "euros": euros_of(request),
        },
        user=ctx.actor,
    )


@router.post("/commerce/reconversions/apercu", response_class=Response)
def reconversion_preview(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, staff_of(reconversions.reconversion_quote)],
) -> Response:
    amount = parse_amount(form_text(form, "amount", limit=40))
    quote = reconversions.reconversion_quote(ctx, shop_of(ctx), amount)
    return render(
        request,
        "web/shop_reconversion_confirm.html",
        {
            "quote": quote,
            "fields": _payout_fields(form),
            "key": new_key(),
            "euros": euros_of(request),
        },
        user=ctx.actor,
    )


@router.post("/commerce/reconversions", response_class=Response)
def request_reconversion(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, staff_of(reconversions.request_reconversion)],
) -> Response:
    count_attempt(request, ctx)
    amount = parse_amount(form_text(form, "amount", limit=40))
    fields = _payout_fields(form)
    reconversions.request_reconversion(
        ctx,
        shop_of(ctx),
        amount,
        creditor_name=fields["creditor_name"],
        iban=fields["iban"],
        bic=fields["bic"] or None,
        key=form_key(form),
    )
    return redirect(request, "/commerce/reconversions?ok=requested")


@router.post("/commerce/reconversions/{request_id}/annuler", response_class=Response)
def cancel_reconversion(
    request: Request,
    request_id: RequestId,
    form: CheckedForm,
    ctx: Annotated[Context, staff_of(reconversions.cancel_reconversion)],
) -> Response:
    reconversions.cancel_reconversion(ctx, request_id)
    return redirect(request, "/commerce/reconversions?ok=cancelled")


@router.get("/commerce/releves", response_class=Response)
def statements_page(
    request: Request, ctx: Annotated[Context, staff_of(exports.write_statement_csv)]
) -> Response:
    # The form only: each download below is its own act's.
    return render(request, "web/shop_statements.html", {"shop": shop_of(ctx)}, user=ctx.actor)


@router.get("/commerce/releves.csv", response_class=Response)
def statement_csv(
    request: Request,
    ctx: Annotated[Context, staff_of(exports.write_statement_csv)],
    du: Day = None,
    au: Day = None,
) -> Response:
    start, end = period(du, au)
    return statement_files.statement_csv(request, ctx, shop_of(ctx), start, end)


@router.get("/commerce/releves.pdf", response_class=Response)
def statement_pdf(
    request: Request,
    ctx: Annotated[Context, staff_of(exports.write_statement_pdf)],
    du: Day = None,
    au: Day = None,
) -> Response:
    start, end = period(du, au)
    return statement_files.statement_pdf(request, ctx, shop_of(ctx), start, end, holder=None)
