"""Plain transfers, holds and reversals: the acts that move units between holders.

A plain transfer moves units between *holder* accounts only: members, businesses,
authorities, and the association's own unit accounts (fees, bonus, demurrage). Every other
account (note stocks, tills, the reserve, issuance, pending reconversions, the
association's euros) moves only through its own operation: conversion, reconversion,
notes, office tills, the association's funds. Those keep the reserve and the circulation
in step; a plain transfer touching them could create units with no euro behind them, or
euros that never came in. The rule holds whatever the caller's role, so it lives here and
not in the edges that check roles.

* :func:`transfer`      post a transfer between two holder accounts
* :func:`place_hold`    reserve units on a holder account for another
* :func:`post_hold`     turn a plain hold into a payment (not a reconversion's hold)
* :func:`void_hold`     release a plain hold (a reconversion's hold is released only by
                        cancelling the reconversion, and never once a batch has taken it)
* :func:`reverse`       correct a plain transfer by its exact opposite
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from monnaie_locale.auth.errors import NotTransferable
from monnaie_locale.clock import Clock
from monnaie_locale.ledger import service
from monnaie_locale.ledger.accounts import kinds_of
from monnaie_locale.ledger.holds import load_hold
from monnaie_locale.ledger.posting import load_transaction
from monnaie_locale.model import AccountKind, Hold, Transaction, TransferRequest
from monnaie_locale.money import EUR

__all__ = [
    "TRANSFERABLE_KINDS",
    "check_transferable",
    "place_hold",
    "post_hold",
    "reverse",
    "transfer",
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


def check_transferable(conn: Connection, *codes: str) -> None:
    """Refuse unknown accounts, and accounts that only their own operations move.

    An account's kind and currency never change, so reading them first is no race.
    """
    for code, (kind, currency) in kinds_of(conn, *codes).items():
        if kind not in TRANSFERABLE_KINDS or currency == EUR.code:
            raise NotTransferable(code, through=_THROUGH.get(kind, ""))


def transfer(
    conn: Connection, request: TransferRequest, *, idempotency_key: str, clock: Clock
) -> Transaction:
    """Post a plain transfer between holder accounts, once per ``idempotency_key``."""
    check_transferable(conn, *(leg.account for leg in request.legs))
    return service.post_transfer(conn, request, idempotency_key=idempotency_key, clock=clock)


def place_hold(
    conn: Connection,
    *,
    debit: str,
    credit: str,
    amount: int,
    idempotency_key: str,
    clock: Clock,
    expires_at: datetime | None = None,
    memo: str = "",
) -> Hold:
    """Reserve ``amount`` on ``debit`` for ``credit``, both holder accounts."""
    check_transferable(conn, debit, credit)
    return service.reserve(
        conn,
        debit=debit,
        credit=credit,
        amount=amount,
        idempotency_key=idempotency_key,
        clock=clock,
        expires_at=expires_at,
        memo=memo,
    )


def plain_hold(conn: Connection, hold_id: int) -> Hold:
    """The hold, if it is one a plain act placed: a reconversion's is settled by its own."""
    hold = load_hold(conn, hold_id)
    try:
        check_transferable(conn, hold.debit_account, hold.credit_account)
    except NotTransferable as refused:
        raise NotTransferable(
            refused.account, through="cancelling or paying the reconversion it belongs to"
        ) from None
    return hold


def post_hold(
    conn: Connection,
    hold_id: int,
    *,
    idempotency_key: str,
    clock: Clock,
    amount: int | None = None,
) -> Transaction:
    """Turn a plain hold into a payment, of all or part of its amount."""
    plain_hold(conn, hold_id)
    return service.post_hold(
        conn, hold_id, idempotency_key=idempotency_key, clock=clock, amount=amount
    )


def void_hold(conn: Connection, hold_id: int, *, clock: Clock) -> Hold:
    """Release a plain hold without moving money."""
    plain_hold(conn, hold_id)
    return service.void(conn, hold_id, clock=clock)


def reverse(
    conn: Connection, transaction_id: int, *, idempotency_key: str, clock: Clock, memo: str = ""
) -> Transaction:
    """Post the exact opposite of a plain transfer, linked to it; once per original.

    A conversion, a payout or a note movement is corrected by its own operation, which
    knows the records and the euros that go with it.
    """
    original = load_transaction(conn, transaction_id)
    check_transferable(conn, *{posting.account for posting in original.postings})
    return service.reverse(
        conn, transaction_id, idempotency_key=idempotency_key, clock=clock, memo=memo
    )
