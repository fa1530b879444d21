"""The régie's versement: what is due and why, preparing it, and its état de versement.

A régie pays in what it collected at least once a period and whenever its encaisse
reaches the cap its act fixes (décret n° 2019-798). The page says which of the two makes
a versement due now, and how much; the régisseur prepares it (the mandataires see the
page without its button, and the form is refused them by its act), and the état de
versement that goes with it downloads as CSV or PDF, for this versement and every
earlier one.

==================================================  =====================================
Page                                                Who may open it
==================================================  =====================================
``GET /regie/{code}/versement``                     the régie's people: what is due,
                                                    the versements made
``POST /regie/{code}/versement``                    the régisseur: the versement prepared
``GET /regie/{code}/versements/{id}/etat.csv``      the régie's people: the état, CSV
``GET /regie/{code}/versements/{id}/etat.pdf``      the same, PDF
==================================================  =====================================
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.web.regie_space import RegieCode, regie_page, regie_people_of
from api.web.rendering import PageRoute, redirect
from api.web.session import CheckedForm
from api.web.shop import count_attempt, form_key, new_key
from monnaie_locale.acting import Context
from monnaie_locale.acts import authorities, versements

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

VersementId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Done = Annotated[int | None, Query(ge=1, le=2**63 - 1)]


@router.get("/regie/{code}/versement", response_class=Response)
def versement_page(
    request: Request,
    code: RegieCode,
    ctx: Annotated[Context, regie_people_of(versements.versement_due)],
    fait: Done = None,
) -> Response:
    regie = authorities.get_regie(ctx, code)
    return regie_page(
        request,
        ctx,
        "web/regie_versement.html",
        regie,
        {
            "due": versements.versement_due(ctx, regie.code),
            "made": versements.list_versements(ctx, regie.code),
            "done": fait,
            "key": new_key(),
        },
    )


@router.post("/regie/{code}/versement", response_class=Response)
def prepare_versement(
    request: Request,
    code: RegieCode,
    form: CheckedForm,
    ctx: Annotated[Context, regie_people_of(versements.prepare_versement)],
) -> Response:
    count_attempt(request, ctx)
    made = versements.prepare_versement(ctx, code, key=form_key(form))
    return redirect(request, f"/regie/{code}/versement?fait={made.id}")


def _etat(ctx: Context, code: str, versement_id: int, suffix: str) -> Response:
    etat = versements.etat_de_versement(ctx, code, versement_id)
    if suffix == "csv":
        body = versements.etat_csv(etat)
        media = "text/csv; charset=utf-8"
    else:
        body = versements.etat_pdf(etat)
        media = "application/pdf"
    name = f"etat-de-versement-{code}-{versement_id}.{suffix}"
    return Response(
        body,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/regie/{code}/versements/{versement_id}/etat.csv", response_class=Response)
def etat_csv(
    code: RegieCode,
    versement_id: VersementId,
    ctx: Annotated[Context, regie_people_of(versements.etat_de_versement)],
) -> Response:
    return _etat(ctx, code, versement_id, "csv")


@router.get("/regie/{code}/versements/{versement_id}/etat.pdf", response_class=Response)
def etat_pdf(
    code: RegieCode,
    versement_id: VersementId,
    ctx: Annotated[Context, regie_people_of(versements.etat_de_versement)],
) -> Response:
    return _etat(ctx, code, versement_id, "pdf")
