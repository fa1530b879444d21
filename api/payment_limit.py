"""A per-caller limit on payment attempts (transfers and holds).

It bounds what one stolen credential or one runaway terminal can attempt in a minute;
the limit (``MLC_PAYMENT_ATTEMPTS_PER_MINUTE``) is generous, so that a busy till never
meets it. Only requests that may move money count; reads are free.
"""

from __future__ import annotations

from fastapi import Request

from api.deps import ClockDep, CurrentUser
from api.rate_limit import AttemptLimiter

__all__ = ["limit_payments"]


async def limit_payments(request: Request, principal: CurrentUser, clock: ClockDep) -> None:
    """Count a payment attempt by the caller; 429 with Retry-After over the limit."""
    if request.method != "POST":
        return
    limiter: AttemptLimiter = request.app.state.payment_limiter
    limiter.hit(principal.subject, now=clock())
