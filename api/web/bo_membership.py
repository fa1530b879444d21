"""The back-office's membership fees: who owes the period's fee, who paid it, and recording
a fee paid.

Each account of a kind that owes a fee (the rule ``membership_fee.<kind>``, see the rules'
page) is listed with the period of the chosen day (today by default) and whether it is
paid. An operator records a fee paid: in euros (cash, a cheque: only the association
records it, and nothing leaves the holder's account) or in units (taken from the
holder's account), on the day it was paid when not today. Each form is recorded once
(its idempotency key).

================================================  ==========================================
Page                                              Who may open it
================================================  ==========================================
``GET /gestion/adhesions``                        the association's operators,
                                                  administrators and auditors: the fees due
                                                  and paid for a period
``POST /gestion/adhesions/payer``                 the association's operators and
                                                  administrators: record a fee paid
================================================  ==========================================
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from api.web.back_office import back_office_of
from api.web.fields import optional_day
from api.web.rendering import PageRoute, redirect, render
from api.web.session import CheckedForm
from api.web.shop import Ok, count_attempt, form_key, form_text, new_key
from monnaie_locale.acting import Context
from monnaie_locale.acts import membership, rules
from monnaie_locale.errors import InvalidRequest

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

Day = Annotated[str | None, Query(max_length=10)]
_PAID_IN: dict[str, Literal["units", "euros"]] = {"units": "units", "euros": "euros"}


@router.get("/gestion/adhesions", response_class=Response)
def fees_page(
    request: Request,
    ctx: Annotated[Context, back_office_of(membership.fee_status)],
    jour: Day = None,
    ok: Ok = None,
) -> Response:
    day = optional_day(jour or "")
    status = membership.fee_status(ctx, day)
    # The fees themselves are rules: what each kind owes, as people write it.
    fees = [
        (found.rule.removeprefix("membership_fee."), found.value)
        for found in rules.show_rules(ctx, day)
        if found.rule.startswith("membership_fee.") and found.value != "none"
    ]
    return render(
        request,
        "web/bo_membership_fees.html",
        {
            "status": status,
            "fees": fees,
            "chosen_day": jour if day is not None else "",
            "due": sum(1 for row in status if not row.paid),
            "paid": sum(1 for row in status if row.paid),
            "key": new_key(),
            "ok": ok == "paid",
            "writes": ctx.actor.role in membership.pay_fee.roles,
        },
        user=ctx.actor,
    )


@router.post("/gestion/adhesions/payer", response_class=Response)
def record_fee(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(membership.pay_fee)],
) -> Response:
    count_attempt(request, ctx)
    account = form_text(form, "account", limit=100)
    period = form_text(form, "period", limit=7)
    paid_in = _PAID_IN.get(form_text(form, "paid_in", limit=5))
    if paid_in is None:
        raise InvalidRequest("say whether the fee was paid in euros or in units")
    on = optional_day(form_text(form, "on", limit=10))
    key = form_key(form)
    membership.pay_fee(ctx, account, period, paid_in=paid_in, key=key, on=on)
    return redirect(request, "/gestion/adhesions?ok=paid")
