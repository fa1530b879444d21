"""Transfers, holds and reversals: the acts that move units between holders.

A plain transfer moves units between *holder* accounts only: members, businesses,
authorities, and the association's own unit accounts (fees, bonus, demurrage). Every other
account (note stocks, tills, the reserve, issuance, pending reconversions, the
association's euros) moves only through its own act: conversion, reconversion, notes,
office tills, the association's funds. Those keep the reserve and the circulation in
step; a plain transfer touching them could create units with no euro behind them, or
euros that never came in. The rule holds whatever the actor's role.

==================  ======================================================================
Act                 Who may do it
==================  ======================================================================
transfer            a payer, from an account they hold (operators: from any holder)
get_transaction     anyone, for a transaction touching an account they hold (readers of
                    every account: any)
reverse             the association's operators and administrators, for a plain transfer
place_hold          a payer, from an account they hold
get_hold            a party to the hold, or a reader of every account
post_hold           a party to the hold (a cashier for their shop), or an operator
void_hold           the same; never a reconversion's hold, which only cancelling or
                    paying the reconversion settles
==================  ======================================================================

A transfer or a hold posted into a régie's account gets the régie's quittance in the same
transaction (:mod:`monnaie_locale.authorities.collection`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import Connection

from monnaie_locale.acting import Context, act
from monnaie_locale.auth.errors import NotTransferable, NotYourTransaction, RoleForbidden
from monnaie_locale.auth.principal import Principal
from monnaie_locale.auth.roles import CORRECTORS, EVERYONE, HOLD_SETTLERS, PAYERS
from monnaie_locale.authorities.collection import collection_into, give_quittance
from monnaie_locale.ledger import service
from monnaie_locale.ledger.accounts import get_account, kinds_of
from monnaie_locale.ledger.holds import load_hold
from monnaie_locale.ledger.posting import load_transaction
from monnaie_locale.model import AccountKind, Hold, Transaction, TransferRequest
from monnaie_locale.money import EUR
from monnaie_locale.store.group_commit import RunApart

__all__ = [
    "TRANSFERABLE_KINDS",
    "check_transferable",
    "get_hold",
    "get_transaction",
    "payment",
    "place_hold",
    "post_hold",
    "reverse",
    "transfer",
    "transfer_async",
    "void_hold",
]

TRANSFERABLE_KINDS = frozenset(
    {AccountKind.MEMBER, AccountKind.BUSINESS, AccountKind.AUTHORITY, AccountKind.ASSOCIATION}
)

# What to use instead, by the kind of account refused: the message says what to do next.
_THROUGH = {
    AccountKind.EXCHANGE_OFFICE: "the office's note and till operations",
    AccountKind.SYSTEM: "conversion, reconversion and note operations",
    AccountKind.ASSOCIATION: "the association's fund operations",
}


def check_transferable(conn: Connection, *codes: str) -> dict[str, tuple[AccountKind, str]]:
    """Refuse unknown accounts, and accounts that only their own acts move; return the
    kind and currency of each.

    An account's kind and currency never change, so reading them first is no race.
    """
    found = kinds_of(conn, *codes)
    for code, (kind, currency) in found.items():
        if kind not in TRANSFERABLE_KINDS or currency == EUR.code:
            raise NotTransferable(code, through=_THROUGH.get(kind, ""))
    return found


def payment(ctx: Context, request: TransferRequest, key: str) -> _Pay:
    """The write of a transfer of ``request`` once per ``key``, checked for the actor."""
    ctx.actor.check_move_from(request.legs[0].account)
    return _Pay(ctx, request, ctx.key(key))


class _Pay:
    """A transfer's write: its use case, and how payments written at once run together.

    :mod:`monnaie_locale.store.group_commit` gives payments that meet in one group to
    :meth:`together`: every check of the use case, then one write for them all
    (:func:`service.post_transfers`). Anything that write cannot do exactly as the use
    case would (an authority's account, which may owe a quittance; a refusal) makes them
    run one by one. A payment written alone on PostgreSQL is first tried the same way
    (:func:`service.post_transfer_at_once`): fewer round trips, the same answer.
    """

    __slots__ = ("ctx", "key", "payee", "payer", "request")

    def __init__(self, ctx: Context, request: TransferRequest, key: str) -> None:
        self.ctx = ctx
        self.request = request
        self.key = key
        self.payer, self.payee = request.legs[0].account, request.legs[1].account

    def __call__(self, conn: Connection) -> Transaction:
        at_once = service.post_transfer_at_once(
            conn, self.request, idempotency_key=self.key, clock=self.ctx.clock, vet=_vet_together
        )
        if at_once is not None:
            return at_once
        kinds = check_transferable(conn, self.payer, self.payee)
        return _posted(
            self.ctx,
            conn,
            lambda: service.post_transfer(
                conn, self.request, idempotency_key=self.key, clock=self.ctx.clock
            ),
            payer=self.payer,
            payee=self.payee,
            payee_kind=kinds[self.payee][0],
            object=self.request.memo or "Virement",
        )

    @staticmethod
    def together(conn: Connection, payments: list[_Pay]) -> list[Transaction]:
        return service.post_transfers(
            conn,
            [(payment.request, payment.key, payment.ctx.clock) for payment in payments],
            vet=_vet_together,
        )


def _vet_together(accounts: dict[str, tuple[str, str]]) -> None:
    """Send payments apart if one names an account :func:`check_transferable` refuses, or
    an authority's account, where a payment may owe a quittance (see :func:`_posted`)."""
    for kind, currency in accounts.values():
        if AccountKind(kind) not in _TOGETHER_KINDS or currency == EUR.code:
            raise RunApart(f"a payment names an account of kind {kind} in {currency}")


_TOGETHER_KINDS = TRANSFERABLE_KINDS - {AccountKind.AUTHORITY}


def _posted(
    ctx: Context,
    conn: Connection,
    post: Callable[[], Transaction],
    *,
    payer: str,
    payee: str,
    payee_kind: AccountKind,
    object: str,
) -> Transaction:
    """The transaction ``post`` writes; one into a régie's account gets the régie's
    quittance with it. Only an authority account may be a régie's: a payment to any
    other reads nothing more."""
    collection = None
    if payee_kind is AccountKind.AUTHORITY:
        collection = collection_into(conn, get_account(conn, payee), object=object)
    posted = post()
    if collection is not None:
        give_quittance(
            conn,
            collection,
            transaction=posted,
            payer=get_account(conn, payer),
            units=posted.amount_for(payee),
            keyring=None if ctx.signing is None else ctx.signing.keyring,
            zone=ctx.deployment.zone,
            now=ctx.clock(),
        )
    return posted


@act(*PAYERS)
def transfer(
    ctx: Context,
    payer: str,
    payee: str,
    amount: int,
    *,
    key: str,
    memo: str = "",
    on: date | None = None,
) -> Transaction:
    """Move ``amount`` from ``payer`` to ``payee``, once per ``key``.

    ``on``, the day it happened when not today, is the association's to give: only an
    actor who moves any account may date a transfer.
    """
    if on is not None and not ctx.actor.moves_any_account:
        raise RoleForbidden(str(ctx.actor.role))
    request = TransferRequest.simple(payer, payee, amount, memo=memo, on=ctx.check_day(on))
    return ctx.write(payment(ctx, request, key))


@act(*PAYERS)
async def transfer_async(
    ctx: Context, payer: str, payee: str, amount: int, *, key: str, memo: str = ""
) -> Transaction:
    """:func:`transfer` for the busiest route, without a worker thread where none is needed."""
    request = TransferRequest.simple(payer, payee, amount, memo=memo)
    return await ctx.write_async(payment(ctx, request, key))


def _check_party(actor: Principal, hold: Hold, *, settling: bool) -> None:
    """A hold is seen by its two parties and settled by them (or by an operator)."""
    parties = {hold.debit_account, hold.credit_account}
    allowed = actor.moves_any_account if settling else actor.sees_all_accounts
    if not allowed and not parties & actor.accounts:
        raise NotYourTransaction(f"hold {hold.id}")


@act(*EVERYONE)
def get_transaction(ctx: Context, transaction_id: int) -> Transaction:
    """One transaction and its postings."""
    transaction = ctx.read(lambda conn: load_transaction(conn, transaction_id))
    accounts = {posting.account for posting in transaction.postings}
    if not ctx.actor.sees_all_accounts and not accounts & ctx.actor.accounts:
        raise NotYourTransaction(f"transaction {transaction_id}")
    return transaction


@act(*CORRECTORS)
def reverse(ctx: Context, transaction_id: int, *, key: str, memo: str = "") -> Transaction:
    """Post the exact opposite of a plain transfer, linked to it; once per original.

    A conversion, a payout or a note movement is corrected by its own act, which knows
    the records and the euros that go with it.
    """
    scoped = ctx.key(key)

    def undo(conn: Connection) -> Transaction:
        original = load_transaction(conn, transaction_id)
        check_transferable(conn, *{posting.account for posting in original.postings})
        return service.reverse(
            conn, transaction_id, idempotency_key=scoped, clock=ctx.clock, memo=memo
        )

    return ctx.write(undo)


@act(*PAYERS)
def place_hold(
    ctx: Context,
    payer: str,
    payee: str,
    amount: int,
    *,
    key: str,
    expires_at: datetime | None = None,
    memo: str = "",
) -> Hold:
    """Hold ``amount`` on ``payer`` for a later payment to ``payee``."""
    ctx.actor.check_move_from(payer)
    scoped = ctx.key(key)

    def place(conn: Connection) -> Hold:
        check_transferable(conn, payer, payee)
        return service.place_hold(
            conn,
            debit=payer,
            credit=payee,
            amount=amount,
            idempotency_key=scoped,
            clock=ctx.clock,
            expires_at=expires_at,
            memo=memo,
        )

    return ctx.write(place)


@act(*EVERYONE)
def get_hold(ctx: Context, hold_id: int) -> Hold:
    """One hold, seen by its parties."""
    hold = ctx.read(lambda conn: load_hold(conn, hold_id))
    _check_party(ctx.actor, hold, settling=False)
    return hold


def _plain_hold(conn: Connection, actor: Principal, hold_id: int) -> tuple[Hold, AccountKind]:
    """Refuse a hold the actor is no party to, and a reconversion's (settled by its own);
    return the hold and the kind of the account it pays."""
    hold = load_hold(conn, hold_id)
    _check_party(actor, hold, settling=True)
    try:
        kinds = check_transferable(conn, hold.debit_account, hold.credit_account)
    except NotTransferable as refused:
        raise NotTransferable(
            refused.account, through="cancelling or paying the reconversion it belongs to"
        ) from None
    return hold, kinds[hold.credit_account][0]


@act(*HOLD_SETTLERS)
def post_hold(ctx: Context, hold_id: int, *, key: str, amount: int | None = None) -> Transaction:
    """Turn a pending hold into a payment, of all or part of its amount."""
    scoped = ctx.key(key)

    def settle(conn: Connection) -> Transaction:
        hold, payee_kind = _plain_hold(conn, ctx.actor, hold_id)
        return _posted(
            ctx,
            conn,
            lambda: service.post_hold(
                conn, hold_id, idempotency_key=scoped, clock=ctx.clock, amount=amount
            ),
            payer=hold.debit_account,
            payee=hold.credit_account,
            payee_kind=payee_kind,
            object=hold.memo or "Paiement",
        )

    return ctx.write(settle)


@act(*HOLD_SETTLERS)
def void_hold(ctx: Context, hold_id: int) -> Hold:
    """Release a pending hold without moving money."""

    def release(conn: Connection) -> Hold:
        _plain_hold(conn, ctx.actor, hold_id)
        return service.void_hold(conn, hold_id, clock=ctx.clock)

    return ctx.write(release)
