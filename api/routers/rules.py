"""The currency's rules: those in force on a day, their history, and changing one.

Each route calls its act (:mod:`monnaie_locale.acts.rules`), which says who may read and
who may change the rules.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import acting
from api.problems import problem_responses
from api.schemas.common import IsoDate
from api.schemas.rules import RuleChangeIn, RuleChangeOut, RuleInForceOut
from monnaie_locale.acting import Context
from monnaie_locale.acts import rules

router = APIRouter(prefix="/v1/rules", tags=["rules"])


@router.get(
    "",
    summary="The rules in force on a day, each with the change that set it",
    responses=problem_responses(401, 403, 422),
)
def show_rules(
    ctx: Annotated[Context, acting(rules.show_rules)],
    on: Annotated[IsoDate | None, Query(description="The day; today by default.")] = None,
) -> list[RuleInForceOut]:
    return [RuleInForceOut.of(item) for item in rules.show_rules(ctx, on)]


@router.get(
    "/history",
    summary="Every change of the rules, in the order they were made",
    responses=problem_responses(401, 403),
)
def rule_history(ctx: Annotated[Context, acting(rules.rule_history)]) -> list[RuleChangeOut]:
    return [RuleChangeOut.of(item) for item in rules.rule_history(ctx)]


@router.post(
    "",
    status_code=201,
    summary="Change a rule from a day on (a new change; nothing is rewritten)",
    description="Refused, changing nothing, for an unknown rule, kind or category, a "
    "malformed value, or a day before the rule's latest change.",
    responses=problem_responses(400, 401, 403, 409, 413, 422),
)
def change_rule(
    body: RuleChangeIn, ctx: Annotated[Context, acting(rules.change_rule)]
) -> RuleChangeOut:
    change = rules.change_rule(
        ctx,
        body.rule,
        body.value,
        effective_from=body.effective_from,
        new_category=body.new_category,
    )
    return RuleChangeOut.of(change)
