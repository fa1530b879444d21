"""Short-lived tickets that open a merchant's event stream from a browser.

A browser's ``EventSource`` cannot send an ``Authorization`` header, and a sign-in token
must not travel in a URL (it would land in access logs and browser history with its full
power). So the checkout page trades its token, over an authenticated ``POST``, for a
ticket: an HMAC-signed statement "this caller may read the feed of this account until
then", valid one minute, good for nothing else. The page opens the stream with it in the
query string and asks for a fresh one whenever it reconnects. A cookie would also work but
would need CSRF care on every other route; a ticket keeps the API bearer-only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from monnaie_locale.auth import Principal, Role
from monnaie_locale.auth.errors import NotAuthenticated

__all__ = ["TICKET_TTL", "StreamTicket", "issue_ticket", "read_ticket"]

TICKET_TTL = timedelta(minutes=1)
_PURPOSE = b"checkout-events-ticket-v1"
# What every ticket issued looks like: two base64url parts. Anything else is refused before
# the MAC is compared (compare_digest raises on text that is not ASCII).
_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,1000}\.[A-Za-z0-9_-]{1,100}")


@dataclass(frozen=True, slots=True)
class StreamTicket:
    account: str
    role: Role
    subject: str
    expires_at: datetime


def issue_ticket(
    principal: Principal, *, account: str, secret: str, now: datetime
) -> tuple[str, datetime]:
    """A ticket for ``principal`` to read ``account``'s feed; and when it expires."""
    expires = now + TICKET_TTL
    claims = {
        "acc": account,
        "role": str(principal.role),
        "sub": principal.subject,
        "exp": int(expires.timestamp()),
    }
    body = _b64(json.dumps(claims, sort_keys=True, separators=(",", ":")).encode())
    return f"{body}.{_mac(body, secret)}", expires


def read_ticket(ticket: str, *, secret: str, now: datetime) -> StreamTicket:
    """The ticket's claims if it is authentic and unexpired; :class:`NotAuthenticated` if not."""
    if not _SHAPE.fullmatch(ticket):
        raise NotAuthenticated("the event stream ticket is not valid; ask for a new one")
    body, _, mac = ticket.partition(".")
    if not hmac.compare_digest(mac.encode("ascii"), _mac(body, secret).encode("ascii")):
        raise NotAuthenticated("the event stream ticket is not valid; ask for a new one")
    try:
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        expires = datetime.fromtimestamp(int(claims["exp"]), now.tzinfo)
        found = StreamTicket(
            account=str(claims["acc"]),
            role=Role(claims["role"]),
            subject=str(claims["sub"]),
            expires_at=expires,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise NotAuthenticated("the event stream ticket is not valid") from exc
    if now >= expires:
        raise NotAuthenticated("the event stream ticket has expired; ask for a new one")
    return found


def _mac(body: str, secret: str) -> str:
    key = hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()
    return _b64(hmac.new(key, body.encode("ascii"), hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
