"""The QR checkout: payment requests, paying them, refunds, a shop's lists and live feed.

A shop's till issues a signed payment request and shows its QR; the payer's phone pays it
from an account the payer holds; the shop may refund, reads what it was paid and what
became of its requests, and follows its payments live. The rules of each step are in
:mod:`monnaie_locale.checkout`; the acts add who may take it, and own its transaction.

A request or a payment of another shop is reported as unknown, exactly as a missing one,
so that ids cannot be probed; an account the actor does not hold is refused as such
(:class:`~monnaie_locale.auth.errors.NotYourAccount`).

===================  =====================================================================
Act                  Who may do it
===================  =====================================================================
issue_request        a shop's owner or cashier (or a terminal's key), for the shop's account
issue_static_code    a shop's owner, for the shop's account
get_request          a shop's owner or cashier, for a request of the shop
get_static_code      the same, for a counter code of the shop (to print its sheet)
cancel_request       the same
pay, pay_async       a payer, from an account they hold (operators: from any holder)
get_payment          a shop's owner or cashier, for a payment to the shop
refund               the same: the owner up to what was paid, a cashier also within a
                     daily limit per credential (:class:`~monnaie_locale.checkout.
                     CashierAllowance`)
list_payments        anyone who reads the shop's account: who holds it, and the roles that
                     read every account
list_requests        the same
feed_head            a shop's owner or cashier, for the shop's account: where a page starts
                     following the live feed
follow_feed          the same: the feed's events after a point, then live ones
preview              anyone, signed in or not: what the page behind a QR shows (no actor,
                     nothing written)
===================  =====================================================================

What the acts need besides the books (the deployment's signing keys, the notifier that
wakes the tills' pages, the cashiers' refund limit) is built once per process by the edge
that serves them, and handed to the acts that use it as :class:`CheckoutServices`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta, tzinfo
from typing import Protocol

from sqlalchemy import Connection

from monnaie_locale import checkout
from monnaie_locale.acting import Context, act
from monnaie_locale.auth.principal import Principal
from monnaie_locale.auth.roles import EVERYONE, MERCHANT_OWNERS, MERCHANT_STAFF, PAYERS, Role
from monnaie_locale.checkout.errors import UnknownPayment, UnknownPaymentRequest
from monnaie_locale.checkout.requests import DEFAULT_DYNAMIC_TTL
from monnaie_locale.clock import Clock
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.ledger.idempotency import claim_key, record_result
from monnaie_locale.payments.keys import KeyRing
from monnaie_locale.payments.request import RequestKind
from monnaie_locale.store.database import Database

__all__ = [
    "CheckoutServices",
    "cancel_request",
    "feed_head",
    "follow_feed",
    "get_payment",
    "get_request",
    "get_static_code",
    "issue_request",
    "issue_static_code",
    "list_payments",
    "list_requests",
    "pay",
    "pay_async",
    "preview",
    "refund",
]


class CheckoutServices(Protocol):
    """What the checkout's acts use besides the books, built once per process."""

    @property
    def keyring(self) -> KeyRing:
        """The deployment's keys: the active one signs requests and receipts."""

    @property
    def deployment_id(self) -> int:
        """The deployment a request must name to be paid here."""

    @property
    def cashier_refund_limit(self) -> int:
        """What one cashier's credential may refund alone in a day, in minor units."""

    @property
    def notifier(self) -> checkout.Notifier:
        """Wakes the pages that follow a shop's feed, once a payment or refund commits."""


# Issuing -----------------------------------------------------------------------------


@act(*MERCHANT_STAFF)
def issue_request(
    ctx: Context,
    account: str,
    amount: int,
    *,
    key: str,
    services: CheckoutServices,
    reference: str = "",
    ttl: timedelta = DEFAULT_DYNAMIC_TTL,
) -> checkout.IssuedRequest:
    """Issue a single-use request for ``amount`` to the shop ``account``, once per ``key``."""
    ctx.actor.check_move_from(account)

    def make(conn: Connection) -> checkout.IssuedRequest:
        return checkout.issue_dynamic(
            conn,
            merchant_account=account,
            amount=amount,
            reference=reference,
            ttl=ttl,
            keyring=services.keyring,
            deployment_id=services.deployment_id,
            clock=ctx.clock,
        )

    fingerprint = f"dynamic|{account}|{amount}|{reference}|{int(ttl.total_seconds())}"
    return ctx.write(_once(ctx, key, fingerprint, make))


@act(*MERCHANT_OWNERS)
def issue_static_code(
    ctx: Context, account: str, *, key: str, services: CheckoutServices, reference: str = ""
) -> checkout.IssuedRequest:
    """Issue a counter code for the shop ``account``: paid many times, the amount typed."""
    ctx.actor.check_move_from(account)

    def make(conn: Connection) -> checkout.IssuedRequest:
        return checkout.issue_static(
            conn,
            merchant_account=account,
            reference=reference,
            keyring=services.keyring,
            deployment_id=services.deployment_id,
            clock=ctx.clock,
        )

    return ctx.write(_once(ctx, key, f"static|{account}|{reference}", make))


def _once(
    ctx: Context,
    key: str,
    fingerprint: str,
    make: Callable[[Connection], checkout.IssuedRequest],
) -> Callable[[Connection], checkout.IssuedRequest]:
    """``make``, once per idempotency key: a retry gets the request the first call issued,
    the same key for another request is refused; the key is claimed in the same
    transaction as the request, so a refused issue claims nothing."""
    scoped = "checkout:issue:" + ctx.key(key)

    def issue(conn: Connection) -> checkout.IssuedRequest:
        claim = claim_key(conn, scoped, fingerprint=fingerprint, now=ctx.clock())
        if not claim.fresh:
            return checkout.get_request(conn, claim.result_ref)
        issued = make(conn)
        record_result(conn, scoped, issued.request_id)
        return issued

    return issue


# A shop's requests ---------------------------------------------------------------------


def _own_request(conn: Connection, actor: Principal, request_id: str) -> checkout.IssuedRequest:
    """The request, if it is the actor's shop's; unknown otherwise, as a missing one."""
    issued = checkout.get_request(conn, request_id)
    if not actor.may_move_from(issued.merchant_account):
        raise UnknownPaymentRequest(request_id)
    return issued


@act(*MERCHANT_STAFF)
def get_request(ctx: Context, request_id: str) -> checkout.IssuedRequest:
    """A payment request of the actor's shop, with its stored status."""
    return ctx.read(lambda conn: _own_request(conn, ctx.actor, request_id))


@act(*MERCHANT_STAFF)
def get_static_code(ctx: Context, request_id: str) -> checkout.IssuedRequest:
    """A counter code of the actor's shop: what its printable sheet shows."""
    issued = get_request(ctx, request_id)
    if issued.kind is not RequestKind.STATIC:
        raise InvalidRequest("the printable sheet is for counter codes; show this one on screen")
    return issued


@act(*MERCHANT_STAFF)
def cancel_request(ctx: Context, request_id: str) -> checkout.IssuedRequest:
    """Withdraw an open request of the actor's shop; a paid one is refunded instead."""

    def cancel(conn: Connection) -> checkout.IssuedRequest:
        issued = _own_request(conn, ctx.actor, request_id)
        return checkout.cancel_request(conn, request_id, merchant_account=issued.merchant_account)

    return ctx.write(cancel)


# Paying ------------------------------------------------------------------------------


def _only_account(actor: Principal) -> str:
    if len(actor.accounts) != 1:
        raise InvalidRequest(
            "name the paying account in `payer`: you hold "
            + (json.dumps(sorted(actor.accounts)) if actor.accounts else "no account")
        )
    return next(iter(actor.accounts))


def _pay(
    ctx: Context,
    token: str,
    *,
    key: str,
    services: CheckoutServices,
    payer: str | None,
    amount: int | None,
) -> Callable[[Connection], checkout.Payment]:
    paying = payer if payer is not None else _only_account(ctx.actor)
    ctx.actor.check_move_from(paying)
    scoped = ctx.key(key)
    keyring, deployment_id = services.keyring, services.deployment_id

    def pay_it(conn: Connection) -> checkout.Payment:
        return checkout.pay(
            conn,
            token,
            payer_account=paying,
            amount=amount,
            idempotency_key=scoped,
            keyring=keyring,
            deployment_id=deployment_id,
            clock=ctx.clock,
            zone=ctx.deployment.zone,
        )

    return pay_it


@act(*PAYERS)
def pay(
    ctx: Context,
    token: str,
    *,
    key: str,
    services: CheckoutServices,
    payer: str | None = None,
    amount: int | None = None,
) -> checkout.Payment:
    """Pay the scanned request ``token`` (or its URL) from ``payer``, once per ``key``.

    ``payer`` is by default the only account the actor holds; ``amount`` is what the payer
    typed, for a counter code. The shop's pages are woken once the payment has committed,
    so that none reads before the payment exists.
    """
    payment = ctx.write(_pay(ctx, token, key=key, services=services, payer=payer, amount=amount))
    services.notifier.publish(payment.merchant_account_id)
    return payment


@act(*PAYERS)
async def pay_async(
    ctx: Context,
    token: str,
    *,
    key: str,
    services: CheckoutServices,
    payer: str | None = None,
    amount: int | None = None,
) -> checkout.Payment:
    """:func:`pay` for a payer's phone at a busy till, without a worker thread where none
    is needed (see :meth:`~monnaie_locale.acting.Context.write_async`)."""
    payment = await ctx.write_async(
        _pay(ctx, token, key=key, services=services, payer=payer, amount=amount)
    )
    services.notifier.publish(payment.merchant_account_id)
    return payment


def preview(
    database: Database, token: str, *, services: CheckoutServices, clock: Clock
) -> checkout.RequestPreview:
    """Whom and how much the request ``token`` pays, refusing what paying it would.

    No actor: the page behind a QR opens before anyone signs in, and shows only what the
    QR itself says, checked against the server's own records; nothing is written.
    """
    return database.read(
        lambda conn: checkout.preview(
            conn,
            token,
            keyring=services.keyring,
            deployment_id=services.deployment_id,
            clock=clock,
        )
    )


# A shop's payments -------------------------------------------------------------------


def _own_payment(conn: Connection, actor: Principal, payment_id: int) -> checkout.Payment:
    """The payment, if it was to the actor's shop; unknown otherwise, as a missing one."""
    payment = checkout.get_payment(conn, payment_id)
    if not actor.may_move_from(payment.merchant_account):
        raise UnknownPayment(payment_id)
    return payment


@act(*MERCHANT_STAFF)
def get_payment(ctx: Context, payment_id: int) -> checkout.Payment:
    """A payment to the actor's shop, with what was refunded of it."""
    return ctx.read(lambda conn: _own_payment(conn, ctx.actor, payment_id))


def _allowance(
    actor: Principal, daily_limit: int, zone: tzinfo
) -> checkout.CashierAllowance | None:
    """A cashier refunds alone within a daily limit per credential, days in the deployment's
    zone; the owner is not limited."""
    if actor.role is not Role.MERCHANT_CASHIER:
        return None
    return checkout.CashierAllowance(subject=actor.subject, daily_limit=daily_limit, zone=zone)


@act(*MERCHANT_STAFF)
def refund(
    ctx: Context, payment_id: int, amount: int, *, key: str, services: CheckoutServices
) -> checkout.Refund:
    """Pay ``amount`` of a payment to the actor's shop back to its payer, once per ``key``."""
    scoped = ctx.key(key)
    allowance = _allowance(ctx.actor, services.cashier_refund_limit, ctx.deployment.zone)
    keyring = services.keyring

    def pay_back(conn: Connection) -> checkout.Refund:
        _own_payment(conn, ctx.actor, payment_id)
        return checkout.refund(
            conn,
            payment_id,
            amount=amount,
            idempotency_key=scoped,
            keyring=keyring,
            clock=ctx.clock,
            cashier=allowance,
        )

    booked = ctx.write(pay_back)
    services.notifier.publish(booked.merchant_account_id)
    return booked


# Lists -------------------------------------------------------------------------------


@act(*EVERYONE)
def list_payments(
    ctx: Context, account: str, *, before_id: int | None = None, limit: int = 50
) -> list[checkout.PaymentLine]:
    """Up to ``limit`` payments to the shop ``account``, newest first, below ``before_id``."""
    ctx.actor.check_read(account)
    return ctx.read(
        lambda conn: checkout.payments_of(conn, account, before_id=before_id, limit=limit)
    )


@act(*EVERYONE)
def list_requests(
    ctx: Context, account: str, *, before_id: int | None = None, limit: int = 50
) -> list[checkout.IssuedRequest]:
    """Up to ``limit`` requests issued for the shop ``account``, newest first."""
    ctx.actor.check_read(account)
    return ctx.read(
        lambda conn: checkout.requests_of(conn, account, before_id=before_id, limit=limit)
    )


# The live feed -----------------------------------------------------------------------


def _head(conn: Connection, account: str) -> int:
    get_account(conn, account)  # an unknown account is refused, not followed
    return checkout.latest_sequence(conn)


@act(*MERCHANT_STAFF)
def feed_head(ctx: Context, account: str) -> int:
    """The journal sequence a page of the shop ``account`` starts following its feed after."""
    ctx.actor.check_move_from(account)
    return ctx.read(lambda conn: _head(conn, account))


@act(*MERCHANT_STAFF)
def follow_feed(
    ctx: Context,
    account: str,
    *,
    services: CheckoutServices,
    last_event_id: str | None = None,
    after: int | None = None,
) -> AsyncIterator[str]:
    """The Server-Sent Events of the shop ``account``: those after a point, then live ones.

    The point is ``last_event_id``, as a reconnecting page sends it, else ``after``, as a
    page opening a new stream names it, else the start of the feed. Everything that can be
    refused is refused here, before the stream starts: a stream cannot turn into a refusal.
    """
    ctx.actor.check_move_from(account)
    ctx.read(lambda conn: get_account(conn, account))
    start = checkout.parse_last_event_id(last_event_id)
    if last_event_id is None and after is not None:
        start = after
    return checkout.event_stream(
        ctx.database, services.notifier, merchant_account=account, last_event_id=start
    )
