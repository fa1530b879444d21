"""The back-office's page of the currency's rules: those in force, their history, a change.

The rules (the conversion bonus, the reconversion fees, who may reconvert, the membership
fees, the most an account may hold or convert) are dated changes: a change applies from
its effective day on and never rewrites the past, so a change dated in the future is in
the history at once and in force only from its day. The page shows the rules in force on
a day (today by default), every change newest first (those still to come marked so), and
a form to record a change, which the act refuses, changing nothing, for an unknown rule,
a malformed value or a day before the rule's latest change.

================================================  ==========================================
Page                                              Who may open it
================================================  ==========================================
``GET /gestion/regles``                           the association's operators,
                                                  administrators and auditors: the rules in
                                                  force and their history
``POST /gestion/regles``                          the association's operators and
                                                  administrators: change a rule from a day
================================================  ==========================================
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.web.back_office import back_office_of
from api.web.fields import optional_day
from api.web.rendering import PageRoute, redirect, render
from api.web.session import CheckedForm
from api.web.shop import Ok, form_text
from monnaie_locale.acting import Context
from monnaie_locale.acts import rules
from monnaie_locale.errors import InvalidRequest

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

Day = Annotated[str | None, Query(max_length=10)]
# The rules' names a change may take, offered to pick from (another may be typed).
_FAMILIES = (
    "conversion_bonus",
    "reconversion_fee.business",
    "reconversion_fee.authority",
    "reconversion_fee.member",
    "members_may_reconvert",
    "authorities_may_reconvert",
    "membership_fee.member",
    "membership_fee.business",
    "membership_fee.authority",
    "max_balance.member",
    "max_balance.business",
    "max_balance.authority",
    "max_conversion.member",
    "max_conversion.business",
    "max_conversion.authority",
)


@router.get("/gestion/regles", response_class=Response)
def rules_page(
    request: Request,
    ctx: Annotated[Context, back_office_of(rules.rule_history)],
    jour: Day = None,
    ok: Ok = None,
) -> Response:
    day = optional_day(jour or "")
    today = ctx.clock().date()
    in_force = rules.show_rules(ctx, day)
    history = list(reversed(rules.rule_history(ctx)))
    names = sorted({*_FAMILIES, *(found.rule for found in in_force)})
    return render(
        request,
        "web/bo_rules_page.html",
        {
            "in_force": in_force,
            "history": history,
            "names": names,
            "chosen_day": jour if day is not None else "",
            "today": today,
            "shown_day": day or today,
            "ok": ok == "changed",
            "writes": ctx.actor.role in rules.change_rule.roles,
        },
        user=ctx.actor,
    )


@router.post("/gestion/regles", response_class=Response)
def change(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(rules.change_rule)],
) -> Response:
    rule = form_text(form, "rule", limit=80)
    value = form_text(form, "value", limit=40)
    effective_from = optional_day(form_text(form, "effective_from", limit=10))
    if not rule or not value:
        raise InvalidRequest("give the rule to change and its new value")
    if effective_from is None:
        raise InvalidRequest("give the day the new value applies from")
    new_category = form_text(form, "new_category", limit=3) == "yes"
    rules.change_rule(ctx, rule, value, effective_from=effective_from, new_category=new_category)
    return redirect(request, "/gestion/regles?ok=changed")
