"""The exchange office's till: counting it against the books, and taking its cash to the bank.

The count has two steps. The volunteer types the cash counted; the next page shows what
the books expect and the difference, and nothing is booked until they confirm. The
receipt then says the difference booked (a shortfall is the association's loss, an
excess its gain; :func:`~monnaie_locale.acts.offices.close_till`). Taking cash to the
bank gives the reference to write on the bank's deposit slip, which comes back on the
bank's statement, where the association finds it.

====================================  =====================================================
Page                                  Who may open it
====================================  =====================================================
``POST /guichet/comptage``            an office operator, for their office; the
                                      association's operators and administrators, for
                                      any: the count against the books, to confirm
``POST /guichet/comptage/confirmer``  the same: the count recorded, its difference booked
``POST /guichet/banque``              the same: cash leaves the till for the bank (the
                                      whole till unless an amount is given)
====================================  =====================================================
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response

from api.web.back_office import back_office_of
from api.web.office_screen import ShortfallUnfunded, office_field, office_page, receipt
from api.web.rendering import PageRoute
from api.web.session import CheckedForm
from api.web.shop import count_attempt, form_key, form_text
from monnaie_locale.acting import Context
from monnaie_locale.acts import counter, offices
from monnaie_locale.deployment import ASSOCIATION_OPERATING
from monnaie_locale.errors import LimitExceeded
from monnaie_locale.money import parse_amount

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.post("/guichet/comptage", response_class=Response)
def check_count(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(offices.close_till)],
) -> Response:
    # Nothing is booked here: the page shows the difference the count would book.
    office, key = office_field(form), form_key(form)
    typed = form_text(form, "counted", limit=40)
    counted = parse_amount(typed)
    desk = counter.office_desk(ctx, office)
    return office_page(
        request,
        ctx,
        "web/bo_office_count_check.html",
        office,
        {"desk": desk, "counted": counted, "counted_text": typed, "key": key},
    )


@router.post("/guichet/comptage/confirmer", response_class=Response)
def close_till(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(offices.close_till)],
) -> Response:
    count_attempt(request, ctx)
    office, key = office_field(form), form_key(form)
    counted = parse_amount(form_text(form, "counted", limit=40))
    try:
        closing = offices.close_till(ctx, office, counted, key=key)
    except LimitExceeded as refusal:
        # The core's words name an account's limit; the volunteer needs to hear what it
        # means here: the association's own euros cannot replace the missing cash yet.
        if refusal.account == ASSOCIATION_OPERATING:
            raise ShortfallUnfunded() from refusal
        raise
    return receipt(request, ctx, office, "closing", closing=closing)


@router.post("/guichet/banque", response_class=Response)
def bank_till(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(offices.bank_till)],
) -> Response:
    count_attempt(request, ctx)
    office, key = office_field(form), form_key(form)
    typed = form_text(form, "amount", limit=40)
    # Left empty, the whole till goes: what the books say it holds when the act runs.
    amount = parse_amount(typed) if typed else None
    deposit = offices.bank_till(ctx, office, amount, key=key)
    return receipt(request, ctx, office, "bank", deposit=deposit)
