"""Issuing payment requests: sign them, store them, render them as QR codes on demand.

A *dynamic* request is made by a terminal or a cashier for one sale: it carries the amount,
lives minutes, and is paid once. A *static* request is printed for the counter: the payer
types the amount, it lives for years, and is paid any number of times. Both are signed by the
deployment's active key and stored, so the server, not the QR, decides whom a request pays
and whether it is still open (``open`` -> ``paid`` for a dynamic one, or ``cancelled``).

The token is public (it is what the QR shows), so it is stored as issued and rendered again
whenever a page asks for the QR, in whatever form and for whatever host.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, insert, select, update

from monnaie_locale.checkout.directory import merchant
from monnaie_locale.checkout.errors import (
    RequestAlreadyPaid,
    UnknownPaymentRequest,
)
from monnaie_locale.checkout.tokens import unix_seconds
from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.errors import InvalidAmount, InvalidRequest
from monnaie_locale.model import check_positive
from monnaie_locale.payments.keys import KeyRing
from monnaie_locale.payments.qr import qr_png, qr_svg, static_sheet_svg
from monnaie_locale.payments.request import (
    MAX_AMOUNT_CENTS,
    MAX_REFERENCE_LENGTH,
    MAX_TTL_SECONDS,
    PaymentRequest,
    RequestKind,
    encode_request,
    new_request_id,
    request_url,
)
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_checkout import payment_requests

__all__ = [
    "DEFAULT_DYNAMIC_TTL",
    "DEFAULT_STATIC_TTL",
    "IssuedRequest",
    "RequestStatus",
    "ShownStatus",
    "cancel_request",
    "get_request",
    "issue_dynamic",
    "issue_static",
    "requests_where",
]

# Long enough to walk to the till and open a wallet; short enough that a photo of the
# screen is useless by the time it reaches anyone else.
DEFAULT_DYNAMIC_TTL = timedelta(minutes=10)
# A printed counter code: reprinting every few years also rotates the key it carries.
DEFAULT_STATIC_TTL = timedelta(days=3 * 365)


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    PAID = "paid"  # dynamic requests only: static ones stay open
    CANCELLED = "cancelled"


# A stored status, or "expired" for an open request whose life is over (never stored: it
# follows from the clock).
ShownStatus = Literal["open", "paid", "cancelled", "expired"]
_SHOWN: dict[RequestStatus, ShownStatus] = {
    RequestStatus.OPEN: "open",
    RequestStatus.PAID: "paid",
    RequestStatus.CANCELLED: "cancelled",
}

_KIND_NAMES = {RequestKind.DYNAMIC: "dynamic", RequestKind.STATIC: "static"}
_KINDS_BY_NAME = {name: kind for kind, name in _KIND_NAMES.items()}


@dataclass(frozen=True, slots=True)
class IssuedRequest:
    """A stored payment request, with its signed token and its renderings."""

    id: int
    request_id: str  # hex of the 8 random bytes; what receipts name
    kind: RequestKind
    merchant_account: str
    merchant_account_id: int
    merchant_name: str  # from the account table: its display name, else its code
    amount: int  # minor units; 0 for a static request
    reference: str
    token: str
    status: RequestStatus
    issued_at: datetime
    expires_at: datetime

    def status_at(self, now: datetime) -> ShownStatus:
        """What became of it by ``now``: its stored status, or ``expired`` for one still
        open at or after its ``expires_at``, when no payment can take it any more."""
        if self.status is RequestStatus.OPEN and now >= self.expires_at:
            return "expired"
        return _SHOWN[self.status]

    def url(self, *, host: str) -> str:
        """``HTTPS://HOST/R/<token>``: the text of the QR, opened by any phone camera."""
        return request_url(self.token, host=host)

    def png(self, *, host: str, scale: int = 8) -> bytes:
        return qr_png(self.url(host=host), scale=scale)

    def svg(self, *, host: str, module_mm: float = 1.0) -> str:
        return qr_svg(self.url(host=host), module_mm=module_mm)

    def sheet_svg(self, *, host: str, currency_name: str) -> str:
        """The printable A6 page for the counter, naming the merchant from the directory."""
        return static_sheet_svg(
            self.url(host=host), merchant_name=self.merchant_name, currency_name=currency_name
        )


def issue_dynamic(
    conn: Connection,
    *,
    merchant_account: str,
    amount: int,
    reference: str = "",
    ttl: timedelta = DEFAULT_DYNAMIC_TTL,
    keyring: KeyRing,
    deployment_id: int,
    clock: Clock,
) -> IssuedRequest:
    """Issue a single-use request for ``amount`` minor units to ``merchant_account``."""
    check_positive(amount)
    if amount > MAX_AMOUNT_CENTS:
        raise InvalidAmount(amount, "too large for a payment code; split the sale")
    return _issue(
        conn,
        kind=RequestKind.DYNAMIC,
        merchant_account=merchant_account,
        amount=amount,
        reference=reference,
        ttl=ttl,
        keyring=keyring,
        deployment_id=deployment_id,
        clock=clock,
    )


def issue_static(
    conn: Connection,
    *,
    merchant_account: str,
    reference: str = "",
    ttl: timedelta = DEFAULT_STATIC_TTL,
    keyring: KeyRing,
    deployment_id: int,
    clock: Clock,
) -> IssuedRequest:
    """Issue a counter code for ``merchant_account``: payable many times, amount typed."""
    return _issue(
        conn,
        kind=RequestKind.STATIC,
        merchant_account=merchant_account,
        amount=0,
        reference=reference,
        ttl=ttl,
        keyring=keyring,
        deployment_id=deployment_id,
        clock=clock,
    )


def get_request(conn: Connection, request_id: str) -> IssuedRequest:
    """The stored request ``request_id`` (hex); :class:`UnknownPaymentRequest` if none."""
    found = requests_where(conn, payment_requests.c.request_id == request_id, limit=1)
    if not found:
        raise UnknownPaymentRequest(request_id)
    return found[0]


def requests_where(
    conn: Connection, condition: Any, *, newest_first: bool = False, limit: int | None = None
) -> list[IssuedRequest]:
    """The stored requests that meet ``condition``, by row id."""
    order = payment_requests.c.id.desc() if newest_first else payment_requests.c.id
    query = _select_requests().where(condition).order_by(order).limit(limit)
    return [_from_row(row) for row in conn.execute(query)]


def cancel_request(conn: Connection, request_id: str, *, merchant_account: str) -> IssuedRequest:
    """Withdraw an open request of ``merchant_account``; cancelling twice changes nothing.

    A request of another merchant is reported as unknown, so ids cannot be probed.
    """
    current = get_request(conn, request_id)
    if current.merchant_account != merchant_account:
        raise UnknownPaymentRequest(request_id)
    # Conditional: a payment committing meanwhile wins, and the cancel then says so.
    conn.execute(
        update(payment_requests)
        .where(payment_requests.c.id == current.id, payment_requests.c.status == "open")
        .values(status=str(RequestStatus.CANCELLED))
    )
    after = get_request(conn, request_id)
    if after.status is RequestStatus.PAID:
        raise RequestAlreadyPaid(request_id)
    return after


def _issue(
    conn: Connection,
    *,
    kind: RequestKind,
    merchant_account: str,
    amount: int,
    reference: str,
    ttl: timedelta,
    keyring: KeyRing,
    deployment_id: int,
    clock: Clock,
) -> IssuedRequest:
    account = merchant(conn, merchant_account)
    now = clock()
    request = _build(
        kind=kind,
        deployment_id=deployment_id,
        merchant_account_id=account.id,
        amount=amount,
        issued_at=unix_seconds(now),
        ttl=ttl,
        reference=reference,
    )
    key = keyring.active
    token = encode_request(request, key=key)
    values = {
        "request_id": request.request_id.hex(),
        "kind": _KIND_NAMES[kind],
        "merchant_account_id": account.id,
        "amount": amount,
        "reference": reference,
        "key_id": key.key_id.hex(),
        "token": token,
        "status": str(RequestStatus.OPEN),
        "issued_at": _from_unix(request.issued_at),
        "expires_at": _from_unix(request.expires_at),
        "created_at": now,
    }
    conn.execute(insert(payment_requests).values(values))
    return get_request(conn, request.request_id.hex())


def _build(
    *,
    kind: RequestKind,
    deployment_id: int,
    merchant_account_id: int,
    amount: int,
    issued_at: int,
    ttl: timedelta,
    reference: str,
) -> PaymentRequest:
    if len(reference) > MAX_REFERENCE_LENGTH or not all(" " <= c <= "~" for c in reference):
        raise InvalidRequest(
            f"the reference {reference!r} cannot be carried by a payment code: it is at most "
            f"{MAX_REFERENCE_LENGTH} plain ASCII characters (letters, digits, punctuation)"
        )
    # Anything else the codec refuses (a deployment id out of range) is a configuration
    # error, not the caller's: its ValueError propagates.
    return PaymentRequest(
        kind=kind,
        deployment_id=deployment_id,
        merchant_account_id=merchant_account_id,
        request_id=new_request_id(),
        amount_cents=amount,
        issued_at=issued_at,
        ttl_seconds=_ttl_seconds(ttl),
        reference=reference,
    )


def _ttl_seconds(ttl: timedelta) -> int:
    seconds = int(ttl.total_seconds())
    if seconds < 1 or seconds > MAX_TTL_SECONDS:
        raise InvalidRequest(
            f"a payment code lives between 1 second and {MAX_TTL_SECONDS // 86400} days"
        )
    return seconds


def _from_unix(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _select_requests() -> Any:
    return select(
        payment_requests,
        accounts.c.code.label("merchant_code"),
        accounts.c.display_name.label("merchant_display_name"),
    ).join(accounts, accounts.c.id == payment_requests.c.merchant_account_id)


def _from_row(row: Any) -> IssuedRequest:
    return IssuedRequest(
        id=row.id,
        request_id=row.request_id,
        kind=_KINDS_BY_NAME[row.kind],
        merchant_account=row.merchant_code,
        merchant_account_id=row.merchant_account_id,
        merchant_name=row.merchant_display_name or row.merchant_code,
        amount=row.amount,
        reference=row.reference,
        token=row.token,
        status=RequestStatus(row.status),
        issued_at=as_utc(row.issued_at),
        expires_at=as_utc(row.expires_at),
    )
