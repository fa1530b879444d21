"""Users, for the administrator: create, list, give accounts, sign out, disable, unlock.

What ``mlc users`` does, over HTTP. None of these moves money, so none takes an
``Idempotency-Key``: creating a user twice is refused (``duplicate_user``), and the other
changes come out the same when repeated.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import Connection

from api.cursors import Cursor, decode_cursor, encode_cursor
from api.deps import ClockDep, DatabaseDep, require
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
from monnaie_locale.auth import (
    Principal,
    Role,
    create_user,
    disable_user,
    enable_user,
    find_user,
    link_account,
    list_users,
    reset_password,
    revoke_user_tokens,
    unlock_user,
    user_summary,
)
from monnaie_locale.auth.errors import UnknownUser
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.history import MAX_PAGE

router = APIRouter(prefix="/v1/users", tags=["users"])

# Who may sign in, with which role and which accounts, is the administrator's decision.
USER_MANAGERS = (Role.ADMIN,)
Admin = Annotated[Principal, require(*USER_MANAGERS)]
Username = Annotated[str, Path(pattern=USERNAME_PATTERN, examples=["paul"])]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Users per page.")]
CURSOR_TAG = "u"
CHANGING = problem_responses(401, 403, 404, 422)


def _user_id(conn: Connection, username: str) -> int:
    user = find_user(conn, username)
    if user is None:
        raise UnknownUser(username)
    return user.id


@router.post(
    "",
    status_code=201,
    summary="Create a user with a role and a first password, holding the accounts named",
    description="All or nothing: an unknown account creates no user. The password is 10 "
    "characters or more; tell the user to change it (POST /v1/auth/password).",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
def create(body: UserIn, _admin: Admin, database: DatabaseDep, clock: ClockDep) -> UserOut:
    def create_and_link(conn: Connection) -> UserOut:
        user = create_user(conn, body.username, password=body.password, role=body.role, now=clock())
        for account in body.accounts:
            link_account(conn, user.id, account_code=account)
        return UserOut.of(user_summary(conn, user.id))

    return database.write(create_and_link)


@router.get(
    "",
    summary="The users, in pages, with their role, state and accounts",
    responses=problem_responses(401, 403, 422),
)
def list_all(
    _admin: Admin, database: DatabaseDep, cursor: Cursor = None, limit: Limit = 100
) -> UserPage:
    after_id = decode_cursor(CURSOR_TAG, cursor)
    found = database.read(lambda conn: list_users(conn, after_id=after_id, limit=limit + 1))
    page = found[:limit]
    more = len(found) > limit
    return UserPage(
        items=[UserOut.of(user) for user in page],
        next_cursor=encode_cursor(CURSOR_TAG, page[-1].id) if more else None,
    )


@router.get("/{username}", summary="One user", responses=problem_responses(401, 403, 404, 422))
def get_one(username: Username, _admin: Admin, database: DatabaseDep) -> UserOut:
    return UserOut.of(database.read(lambda conn: user_summary(conn, _user_id(conn, username))))


@router.post(
    "/{username}/accounts",
    summary="Let the user hold an account (see it, and move it as the role allows)",
    description="Linking an account the user holds already changes nothing.",
    responses=problem_responses(400, 401, 403, 404, 413, 422),
)
def link(username: Username, body: LinkAccountIn, _admin: Admin, database: DatabaseDep) -> UserOut:
    def link_one(conn: Connection) -> UserOut:
        user_id = _user_id(conn, username)
        link_account(conn, user_id, account_code=body.account)
        return UserOut.of(user_summary(conn, user_id))

    return database.write(link_one)


@router.post(
    "/{username}/revoke-tokens",
    summary="Sign the user out everywhere: every live token is revoked",
    description="API keys the user created are not tokens; revoke them one by one.",
    responses=CHANGING,
)
def revoke_tokens(
    username: Username, _admin: Admin, database: DatabaseDep, clock: ClockDep
) -> TokensRevokedOut:
    revoked = database.write(
        lambda conn: revoke_user_tokens(conn, _user_id(conn, username), now=clock())
    )
    return TokensRevokedOut(username=username, revoked=revoked)


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
    admin: Admin,
    database: DatabaseDep,
    clock: ClockDep,
) -> UserOut:
    user_id = database.read(lambda conn: _user_id(conn, username))
    # Else a stolen administrator's token would be enough to take the account for good:
    # a new password, and the owner's sessions ended.
    if user_id == admin.user_id:
        raise InvalidRequest(
            "change your own password with POST /v1/auth/password, giving the current one"
        )
    reset_password(database, user_id, new=body.password, clock=clock)
    return UserOut.of(database.read(lambda conn: user_summary(conn, user_id)))


@router.post(
    "/{username}/disable",
    summary="Stop the user from signing in, and end their sessions",
    description="An administrator cannot disable themselves (another one can).",
    responses=CHANGING,
)
def disable(username: Username, admin: Admin, database: DatabaseDep, clock: ClockDep) -> UserOut:
    def disable_one(conn: Connection) -> UserOut:
        user_id = _user_id(conn, username)
        # Without this, the last administrator could lock everyone out of the API.
        if user_id == admin.user_id:
            raise InvalidRequest("you cannot disable yourself; ask another administrator")
        disable_user(conn, user_id, now=clock())
        return UserOut.of(user_summary(conn, user_id))

    return database.write(disable_one)


@router.post(
    "/{username}/enable",
    summary="Let a disabled user sign in again (their old sessions stay ended)",
    responses=CHANGING,
)
def enable(username: Username, _admin: Admin, database: DatabaseDep) -> UserOut:
    def enable_one(conn: Connection) -> UserOut:
        user_id = _user_id(conn, username)
        enable_user(conn, user_id)
        return UserOut.of(user_summary(conn, user_id))

    return database.write(enable_one)


@router.post(
    "/{username}/unlock",
    summary="Lift the lock left by repeated failed sign-ins",
    responses=CHANGING,
)
def unlock(username: Username, _admin: Admin, database: DatabaseDep) -> UserOut:
    def unlock_one(conn: Connection) -> UserOut:
        user_id = _user_id(conn, username)
        unlock_user(conn, user_id)
        return UserOut.of(user_summary(conn, user_id))

    return database.write(unlock_one)
