"""Users, for the administrator: create, list, give accounts, sign out, disable, unlock.

What ``mlc users`` does, over HTTP. None of these moves money, so none takes an
``Idempotency-Key``: creating a user twice is refused (``duplicate_user``), and the other
changes come out the same when repeated.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.cursors import Cursor, decode_cursor, encode_cursor
from api.deps import acting
from api.problems import problem_responses
from api.schemas.users import (
    USERNAME_PATTERN,
    LinkAccountIn,
    PasswordResetIn,
    TokensRevokedOut,
    UserIn,
    UserOut,
    UserPage,
)
from monnaie_locale.acting import Context
from monnaie_locale.acts import users
from monnaie_locale.ledger.history import MAX_PAGE

router = APIRouter(prefix="/v1/users", tags=["users"])

Username = Annotated[str, Path(pattern=USERNAME_PATTERN, examples=["paul"])]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Users per page.")]
CURSOR_TAG = "u"
CHANGING = problem_responses(401, 403, 404, 422)


@router.post(
    "",
    status_code=201,
    summary="Create a user with a role and a first password, holding the accounts named",
    description="All or nothing: an unknown account creates no user. The password is 10 "
    "characters or more; tell the user to change it (POST /v1/auth/password).",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
def create(body: UserIn, ctx: Annotated[Context, acting(users.create_user)]) -> UserOut:
    user = users.create_user(
        ctx, body.username, password=body.password, role=body.role, accounts=body.accounts
    )
    return UserOut.of(user)


@router.get(
    "",
    summary="The users, in pages, with their role, state and accounts",
    responses=problem_responses(401, 403, 422),
)
def list_all(
    ctx: Annotated[Context, acting(users.list_users)], cursor: Cursor = None, limit: Limit = 100
) -> UserPage:
    after_id = decode_cursor(CURSOR_TAG, cursor)
    found = users.list_users(ctx, after_id=after_id, limit=limit + 1)
    page = found[:limit]
    more = len(found) > limit
    return UserPage(
        items=[UserOut.of(user) for user in page],
        next_cursor=encode_cursor(CURSOR_TAG, page[-1].id) if more else None,
    )


@router.get("/{username}", summary="One user", responses=problem_responses(401, 403, 404, 422))
def get_one(username: Username, ctx: Annotated[Context, acting(users.get_user)]) -> UserOut:
    return UserOut.of(users.get_user(ctx, username))


@router.post(
    "/{username}/accounts",
    summary="Let the user hold an account (see it, and move it as the role allows)",
    description="Linking an account the user holds already changes nothing.",
    responses=problem_responses(400, 401, 403, 404, 413, 422),
)
def link(
    username: Username, body: LinkAccountIn, ctx: Annotated[Context, acting(users.link_account)]
) -> UserOut:
    return UserOut.of(users.link_account(ctx, username, body.account))


@router.post(
    "/{username}/revoke-tokens",
    summary="Sign the user out everywhere: every live token is revoked",
    description="API keys the user created are not tokens; revoke them one by one.",
    responses=CHANGING,
)
def revoke_tokens(
    username: Username, ctx: Annotated[Context, acting(users.revoke_tokens)]
) -> TokensRevokedOut:
    return TokensRevokedOut(username=username, revoked=users.revoke_tokens(ctx, username))


@router.post(
    "/{username}/password",
    summary="Set the user's password; they are signed out everywhere and any lock is lifted",
    description="An administrator changes their own password with POST /v1/auth/password, "
    "giving the current one.",
    responses=problem_responses(400, 401, 403, 404, 413, 422),
)
def set_user_password(
    username: Username,
    body: PasswordResetIn,
    ctx: Annotated[Context, acting(users.reset_password)],
) -> UserOut:
    return UserOut.of(users.reset_password(ctx, username, body.password))


@router.post(
    "/{username}/disable",
    summary="Stop the user from signing in, and end their sessions",
    description="An administrator cannot disable themselves (another one can).",
    responses=CHANGING,
)
def disable(username: Username, ctx: Annotated[Context, acting(users.disable)]) -> UserOut:
    return UserOut.of(users.disable(ctx, username))


@router.post(
    "/{username}/enable",
    summary="Let a disabled user sign in again (their old sessions stay ended)",
    responses=CHANGING,
)
def enable(username: Username, ctx: Annotated[Context, acting(users.enable)]) -> UserOut:
    return UserOut.of(users.enable(ctx, username))


@router.post(
    "/{username}/unlock",
    summary="Lift the lock left by repeated failed sign-ins",
    responses=CHANGING,
)
def unlock(username: Username, ctx: Annotated[Context, acting(users.unlock)]) -> UserOut:
    return UserOut.of(users.unlock(ctx, username))
