"""Closing the books, as ``mlc period``: the checklist, a closing, the closings made.

A closing is refused (409 ``checklist_failed``) unless every check of the checklist
passes, and for a day not yet over (422 ``period_not_over``) or already closed (409
``period_closed``). Once closed, any operation dated inside the period is refused with
``period_closed``; a reversal of one of its entries is dated today.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import acting
from api.problems import problem_responses
from api.schemas.common import IsoDate
from api.schemas.periods import ChecklistOut, ClosedPeriodOut, CloseIn
from monnaie_locale.acting import Context
from monnaie_locale.acts import periods

router = APIRouter(prefix="/v1/periods", tags=["periods"])


@router.get(
    "",
    summary="The closings of the books, oldest first",
    responses=problem_responses(401, 403),
)
def list_periods(ctx: Annotated[Context, acting(periods.list_periods)]) -> list[ClosedPeriodOut]:
    return [ClosedPeriodOut.of(period) for period in periods.list_periods(ctx)]


@router.get(
    "/checklist",
    summary="The closing checklist of a period: journal, coverage, bank reconciliation",
    description="200 whatever the books hold: `passed` false says what to fix first.",
    responses=problem_responses(401, 403, 422),
)
def checklist(
    ctx: Annotated[Context, acting(periods.closing_checklist)],
    through: Annotated[IsoDate, Query(description="The period's last day, YYYY-MM-DD.")],
) -> ChecklistOut:
    return ChecklistOut.of(through, periods.closing_checklist(ctx, through))


@router.post(
    "/close",
    status_code=201,
    summary="Close the books through a past day, once the checklist passes",
    description="Nothing can be dated inside a closed period afterwards. No forcing: a "
    "failed check refuses the closing (409 checklist_failed).",
    responses=problem_responses(400, 401, 403, 409, 422),
)
def close(body: CloseIn, ctx: Annotated[Context, acting(periods.close_period)]) -> ClosedPeriodOut:
    return ClosedPeriodOut.of(
        periods.close_period(ctx, body.through, year_end=body.year_end, note=body.note)
    )
