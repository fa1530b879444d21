"""The régie's counter: a tariff or an amount, the QR the payer scans, then the quittance.

The counter runs on the régie's tablet. A tariff is one tap (its label is the quittance's
object); any other collection is an amount and its object. Part of it may be paid in euros
by card or in cash (the card terminal's reference, or the cash receipt's): the quittance
then says both parts. The page draws the payment request's QR itself and waits: its
script asks the sale's state every two seconds and turns to "Payé" the moment the
member's wallet has paid, then shows the quittance, which prints alone. Without the
script, the "Check the payment" link does the same.

A form carries the idempotency key made when it was shown: a double tap, or a reload of
the QR's page, prepares one sale.

========================================  ===============================================
Page                                      Who may open it
========================================  ===============================================
``GET /regie/{code}/guichet``             the régie's people: the tariffs' big buttons
                                          and the amount's form to those who collect
                                          (régisseur, mandataires), a notice to readers
``POST /regie/{code}/guichet``            the régisseur and mandataires: the sale
                                          prepared, its QR shown
``GET /regie/{code}/guichet/{request}``   the régie's people: "Payé" and the quittance
                                          once paid, else still waiting
``GET /regie/{code}/guichet/{request}/etat``  the same, for the page's script: JSON
========================================  ===============================================
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse
from markupsafe import Markup
from starlette.datastructures import FormData

from api.checkout_runtime import CheckoutDep
from api.web.regie_space import RegieCode, regie_page, regie_people_of
from api.web.rendering import PageRoute, redirect
from api.web.session import CheckedForm
from api.web.shop import count_attempt, form_key, form_text, new_key
from monnaie_locale.acting import Context
from monnaie_locale.acts import authorities, regie_counter
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.money import parse_amount
from monnaie_locale.payments.qr import qr_svg
from monnaie_locale.payments.request import request_url

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

RequestId = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9_-]{1,40}$")]
_MEANS = ("card", "cash")


def _counter(request: Request, ctx: Context, code: str, **context: Any) -> Response:
    regie = authorities.get_regie(ctx, code)
    tariffs = authorities.list_tariffs(ctx, regie.code)
    return regie_page(
        request,
        ctx,
        "web/regie_counter.html",
        regie,
        {"tariffs": tariffs, "key": new_key(), **context},
    )


@router.get("/regie/{code}/guichet", response_class=Response)
def counter(
    request: Request,
    code: RegieCode,
    ctx: Annotated[Context, regie_people_of(authorities.get_regie)],
) -> Response:
    return _counter(request, ctx, code)


def _sale_fields(form: FormData) -> dict[str, Any]:
    """What the form says of the sale: a tariff, or an amount and its object; the euros."""
    tariff = form_text(form, "tariff", limit=19)
    if tariff and not (tariff.isascii() and tariff.isdigit()):
        raise InvalidRequest("the tariff chosen is not one of this counter's; reload the page")
    amount = form_text(form, "amount", limit=40)
    euros = form_text(form, "euros", limit=40)
    means = form_text(form, "euro_means", limit=10)
    if means and means not in _MEANS:
        raise InvalidRequest("the euros are paid by card or in cash")
    return {
        "tariff_id": int(tariff) if tariff else None,
        "amount": None if tariff or not amount else parse_amount(amount),
        "object": None if tariff else form_text(form, "object", limit=200) or None,
        "euros": parse_amount(euros) if euros else 0,
        "euro_means": means or None,
        "euro_reference": form_text(form, "euro_reference", limit=140) or None,
        "payer_name": form_text(form, "payer_name", limit=200) or None,
    }


@router.post("/regie/{code}/guichet", response_class=Response)
def prepare_sale(
    request: Request,
    code: RegieCode,
    form: CheckedForm,
    ctx: Annotated[Context, regie_people_of(regie_counter.prepare_sale)],
) -> Response:
    count_attempt(request, ctx)
    sale = regie_counter.prepare_sale(ctx, code, **_sale_fields(form), key=form_key(form))
    return redirect(request, f"/regie/{code}/guichet/{sale.request_id}")


@router.get("/regie/{code}/guichet/{request_id}", response_class=Response)
def sale_page(
    request: Request,
    code: RegieCode,
    request_id: RequestId,
    ctx: Annotated[Context, regie_people_of(regie_counter.sale_status)],
    runtime: CheckoutDep,
) -> Response:
    regie = authorities.get_regie(ctx, code)
    state = regie_counter.sale_status(ctx, regie.code, request_id)
    url = request_url(state.sale.token, host=runtime.public_host)
    return regie_page(
        request,
        ctx,
        "web/regie_sale.html",
        regie,
        {"state": state, "sale": state.sale, "url": url, "qr": Markup(qr_svg(url))},
    )


@router.get("/regie/{code}/guichet/{request_id}/etat", response_class=Response)
def sale_state(
    code: RegieCode,
    request_id: RequestId,
    ctx: Annotated[Context, regie_people_of(regie_counter.sale_status)],
) -> Response:
    # The waiting page's script asks this until the sale is paid; nothing cached.
    state = regie_counter.sale_status(ctx, code, request_id)
    return JSONResponse(
        {"paid": state.paid, "status": state.status}, headers={"Cache-Control": "no-store"}
    )
