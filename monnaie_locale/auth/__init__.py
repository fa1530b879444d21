"""Who may use the service: users and roles, passwords, sign-in tokens and API keys.

The HTTP edge authenticates a request with :func:`resolve_credential` and asks the
resulting :class:`Principal` what it may read and move; the CLI creates users with
:func:`create_user` and gives them accounts with :func:`link_account`.
"""

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
