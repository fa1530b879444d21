"""The merchant's space: where the shop's own server is told of its payments (webhooks).

The secret that signs the deliveries is shown once, on the page that answers the
registration, as the API shows it once in its creation response.

==================================================  ========================================
Page                                                Who may open it
==================================================  ========================================
``GET /commerce/webhooks``                          the shop's owner: its endpoints
``POST /commerce/webhooks``                         the same: register an https URL
``GET /commerce/webhooks/{id}``                     the same: one endpoint's delivery log
``POST /commerce/webhooks/{id}/desactiver``         the same: nothing more is sent to it
==================================================  ========================================
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from api.checkout_runtime import CheckoutDep
from api.web.rendering import PageRoute, redirect, render
from api.web.session import CheckedForm
from api.web.shop import Ok, form_text, shop_of, staff_of
from monnaie_locale.acting import Context
from monnaie_locale.acts import webhooks

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

EndpointId = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.get("/commerce/webhooks", response_class=Response)
def endpoints_page(
    request: Request,
    ctx: Annotated[Context, staff_of(webhooks.list_endpoints)],
    ok: Ok = None,
) -> Response:
    endpoints = webhooks.list_endpoints(ctx, shop_of(ctx))
    return render(
        request,
        "web/shop_webhooks.html",
        {"endpoints": endpoints, "ok": ok == "disabled"},
        user=ctx.actor,
    )


@router.post("/commerce/webhooks", response_class=Response)
def add_endpoint(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, staff_of(webhooks.add_endpoint)],
    runtime: CheckoutDep,
) -> Response:
    url = form_text(form, "url", limit=3000)
    added = webhooks.add_endpoint(ctx, shop_of(ctx), url, destinations=runtime.destinations)
    # Answered here rather than redirected: the secret is shown this once, never stored in
    # a page the browser could show again.
    return render(request, "web/shop_webhook_added.html", {"endpoint": added}, user=ctx.actor)


@router.get("/commerce/webhooks/{endpoint_id}", response_class=Response)
def deliveries_page(
    request: Request,
    endpoint_id: EndpointId,
    ctx: Annotated[Context, staff_of(webhooks.list_deliveries)],
) -> Response:
    deliveries = webhooks.list_deliveries(ctx, endpoint_id, account=shop_of(ctx), limit=100)
    return render(
        request,
        "web/shop_webhook.html",
        {"endpoint_id": endpoint_id, "deliveries": deliveries},
        user=ctx.actor,
    )


@router.post("/commerce/webhooks/{endpoint_id}/desactiver", response_class=Response)
def disable_endpoint(
    request: Request,
    endpoint_id: EndpointId,
    form: CheckedForm,
    ctx: Annotated[Context, staff_of(webhooks.disable_endpoint)],
) -> Response:
    webhooks.disable_endpoint(ctx, endpoint_id, account=shop_of(ctx))
    return redirect(request, "/commerce/webhooks?ok=disabled")
