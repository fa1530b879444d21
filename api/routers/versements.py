"""A régie's versements: whether one is due, paying in, and the état de versement.

Authority people call these with the role ``authority_agent``; their duty at the régie is
the act's to check (403 ``not_your_regie``). A versement's euros reach the Trésor as a
reconversion, which the association batches and pays (``/v1/payout-batches``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from api.deps import IdempotencyKey, acting
from api.problems import problem_responses
from api.schemas.common import RowIdInPath
from api.schemas.versements import VersementDueOut, VersementOut
from monnaie_locale.acting import Context
from monnaie_locale.acts import versements

__all__ = ["router"]

router = APIRouter(prefix="/v1/regies", tags=["regies"])

RegieCode = Annotated[str, Path(min_length=1, max_length=60, examples=["bayonne-piscine"])]
READING = problem_responses(401, 403, 404, 422)


@router.get(
    "/{code}/versement-due",
    summary="The régie's encaisse and cap, and whether its versement is due (cap or period)",
    responses=READING,
)
def versement_due(
    code: RegieCode, ctx: Annotated[Context, acting(versements.versement_due)]
) -> VersementDueOut:
    return VersementDueOut.of(versements.versement_due(ctx, code))


@router.get("/{code}/versements", summary="The régie's versements, oldest first", responses=READING)
def list_versements(
    code: RegieCode, ctx: Annotated[Context, acting(versements.list_versements)]
) -> list[VersementOut]:
    return [VersementOut.of(found) for found in versements.list_versements(ctx, code)]


@router.post(
    "/{code}/versements",
    status_code=201,
    summary="Pay in every quittance not yet paid in: a reconversion to the Trésor",
    description=(
        "The régisseur (or the association) pays in the encaisse under the convention in "
        "force; its fee is kept, the rest is wired to the authority's account at the Trésor "
        "once the association pays the reconversion. The same key returns the same versement."
    ),
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
def prepare_versement(
    code: RegieCode,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(versements.prepare_versement)],
) -> VersementOut:
    return VersementOut.of(versements.prepare_versement(ctx, code, key=idempotency_key))


@router.get("/{code}/versements/{versement_id}", summary="One versement", responses=READING)
def get_versement(
    code: RegieCode,
    versement_id: RowIdInPath,
    ctx: Annotated[Context, acting(versements.get_versement)],
) -> VersementOut:
    return VersementOut.of(versements.get_versement(ctx, code, versement_id))


def _file(content: bytes, media_type: str, code: str, label: str, extension: str) -> Response:
    name = f"etat-versement-{code}-{label}.{extension}"
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get(
    "/{code}/versements/{versement_id}/etat.csv",
    summary="The état de versement as CSV: its quittances, totals, fee and euros paid in",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **READING},
)
def etat_csv(
    code: RegieCode,
    versement_id: RowIdInPath,
    ctx: Annotated[Context, acting(versements.etat_de_versement)],
) -> Response:
    etat = versements.etat_de_versement(ctx, code, versement_id)
    return _file(
        versements.etat_csv(etat), "text/csv; charset=utf-8", code, etat.versement.label, "csv"
    )


@router.get(
    "/{code}/versements/{versement_id}/etat.pdf",
    summary="The état de versement as a PDF, for the public accountant",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **READING},
)
def etat_pdf(
    code: RegieCode,
    versement_id: RowIdInPath,
    ctx: Annotated[Context, acting(versements.etat_de_versement)],
) -> Response:
    etat = versements.etat_de_versement(ctx, code, versement_id)
    return _file(versements.etat_pdf(etat), "application/pdf", code, etat.versement.label, "pdf")
