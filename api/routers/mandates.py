"""An authority's mandates: the ordonnateur proposes a payment, the comptable pays it or
rejects it; never one person both (see :mod:`monnaie_locale.acts.mandates`)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from api.deps import IdempotencyKey, acting
from api.problems import problem_responses
from api.schemas.common import RowIdInPath
from api.schemas.mandates import MandateIn, MandateOut, RejectionIn
from monnaie_locale.acting import Context
from monnaie_locale.acts import mandates

router = APIRouter(prefix="/v1/authorities/{code}/mandates", tags=["mandates"])

AuthorityCode = Annotated[
    str, Path(min_length=1, max_length=60, description="The authority's code.")
]
DECIDING = problem_responses(400, 401, 403, 404, 409, 422)


@router.get(
    "",
    summary="The authority's mandates, oldest first",
    responses=problem_responses(401, 403, 404, 422),
)
def list_mandates(
    code: AuthorityCode,
    ctx: Annotated[Context, acting(mandates.list_mandates)],
    status: Annotated[Literal["proposed", "paid", "rejected"] | None, Query()] = None,
    exercice: Annotated[int | None, Query(ge=2000, le=9999)] = None,
) -> list[MandateOut]:
    found = mandates.list_mandates(ctx, code, status=status, exercice=exercice)
    return [MandateOut.of(item) for item in found]


@router.post(
    "",
    status_code=201,
    summary="Propose a payment by the authority (its ordonnateur); nothing moves yet",
    description="Only where the convention in force lets the authority spend. A retry with "
    "the same Idempotency-Key gets the same mandate.",
    responses=DECIDING,
)
def propose_mandate(
    code: AuthorityCode,
    body: MandateIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(mandates.propose_mandate)],
) -> MandateOut:
    proposed = mandates.propose_mandate(
        ctx,
        code,
        payee=body.payee,
        amount=body.amount,
        exercice=body.exercice,
        bordereau=body.bordereau,
        number=body.number,
        chapitre=body.chapitre,
        article=body.article,
        fonction=body.fonction,
        object=body.object,
        key=idempotency_key,
    )
    return MandateOut.of(proposed)


@router.get(
    # Digits only: a mandate is named by its id.
    "/{mandate_id:int}",
    summary="One of the authority's mandates",
    responses=problem_responses(401, 403, 404, 422),
)
def get_mandate(
    code: AuthorityCode,
    mandate_id: RowIdInPath,
    ctx: Annotated[Context, acting(mandates.get_mandate)],
) -> MandateOut:
    return MandateOut.of(mandates.get_mandate(ctx, code, mandate_id))


@router.post(
    "/{mandate_id:int}/approval",
    summary="Pay a proposed mandate from the authority's account (its comptable)",
    description="Refused to the person who proposed it (403 same_proposer). A retry with "
    "the same Idempotency-Key gets the paid mandate and pays nothing again.",
    responses=DECIDING,
)
def approve_mandate(
    code: AuthorityCode,
    mandate_id: RowIdInPath,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(mandates.approve_mandate)],
) -> MandateOut:
    return MandateOut.of(mandates.approve_mandate(ctx, code, mandate_id, key=idempotency_key))


@router.post(
    "/{mandate_id:int}/rejection",
    summary="Reject a proposed mandate, saying why (its comptable); nothing moves",
    responses=DECIDING,
)
def reject_mandate(
    code: AuthorityCode,
    mandate_id: RowIdInPath,
    body: RejectionIn,
    ctx: Annotated[Context, acting(mandates.reject_mandate)],
) -> MandateOut:
    return MandateOut.of(mandates.reject_mandate(ctx, code, mandate_id, reason=body.reason))
