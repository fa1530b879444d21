"""The back-office's conversion orders: euros awaited by bank transfer, credited when seen.

A holder orders a conversion by bank transfer and puts the order's reference on the
transfer; once the association sees the euros on the reserve's bank account, an operator
credits the order here with the bank's reference of the transfer, and the units are
issued. An order whose transfer never came (or came back) is cancelled. Crediting asks for
the amount the bank shows: the act refuses one that is not the order's, so a transfer of
the wrong amount is never credited by mistake.

================================================  ==========================================
Page                                              Who may open it
================================================  ==========================================
``GET /gestion/conversions``                      the association's operators,
                                                  administrators and auditors: the orders
                                                  waiting for their transfer
``POST /gestion/conversions/{id}/crediter``       the association's operators and
                                                  administrators: credit the order, once
                                                  per form (its idempotency key)
``POST /gestion/conversions/{id}/annuler``        the same: cancel a pending order
================================================  ==========================================
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from api.web.back_office import back_office_of
from api.web.fields import euros_of, optional_day
from api.web.rendering import PageRoute, redirect, render
from api.web.session import CheckedForm
from api.web.shop import Ok, count_attempt, form_key, form_text, new_key
from monnaie_locale.acting import Context
from monnaie_locale.acts import conversions
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.money import parse_amount
from monnaie_locale.operations.conversion import Conversion
from monnaie_locale.operations.errors import UnknownRecord

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

OrderId = Annotated[int, Path(ge=1, le=2**63 - 1)]
_OK = ("credited", "cancelled")


def _order(ctx: Context, order_id: int) -> Conversion:
    """The bank-transfer order ``order_id``: a card or cash conversion is no order."""
    found = conversions.get_conversion(ctx, order_id)
    if found.method != "transfer" or found.reference is None:
        raise UnknownRecord("conversion order", order_id)
    return found


@router.get("/gestion/conversions", response_class=Response)
def orders_page(
    request: Request,
    ctx: Annotated[Context, back_office_of(conversions.pending_orders)],
    ok: Ok = None,
) -> Response:
    return render(
        request,
        "web/bo_conversions_orders.html",
        {
            "orders": conversions.pending_orders(ctx),
            "key": new_key(),
            "euros": euros_of(request),
            "ok": ok if ok in _OK else None,
            "writes": ctx.actor.role in conversions.credit_order.roles,
        },
        user=ctx.actor,
    )


@router.post("/gestion/conversions/{order_id:int}/crediter", response_class=Response)
def credit(
    request: Request,
    order_id: OrderId,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(conversions.credit_order)],
) -> Response:
    count_attempt(request, ctx)
    # Every field is read before anything is written: a malformed one changes nothing.
    amount = parse_amount(form_text(form, "amount", limit=40))
    bank_reference = form_text(form, "bank_reference", limit=140)
    if not bank_reference:
        raise InvalidRequest("give the bank's reference of the transfer")
    on = optional_day(form_text(form, "on", limit=10))
    key = form_key(form)
    order = _order(ctx, order_id)
    assert order.reference is not None  # _order's promise, for the type checker
    conversions.credit_order(
        ctx, order.reference, amount=amount, bank_reference=bank_reference, key=key, on=on
    )
    return redirect(request, "/gestion/conversions?ok=credited")


@router.post("/gestion/conversions/{order_id:int}/annuler", response_class=Response)
def cancel(
    request: Request,
    order_id: OrderId,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(conversions.cancel_order)],
) -> Response:
    order = _order(ctx, order_id)
    assert order.reference is not None
    conversions.cancel_order(ctx, order.reference)
    return redirect(request, "/gestion/conversions?ok=cancelled")
