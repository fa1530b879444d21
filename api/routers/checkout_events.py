"""The live feed of a merchant's payments and refunds, as Server-Sent Events.

``GET /v1/checkout/events?account=...`` streams every event of the account after the one
the client last received (the ``Last-Event-ID`` header a reconnecting ``EventSource``
sends, or ``last_event_id`` in the query for a page that opens a new stream), then waits
for new ones. Each event's id is the journal sequence of its transaction, and its data the
signed receipt: events come in journal order, once sealed (see
:mod:`monnaie_locale.checkout.events`).

A script calls it with its bearer credential. A browser page cannot set headers on an
``EventSource``, so it first trades its token for a one-minute ticket (``POST
/v1/checkout/events/tickets``, see :mod:`api.stream_tickets`) and passes the ticket in the
query string; the stream itself stays open for as long as the page does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.checkout_runtime import CheckoutDep
from api.deps import ClockDep, SettingsDep, acting, current_principal
from api.problems import problem_responses
from api.schemas.checkout import AccountQuery, TicketIn, TicketOut
from api.stream_tickets import issue_ticket, read_ticket
from monnaie_locale.acting import Context
from monnaie_locale.acts import checkout
from monnaie_locale.auth import Principal
from monnaie_locale.auth.errors import RoleForbidden

__all__ = ["router"]

router = APIRouter(prefix="/v1/checkout/events", tags=["checkout"])

_bearer = HTTPBearer(
    auto_error=False,
    description="A sign-in token from POST /v1/auth/login, or a terminal's API key.",
)


async def stream_reader(
    request: Request,
    clock: ClockDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ticket: Annotated[
        str | None,
        Query(max_length=1000, description="A ticket from POST /v1/checkout/events/tickets."),
    ] = None,
) -> Context:
    """The stream's caller, from a ticket or a bearer credential, as :func:`~api.deps.acting`
    gives it: only the roles of the act admitted, before anything else is read."""
    if ticket is not None:
        claims = read_ticket(ticket, secret=settings.secret_key.get_secret_value(), now=clock())
        principal = Principal(
            role=claims.role, accounts=frozenset({claims.account}), name=claims.subject
        )
    else:
        principal = await current_principal(request, credentials)
    if principal.role not in checkout.follow_feed.roles:
        raise RoleForbidden(str(principal.role))
    state = request.app.state
    return Context(
        database=state.database, actor=principal, deployment=state.deployment, clock=clock
    )


@router.post(
    "/tickets",
    status_code=201,
    summary="A one-minute ticket that lets a browser page open the event stream",
    responses=problem_responses(400, 401, 403, 404, 413, 422),
)
def create_ticket(
    body: TicketIn,
    ctx: Annotated[Context, acting(checkout.feed_head)],
    settings: SettingsDep,
) -> TicketOut:
    latest = checkout.feed_head(ctx, body.account)
    ticket, expires = issue_ticket(
        ctx.actor,
        account=body.account,
        secret=settings.secret_key.get_secret_value(),
        now=ctx.clock(),
    )
    return TicketOut(ticket=ticket, expires_at=expires, last_event_id=latest)


@router.get(
    "",
    summary="The merchant's payments and refunds as Server-Sent Events, live",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "The event stream"},
        **problem_responses(401, 403, 404, 422),
    },
)
def stream_events(
    account: AccountQuery,
    ctx: Annotated[Context, Depends(stream_reader)],
    runtime: CheckoutDep,
    last_event_id_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    last_event_id: Annotated[int | None, Query(ge=0, le=2**62)] = None,
) -> StreamingResponse:
    events = checkout.follow_feed(
        ctx,
        account,
        services=runtime,
        last_event_id=last_event_id_header,
        after=last_event_id,
    )
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
