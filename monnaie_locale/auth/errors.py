"""Errors of authentication and authorization, in the core's error tree.

MonnaieLocaleError
├── NotAuthenticated        no credential, or one that is unknown, expired or revoked
├── InvalidCredentials      wrong username or password at sign-in
├── CredentialLocked        too many failed sign-ins: locked until a moment
├── TooManyAttempts         too many sign-in attempts from one client
├── Forbidden               the credential is valid but may not do this
│   ├── RoleForbidden       the role may not call this operation at all
│   ├── NotYourAccount      the account is not one the user holds
│   ├── NotTransferable     a plain transfer naming an account moved only by its own acts
│   └── WrongPassword       the current password, asked again to change it, is wrong
├── InvalidRequest
│   └── WeakPassword
├── NotFound
│   ├── UnknownUser
│   └── UnknownApiKey
└── Conflict
    ├── DuplicateUser
    └── AdministratorExists
"""

from __future__ import annotations

from datetime import datetime

from monnaie_locale.errors import Conflict, InvalidRequest, MonnaieLocaleError, NotFound

__all__ = [
    "AdministratorExists",
    "CredentialLocked",
    "DuplicateUser",
    "Forbidden",
    "InvalidCredentials",
    "NotAuthenticated",
    "NotTransferable",
    "NotYourAccount",
    "NotYourTransaction",
    "RoleForbidden",
    "TooManyAttempts",
    "UnknownApiKey",
    "UnknownUser",
    "WeakPassword",
    "WrongPassword",
]


class NotAuthenticated(MonnaieLocaleError):
    """Raised when a request needs a credential and carries none that is currently valid."""

    code = "not_authenticated"

    def __init__(self, reason: str = "sign in and send the token as 'Authorization: Bearer'"):
        super().__init__(reason)


class InvalidCredentials(MonnaieLocaleError):
    """Raised at sign-in for an unknown user, a disabled user or a wrong password alike."""

    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__("wrong username or password")


class CredentialLocked(MonnaieLocaleError):
    """Raised at sign-in while a user is locked after repeated failures."""

    code = "credential_locked"

    def __init__(self, until: datetime) -> None:
        super().__init__(
            f"too many failed sign-ins; try again after {until.isoformat(timespec='seconds')}"
        )
        self.until = until


class TooManyAttempts(MonnaieLocaleError):
    """Raised when one client makes more attempts than the rate limit allows."""

    code = "too_many_attempts"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"too many attempts; wait {retry_after_seconds} seconds")
        self.retry_after_seconds = retry_after_seconds


class Forbidden(MonnaieLocaleError):
    """Raised when a valid credential asks for something its holder may not do."""

    code = "forbidden"


class RoleForbidden(Forbidden):
    """Raised when the caller's role may not use an operation at all."""

    code = "role_forbidden"

    def __init__(self, role: str) -> None:
        super().__init__(f"the {role} role may not do this")
        self.role = role


class NotYourAccount(Forbidden):
    """Raised when a user reads or moves an account they do not hold."""

    code = "not_your_account"

    def __init__(self, account: str) -> None:
        super().__init__(f"account {account!r} is not one you hold")
        self.account = account


class WrongPassword(Forbidden):
    """Raised when a signed-in user changing their password gives a wrong current one.

    Not :class:`InvalidCredentials` (401): the request's token is valid, and a client
    that takes a 401 for an expired session would sign its user out.
    """

    code = "wrong_password"

    def __init__(self) -> None:
        super().__init__("the current password is wrong")


class WeakPassword(InvalidRequest):
    """Raised when a new password is too short or too long."""

    code = "weak_password"


class UnknownUser(NotFound):
    """Raised when a user id or name names no user."""

    code = "unknown_user"

    def __init__(self, user: str | int) -> None:
        super().__init__(f"no user {user!r}")
        self.user = user


class UnknownApiKey(NotFound):
    """Raised when revoking an API key that does not exist."""

    code = "unknown_api_key"

    def __init__(self, key_id: int) -> None:
        super().__init__(f"no API key {key_id}")
        self.key_id = key_id


class DuplicateUser(Conflict):
    """Raised when creating a user whose name is taken."""

    code = "duplicate_user"

    def __init__(self, username: str) -> None:
        super().__init__(f"a user {username!r} already exists")
        self.username = username


class AdministratorExists(Conflict):
    """Raised when setting up a first administrator where one exists already: from then
    on, only an administrator creates users."""

    code = "administrator_exists"

    def __init__(self) -> None:
        super().__init__(
            "this deployment has an administrator already; an administrator creates users "
            "(mlc --as ADMIN users create)"
        )


class NotYourTransaction(Forbidden):
    """Raised when a user reads a transaction, or a hold, touching none of their accounts."""

    code = "not_yours"

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} touches no account you hold")
        self.what = what


class NotTransferable(Forbidden):
    """Raised when a plain transfer, hold or reversal names an account that moves only
    through its own operations: a note stock, a till, the reserve, issuance, pending
    reconversions, the association's euros. Refused whatever the caller's role, since
    those operations are what keep the reserve and the circulation in step.
    """

    code = "not_transferable"

    def __init__(self, account: str, *, through: str = "") -> None:
        super().__init__(
            f"account {account!r} moves only through its own operations"
            f"{f' ({through})' if through else ''}; a plain transfer moves units between "
            "members, businesses, authorities and the association's own unit accounts"
        )
        self.account = account
        self.through = through
