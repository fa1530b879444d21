"""A per-caller limit on payment attempts: every request that may move money.

It bounds what one stolen credential or one runaway terminal can attempt in a minute;
the limit (``MLC_PAYMENT_ATTEMPTS_PER_MINUTE``) is generous, so that a busy till never
meets it. Only requests that may move money (POST) count; reads are free. The routes it
guards are mounted with :func:`include_limited`, which also lists 429 among their answers.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.routing import APIRoute

from api.deps import ClockDep, CurrentUser
from api.problems import problem_responses
from api.rate_limit import AttemptLimiter

__all__ = ["include_limited", "limit_payments"]


async def limit_payments(request: Request, principal: CurrentUser, clock: ClockDep) -> None:
    """Count a payment attempt by the caller; 429 with Retry-After over the limit."""
    if request.method != "POST":
        return
    limiter: AttemptLimiter = request.app.state.payment_limiter
    limiter.hit(principal.subject, now=clock())


def include_limited(app: FastAPI, router: APIRouter) -> None:
    """Mount ``router`` with the limit on its POST routes, and say so in the document."""
    too_many = problem_responses(429)
    for route in router.routes:
        if isinstance(route, APIRoute) and "POST" in (route.methods or ()):
            route.responses.update(too_many)
    app.include_router(router, dependencies=[Depends(limit_payments)])
