"""The back-office's users and API keys: who may sign in, with which role and accounts,
and the keys merchants' terminals sign in with.

Who may sign in is the administrator's decision (:mod:`monnaie_locale.acts.users`): the
users' pages admit the administrator alone, as the acts do. API keys are the
association's (its operators and administrators) to give and take back; the auditor
reads their list. None of these forms moves money, so none carries an idempotency key
(as the API's routes take none): creating a user twice is refused (``duplicate_user``),
and the other changes come out the same when repeated.

A password the administrator leaves empty is drawn at random, and a key's secret always
is: either is shown once, on the page that answers the form (never redirected to, so no
address or history keeps it).

=====================================================  ==================================
Page                                                   Who may open it
=====================================================  ==================================
``GET /gestion/utilisateurs``                          the administrator: the users,
                                                       their role, state and accounts
``POST /gestion/utilisateurs``                         the same: create a user
``POST /gestion/utilisateurs/{username}/desactiver``   the same: stop them signing in
``POST /gestion/utilisateurs/{username}/reactiver``    the same: let them sign in again
``POST /gestion/utilisateurs/{username}/deverrouiller``  the same: lift a sign-in lock
``POST /gestion/utilisateurs/{username}/mot-de-passe``  the same: a new password
``POST /gestion/utilisateurs/{username}/comptes``      the same: let them hold an account
``POST /gestion/utilisateurs/{username}/deconnecter``  the same: end all their sessions
``GET /gestion/utilisateurs/cles-api``                 the association and the auditor:
                                                       the API keys
``POST /gestion/utilisateurs/cles-api``                the association: a new key
``POST /gestion/utilisateurs/cles-api/{key_id}/revoquer``  the same: revoke a key
=====================================================  ==================================
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.datastructures import FormData

from api.schemas.users import USERNAME_PATTERN
from api.web.back_office import back_office_of
from api.web.rendering import PageRoute, redirect, render
from api.web.session import CheckedForm, form_field
from api.web.shop import Ok
from monnaie_locale.acting import Context
from monnaie_locale.acts import api_keys, users
from monnaie_locale.auth.roles import Role
from monnaie_locale.errors import InvalidRequest

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

Username = Annotated[str, Path(pattern=USERNAME_PATTERN)]
KeyId = Annotated[int, Path(ge=1, le=2**63 - 1)]
_OK = ("created", "disabled", "enabled", "unlocked", "password", "linked", "signed_out")
_KEY_OK = ("revoked",)
# Users per page: the list pages on with ``?apres=`` (the last id shown).
_PAGE = 100


def _password(form: FormData) -> tuple[str, bool]:
    """The password typed, or one drawn at random (16 characters) when left empty; and
    whether it was drawn, so the page shows it once."""
    typed = form_field(form, "password", limit=1000)
    if typed:
        return typed, False
    return secrets.token_urlsafe(12), True


@router.get("/gestion/utilisateurs", response_class=Response)
def users_page(
    request: Request,
    ctx: Annotated[Context, back_office_of(users.list_users)],
    apres: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    ok: Ok = None,
) -> Response:
    found = users.list_users(ctx, after_id=apres, limit=_PAGE + 1)
    return render(
        request,
        "web/bo_users_list.html",
        {
            "users": found[:_PAGE],
            "next": found[_PAGE - 1].id if len(found) > _PAGE else None,
            "roles": list(Role),
            "now": ctx.clock(),
            "ok": ok if ok in _OK else None,
        },
        user=ctx.actor,
    )


@router.post("/gestion/utilisateurs", response_class=Response)
def create_user(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(users.create_user)],
) -> Response:
    username = form_field(form, "username", limit=80)
    role_name = form_field(form, "role", limit=30)
    try:
        role = Role(role_name)
    except ValueError:
        raise InvalidRequest(f"unknown role {role_name!r}") from None
    account = form_field(form, "account", limit=121)
    password, drawn = _password(form)
    created = users.create_user(
        ctx, username, password=password, role=role, accounts=(account,) if account else ()
    )
    if drawn:
        return _shown_once(request, ctx, created.username, password)
    return redirect(request, "/gestion/utilisateurs?ok=created")


def _shown_once(request: Request, ctx: Context, username: str, password: str) -> Response:
    return render(
        request,
        "web/bo_users_password.html",
        {"username": username, "password": password},
        user=ctx.actor,
    )


@router.post("/gestion/utilisateurs/{username}/desactiver", response_class=Response)
def disable(
    request: Request,
    username: Username,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(users.disable)],
) -> Response:
    users.disable(ctx, username)
    return redirect(request, "/gestion/utilisateurs?ok=disabled")


@router.post("/gestion/utilisateurs/{username}/reactiver", response_class=Response)
def enable(
    request: Request,
    username: Username,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(users.enable)],
) -> Response:
    users.enable(ctx, username)
    return redirect(request, "/gestion/utilisateurs?ok=enabled")


@router.post("/gestion/utilisateurs/{username}/deverrouiller", response_class=Response)
def unlock(
    request: Request,
    username: Username,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(users.unlock)],
) -> Response:
    users.unlock(ctx, username)
    return redirect(request, "/gestion/utilisateurs?ok=unlocked")


@router.post("/gestion/utilisateurs/{username}/mot-de-passe", response_class=Response)
def reset_password(
    request: Request,
    username: Username,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(users.reset_password)],
) -> Response:
    password, drawn = _password(form)
    users.reset_password(ctx, username, password)
    if drawn:
        return _shown_once(request, ctx, username, password)
    return redirect(request, "/gestion/utilisateurs?ok=password")


@router.post("/gestion/utilisateurs/{username}/comptes", response_class=Response)
def link_account(
    request: Request,
    username: Username,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(users.link_account)],
) -> Response:
    account = form_field(form, "account", limit=121)
    if not account:
        raise InvalidRequest("give the code of the account to link")
    users.link_account(ctx, username, account)
    return redirect(request, "/gestion/utilisateurs?ok=linked")


@router.post("/gestion/utilisateurs/{username}/deconnecter", response_class=Response)
def revoke_sessions(
    request: Request,
    username: Username,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(users.revoke_tokens)],
) -> Response:
    users.revoke_tokens(ctx, username)
    return redirect(request, "/gestion/utilisateurs?ok=signed_out")


@router.get("/gestion/utilisateurs/cles-api", response_class=Response)
def keys_page(
    request: Request,
    ctx: Annotated[Context, back_office_of(api_keys.list_keys)],
    ok: Ok = None,
) -> Response:
    return render(
        request,
        "web/bo_users_keys.html",
        {
            "keys": api_keys.list_keys(ctx),
            "manages": ctx.actor.role in api_keys.create_key.roles,
            "ok": ok if ok in _KEY_OK else None,
        },
        user=ctx.actor,
    )


@router.post("/gestion/utilisateurs/cles-api", response_class=Response)
def create_key(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(api_keys.create_key)],
) -> Response:
    account = form_field(form, "account", limit=121)
    if not account:
        raise InvalidRequest("give the code of the account the key is for")
    label = form_field(form, "label", limit=200)
    created = api_keys.create_key(ctx, account, label=label)
    # Answered here, never redirected: the secret is shown this once.
    return render(
        request,
        "web/bo_users_key_created.html",
        {"key": created.key, "secret": created.secret},
        user=ctx.actor,
    )


@router.post("/gestion/utilisateurs/cles-api/{key_id}/revoquer", response_class=Response)
def revoke_key(
    request: Request,
    key_id: KeyId,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(api_keys.revoke_key)],
) -> Response:
    api_keys.revoke_key(ctx, key_id)
    return redirect(request, "/gestion/utilisateurs/cles-api?ok=revoked")
