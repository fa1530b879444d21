"""The back-office's reconversions: requests approved into payout batches, paid by the bank.

A holder's request holds its units. An operator approves requests together into a payout
batch, which the act refuses if the digital reserve could not pay them all; the batch's
pain.001 file is downloaded for the bank (which marks the batch exported), and once the
bank has paid, the batch is marked paid with the bank's reference: the held units are
destroyed and the euros leave the reserve. A request not yet in a batch may be refused
(cancelled), its units released.

The download is a GET, so that a browser saves the file from a plain link; it marks the
batch exported, so it is refused when the browser says another site asked for it, and
downloading again gives the same file for the same execution date.

===================================================  =======================================
Page                                                 Who may open it
===================================================  =======================================
``GET /gestion/reconversions``                       the association's operators,
                                                     administrators and auditors: requests
                                                     to approve, batches and their state
``POST /gestion/reconversions/lots``                 the association's operators and
                                                     administrators: approve the selected
                                                     requests into a batch
``POST /gestion/reconversions/{id}/annuler``         the same: cancel a request not yet in
                                                     a batch
``GET /gestion/reconversions/lots/{id}``             operators, administrators, auditors:
                                                     one batch and its lines
``GET /gestion/reconversions/lots/{id}/pain001.xml`` operators and administrators: the
                                                     batch's pain.001 file for the bank
``POST /gestion/reconversions/lots/{id}/payer``      the same: the bank paid the batch
===================================================  =======================================
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.datastructures import FormData

from api.web.back_office import back_office_of
from api.web.fields import euros_of, optional_day
from api.web.rendering import PageRoute, redirect, render
from api.web.session import CheckedForm, CsrfRefused
from api.web.shop import Ok, count_attempt, form_key, form_text, new_key
from monnaie_locale.acting import Context
from monnaie_locale.acts import reconversions
from monnaie_locale.errors import InvalidRequest

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

RecordId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Day = Annotated[str | None, Query(max_length=10)]
_OK_LIST = ("cancelled",)
_OK_BATCH = ("validated", "paid")
# More requests than a batch may hold in one form: refused before any is read.
_MOST_IN_A_BATCH = 500


def _request_ids(form: FormData) -> list[int]:
    """The requests ticked in the form: row ids, each written as digits."""
    values = form.getlist("request")
    if len(values) > _MOST_IN_A_BATCH:
        raise InvalidRequest(f"a batch holds at most {_MOST_IN_A_BATCH} requests")
    ids = []
    for value in values:
        text = value.strip() if isinstance(value, str) else ""
        if not text.isascii() or not text.isdigit() or len(text) > 18 or int(text) < 1:
            raise InvalidRequest(f"{text[:20]!r} is not a reconversion request's number")
        ids.append(int(text))
    if not ids:
        raise InvalidRequest("tick at least one request to put in the batch")
    return ids


@router.get("/gestion/reconversions", response_class=Response)
def reconversions_page(
    request: Request,
    ctx: Annotated[Context, back_office_of(reconversions.list_reconversions)],
    ok: Ok = None,
) -> Response:
    every = reconversions.list_reconversions(ctx)
    batch_ids = sorted({item.batch_id for item in every if item.batch_id is not None})
    batches = [reconversions.get_batch(ctx, batch_id) for batch_id in reversed(batch_ids)]
    return render(
        request,
        "web/bo_reconversions_list.html",
        {
            "waiting": [item for item in every if item.status == "requested"],
            "batches": batches,
            "key": new_key(),
            "euros": euros_of(request),
            "ok": ok if ok in _OK_LIST else None,
            "writes": ctx.actor.role in reconversions.validate_batch.roles,
        },
        user=ctx.actor,
    )


@router.post("/gestion/reconversions/lots", response_class=Response)
def approve(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(reconversions.validate_batch)],
) -> Response:
    count_attempt(request, ctx)
    ids = _request_ids(form)
    batch = reconversions.validate_batch(ctx, ids, key=form_key(form))
    return redirect(request, f"/gestion/reconversions/lots/{batch.id}?ok=validated")


@router.post("/gestion/reconversions/{request_id:int}/annuler", response_class=Response)
def cancel(
    request: Request,
    request_id: RecordId,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(reconversions.cancel_reconversion)],
) -> Response:
    reconversions.cancel_reconversion(ctx, request_id)
    return redirect(request, "/gestion/reconversions?ok=cancelled")


@router.get("/gestion/reconversions/lots/{batch_id:int}", response_class=Response)
def batch_page(
    request: Request,
    batch_id: RecordId,
    ctx: Annotated[Context, back_office_of(reconversions.get_batch)],
    ok: Ok = None,
) -> Response:
    batch = reconversions.get_batch(ctx, batch_id)
    lines = [item for item in reconversions.list_reconversions(ctx) if item.batch_id == batch.id]
    return render(
        request,
        "web/bo_reconversions_batch.html",
        {
            "batch": batch,
            "lines": lines,
            "key": new_key(),
            "euros": euros_of(request),
            "ok": ok if ok in _OK_BATCH else None,
            "writes": ctx.actor.role in reconversions.mark_batch_paid.roles,
        },
        user=ctx.actor,
    )


@router.get("/gestion/reconversions/lots/{batch_id:int}/pain001.xml", response_class=Response)
def pain001(
    request: Request,
    batch_id: RecordId,
    ctx: Annotated[Context, back_office_of(reconversions.export_batch)],
    execution: Day = None,
) -> Response:
    # Exporting marks the batch: another site's link must not do it in the user's name.
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise CsrfRefused()
    day = optional_day(execution or "")
    content = reconversions.export_batch(ctx, batch_id, execution_date=day)
    return Response(
        content,
        media_type="application/xml",
        headers={
            "Content-Disposition": f'attachment; filename="payout-{batch_id}.xml"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/gestion/reconversions/lots/{batch_id:int}/payer", response_class=Response)
def mark_paid(
    request: Request,
    batch_id: RecordId,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(reconversions.mark_batch_paid)],
) -> Response:
    count_attempt(request, ctx)
    bank_reference = form_text(form, "bank_reference", limit=140)
    if not bank_reference:
        raise InvalidRequest("give the bank's reference of the payment")
    key = form_key(form)
    reconversions.mark_batch_paid(ctx, batch_id, bank_reference=bank_reference, key=key)
    return redirect(request, f"/gestion/reconversions/lots/{batch_id}?ok=paid")
