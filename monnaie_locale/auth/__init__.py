"""Who may use the service: users and roles, passwords, sign-in tokens and API keys.

The HTTP edge authenticates a request with :func:`resolve_credential` and asks the
resulting :class:`Principal` what it may read and move; the CLI creates users with
:func:`create_user` and gives them accounts with :func:`link_account`.

The names below are loaded on first use (see ``__getattr__``), so that importing one
module of this package, the roles say, does not bring in the database library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from monnaie_locale.auth.api_keys import (
        ApiKey,
        CreatedApiKey,
        create_api_key,
        get_api_key,
        revoke_api_key,
    )
    from monnaie_locale.auth.credentials import resolve_credential
    from monnaie_locale.auth.login import LoginPolicy, sign_in, sign_out
    from monnaie_locale.auth.password_change import change_own_password, reset_password
    from monnaie_locale.auth.principal import Principal
    from monnaie_locale.auth.roles import MOVES_ANY_ACCOUNT, SEES_ALL_ACCOUNTS, Role
    from monnaie_locale.auth.tokens import IssuedToken, issue_token, revoke_user_tokens
    from monnaie_locale.auth.user_admin import (
        UserSummary,
        enable_user,
        list_users,
        unlock_user,
        user_summary,
    )
    from monnaie_locale.auth.users import (
        User,
        accounts_of,
        create_user,
        disable_user,
        find_user,
        get_user,
        link_account,
        set_password,
    )

__all__ = [
    "MOVES_ANY_ACCOUNT",
    "SEES_ALL_ACCOUNTS",
    "ApiKey",
    "CreatedApiKey",
    "IssuedToken",
    "LoginPolicy",
    "Principal",
    "Role",
    "User",
    "UserSummary",
    "accounts_of",
    "change_own_password",
    "create_api_key",
    "create_user",
    "disable_user",
    "enable_user",
    "find_user",
    "get_api_key",
    "get_user",
    "issue_token",
    "link_account",
    "list_users",
    "reset_password",
    "resolve_credential",
    "revoke_api_key",
    "revoke_user_tokens",
    "set_password",
    "sign_in",
    "sign_out",
    "unlock_user",
    "user_summary",
]

_HOME = {
    "MOVES_ANY_ACCOUNT": "monnaie_locale.auth.roles",
    "SEES_ALL_ACCOUNTS": "monnaie_locale.auth.roles",
    "ApiKey": "monnaie_locale.auth.api_keys",
    "CreatedApiKey": "monnaie_locale.auth.api_keys",
    "IssuedToken": "monnaie_locale.auth.tokens",
    "LoginPolicy": "monnaie_locale.auth.login",
    "Principal": "monnaie_locale.auth.principal",
    "Role": "monnaie_locale.auth.roles",
    "User": "monnaie_locale.auth.users",
    "UserSummary": "monnaie_locale.auth.user_admin",
    "accounts_of": "monnaie_locale.auth.users",
    "change_own_password": "monnaie_locale.auth.password_change",
    "create_api_key": "monnaie_locale.auth.api_keys",
    "create_user": "monnaie_locale.auth.users",
    "disable_user": "monnaie_locale.auth.users",
    "enable_user": "monnaie_locale.auth.user_admin",
    "find_user": "monnaie_locale.auth.users",
    "get_api_key": "monnaie_locale.auth.api_keys",
    "get_user": "monnaie_locale.auth.users",
    "issue_token": "monnaie_locale.auth.tokens",
    "link_account": "monnaie_locale.auth.users",
    "list_users": "monnaie_locale.auth.user_admin",
    "reset_password": "monnaie_locale.auth.password_change",
    "resolve_credential": "monnaie_locale.auth.credentials",
    "revoke_api_key": "monnaie_locale.auth.api_keys",
    "revoke_user_tokens": "monnaie_locale.auth.tokens",
    "set_password": "monnaie_locale.auth.users",
    "sign_in": "monnaie_locale.auth.login",
    "sign_out": "monnaie_locale.auth.login",
    "unlock_user": "monnaie_locale.auth.user_admin",
    "user_summary": "monnaie_locale.auth.user_admin",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value
