"""A holder's proof of liabilities: their balance counted in a checkpoint's sum tree.

``GET /v1/transparency/liabilities/proof?account=CODE`` gives the proof for the latest
checkpoint (``&checkpoint=ID`` for another), in the format the offline verifier reads
(``python -m monnaie_locale.verify liability``). Who may ask for which account is the
act's to say (:func:`monnaie_locale.acts.liabilities.liability_proof`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import acting
from api.problems import problem_responses
from api.schemas.common import AccountCode
from api.schemas.liabilities import LiabilityProofOut
from monnaie_locale.acting import Context
from monnaie_locale.acts import liabilities

router = APIRouter(prefix="/v1/transparency/liabilities", tags=["transparency"])

Readers = Annotated[Context, acting(liabilities.liability_proof)]
CheckpointId = Annotated[
    int | None,
    Query(
        alias="checkpoint", ge=1, le=2**62, description="A checkpoint's id; the latest by default."
    ),
]


@router.get(
    "/proof",
    summary="The proof that an account's balance is counted in a checkpoint",
    description=(
        "The account's leaves in the checkpoint's Merkle sum tree (a balance is split over "
        "one to four), each with its salt and its path of sibling hashes and sums. Check it "
        "against the checkpoint's signed `liabilities` line. 404 `not_in_checkpoint` for an "
        "account opened after the checkpoint, `no_liabilities_yet` before the first."
    ),
    responses=problem_responses(401, 403, 404, 422),
)
def get_proof(
    ctx: Readers,
    account: Annotated[AccountCode, Query(description="The account's code.")],
    checkpoint: CheckpointId = None,
) -> LiabilityProofOut:
    return LiabilityProofOut.model_validate(
        liabilities.liability_proof(ctx, account, checkpoint=checkpoint)
    )
