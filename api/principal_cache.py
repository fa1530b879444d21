"""Credentials checked a moment ago, remembered for a second.

Every request proves who calls with a bearer credential, and checking one is a database
read: on PostgreSQL about a quarter of a payment's CPU, for a till or a phone that sends
the same credential again and again. A valid credential is remembered here for at most
``ttl`` seconds, and never past its own expiry.

Revocation stays prompt. The routes that revoke or change what a credential allows (sign
out, password change and reset, an administrator's revocation, disabling or linking, an
API key revoked) empty the cache of their process once they are done, so the next request
is checked afresh. A revocation made by another worker process, or by ``mlc`` from the
command line, is seen within ``ttl``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from fastapi import Request

from monnaie_locale.auth import Principal

__all__ = ["PrincipalCache", "forgets_credentials"]

TTL_SECONDS = 1.0
# Past this many live entries the cache starts afresh: a bound on memory, not a policy.
MAX_ENTRIES = 10_000


class PrincipalCache:
    """Principals by a digest of their credential, each with the moment it lapses."""

    def __init__(
        self, *, ttl: float = TTL_SECONDS, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._monotonic = monotonic
        self._entries: dict[bytes, tuple[Principal, float]] = {}

    def get(self, credential: str, *, now: datetime) -> Principal | None:
        """The principal remembered for ``credential``, if still fresh and unexpired."""
        entry = self._entries.get(_digest(credential))
        if entry is None:
            return None
        principal, lapses = entry
        expires_at = principal.expires_at
        if self._monotonic() >= lapses or (expires_at is not None and now >= expires_at):
            return None
        return principal

    def put(self, credential: str, principal: Principal) -> None:
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[_digest(credential)] = (principal, self._monotonic() + self._ttl)

    def forget_all(self) -> None:
        self._entries.clear()


async def forgets_credentials(request: Request) -> AsyncIterator[None]:
    """A route dependency: the route may revoke credentials; check them afresh after it."""
    cache: PrincipalCache = request.app.state.principals
    try:
        yield
    finally:
        cache.forget_all()


def _digest(credential: str) -> bytes:
    # The secret itself is not kept: a memory dump shows digests only.
    return hashlib.sha256(credential.encode()).digest()
