"""The wallet's "Is my balance counted?": the latest checkpoint, and the holder's proof of
liabilities checked in their own browser.

The page shows what the latest checkpoint attests (its size, time, circulation, reserve,
coverage and cosignatures). Its script (``counted.js``) fetches the signed checkpoint and
the holder's proof from the two files below, recomputes every leaf's path up to the root
with the browser's own SHA-256 and compares the root and its sum with the checkpoint's
``liabilities`` line, then checks the checkpoint's Ed25519 signature where the browser
can. Both files are given for download, to check again with the offline verifier; both
name the checkpoint the page showed, so a checkpoint made meanwhile changes nothing.

================================================  ========================================
Page                                              Who may open it
================================================  ========================================
``GET /portefeuille/verification``                a member or an authority's agent
                                                  holding one account
``GET /portefeuille/verification/preuve.json``    the same: that account's proof
``GET /portefeuille/verification/checkpoint.note``  the same: the signed checkpoint, with
                                                  the witnesses' cosignatures
================================================  ========================================
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from api.typography import NBSP, money
from api.web.rendering import PageRoute, language_of, render
from api.web.session import PageContext
from monnaie_locale.acts import liabilities
from monnaie_locale.acts.liabilities import NoLiabilitiesYet
from monnaie_locale.i18n import Language

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

CheckpointId = Annotated[int | None, Query(alias="point", ge=1, le=2**62)]
EURO = "€"


def _percent(value: Decimal | None, language: Language) -> str | None:
    if value is None:
        return None
    text = f"{value}".replace(".", "," if language == "fr" else ".")
    return f"{text}{NBSP}%" if language == "fr" else f"{text}%"


@router.get("/portefeuille/verification", response_class=Response)
def counted_page(request: Request, ctx: PageContext) -> Response:
    found = liabilities.counted(ctx, with_proof=False)
    language = language_of(request)
    stored = found.checkpoint
    facts = None
    if stored is not None:
        cp = stored.checkpoint
        facts = {
            "id": stored.id,
            "size": cp.size,
            "time": cp.time,
            "circulation": cp.circulation,
            "digital": cp.digital,
            "paper": cp.paper,
            "reserve": money(cp.reserve_total, language, EURO),
            "coverage": _percent(found.coverage_percent, language),
            "liabilities": cp.liabilities_root is not None,
        }
    return render(
        request,
        "web/wallet_counted.html",
        {"found": found, "facts": facts},
        user=ctx.actor,
    )


@router.get("/portefeuille/verification/preuve.json", response_class=Response)
def proof_file(ctx: PageContext, checkpoint: CheckpointId = None) -> Response:
    found = liabilities.counted(ctx, checkpoint=checkpoint)
    if found.proof is None:
        raise found.missing or NoLiabilitiesYet()
    name = f"preuve-{found.proof['checkpoint_id']}.json"
    return JSONResponse(
        found.proof, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/portefeuille/verification/checkpoint.note", response_class=Response)
def note_file(ctx: PageContext, checkpoint: CheckpointId = None) -> Response:
    found = liabilities.counted(ctx, checkpoint=checkpoint, with_proof=False)
    if found.checkpoint is None:
        raise NoLiabilitiesYet()
    name = f"checkpoint-{found.checkpoint.id}.note"
    return Response(
        found.note,
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
