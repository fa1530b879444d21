"""A signed-in user changes their own password.

Every token of the user is revoked, the one this request carries included, and the
answer is a fresh token: other sessions (perhaps someone else's, with the old password)
end at once, and this one carries on with the new token.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request

from api.deps import ClockDep, LimiterDep, SettingsDep, acting
from api.problems import problem_responses
from api.routers.auth import login_policy
from api.schemas.auth import TokenOut
from api.schemas.users import PasswordChangeIn
from monnaie_locale.acting import Context
from monnaie_locale.acts import sessions

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
    ctx: Annotated[Context, acting(sessions.change_password)],
    settings: SettingsDep,
    clock: ClockDep,
    limiter: LimiterDep,
) -> TokenOut:
    # The sign-in limiter: each attempt here costs a password check, like a sign-in.
    limiter.hit(request.client.host if request.client else "unknown", now=clock())
    issued = sessions.change_password(
        ctx, current=body.current_password, new=body.new_password, policy=login_policy(settings)
    )
    return TokenOut(token=issued.token, expires_at=issued.expires_at)
