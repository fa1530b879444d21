"""Password hashing with argon2id (argon2-cffi's recommended parameters).

A sign-in for an unknown user still verifies against a fixed hash, so the answer takes
as long as for a known user and does not reveal which names exist.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from monnaie_locale.auth.errors import WeakPassword

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "burn_verification",
    "check_password_strength",
    "hash_password",
    "needs_rehash",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 10
# Long enough for any passphrase; short enough that hashing cannot be made to cost a lot.
MAX_PASSWORD_LENGTH = 256

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not a password anyone has")


def check_password_strength(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise WeakPassword(
            f"a password is {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters"
        )


def hash_password(password: str) -> str:
    check_password_strength(password)
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def burn_verification(password: str) -> None:
    """Spend the time of one verification, for sign-ins that will fail anyway."""
    verify_password(_dummy_hash(), password[:MAX_PASSWORD_LENGTH])


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with parameters older than the current ones."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
