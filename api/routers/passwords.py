"""A signed-in user changes their own password.

Every token of the user is revoked, the one this request carries included, and the
answer is a fresh token: other sessions (perhaps someone else's, with the old password)
end at once, and this one carries on with the new token.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Request

from api.access import EVERYONE
from api.deps import ClockDep, DatabaseDep, LimiterDep, SettingsDep, require
from api.problems import problem_responses
from api.schemas.auth import TokenOut
from api.schemas.users import PasswordChangeIn
from monnaie_locale.auth import LoginPolicy, Principal, change_own_password
from monnaie_locale.errors import InvalidRequest

router = APIRouter(prefix="/v1/auth", tags=["auth"])


@router.post(
    "/password",
    summary="Change your password; every token is revoked and a fresh one returned",
    description="Give the current password and the new one (10 characters or more). Every "
    "token of the user, this request's included, is revoked: use the token in the answer "
    "from now on. A wrong current password counts as a failed sign-in.",
    responses=problem_responses(400, 401, 403, 413, 422, 429),
)
def change_password(
    body: PasswordChangeIn,
    request: Request,
    principal: Annotated[Principal, require(*EVERYONE)],
    database: DatabaseDep,
    settings: SettingsDep,
    clock: ClockDep,
    limiter: LimiterDep,
) -> TokenOut:
    if principal.token_id is None or principal.user_id is None:
        raise InvalidRequest("an API key has no password; sign in as a user to change yours")
    # The sign-in limiter: each attempt here costs a password check, like a sign-in.
    limiter.hit(request.client.host if request.client else "unknown", now=clock())
    policy = LoginPolicy(
        token_ttl=timedelta(minutes=settings.token_ttl_minutes),
        max_failures=settings.login_max_failures,
        lockout=timedelta(minutes=settings.lockout_minutes),
    )
    issued = change_own_password(
        database,
        principal.user_id,
        current=body.current_password,
        new=body.new_password,
        clock=clock,
        policy=policy,
    )
    return TokenOut(token=issued.token, expires_at=issued.expires_at)
