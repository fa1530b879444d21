"""Two-phase transfers: hold an amount now, post it (in full or in part) or void it later.

A hold raises the debit account's ``held`` total, which lowers what it can spend
(``balance - held`` stays above the lower limit) without moving money. Posting turns
the hold into a transfer of up to its amount and releases the rest; voiding or expiry
releases all of it. A hold's row is changed by conditional updates on its status, so
two attempts to settle one hold cannot both succeed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.errors import (
    AccountNotActive,
    CurrencyMismatch,
    HoldExpired,
    HoldNotPending,
    InsufficientFunds,
    InvalidAmount,
    InvalidRequest,
    UnknownHold,
)
from monnaie_locale.ledger.accounts import accounts_by_code, get_account
from monnaie_locale.ledger.posting import write_transaction
from monnaie_locale.model import (
    MAX_MEMO,
    AccountStatus,
    Hold,
    HoldStatus,
    Transaction,
    TransferRequest,
    check_plain_text,
    check_positive,
)
from monnaie_locale.store.tables import accounts, holds

__all__ = ["expire_holds", "load_hold", "place_hold", "settle_hold", "void_hold"]

_place = (
    update(accounts)
    .where(
        accounts.c.id == bindparam("account_id"),
        accounts.c.status == "active",
        (accounts.c.lower_limit.is_(None))
        | (accounts.c.balance - accounts.c.held - bindparam("amount") >= accounts.c.lower_limit),
    )
    .values(held=accounts.c.held + bindparam("amount"))
    .returning(accounts.c.held)
)

_release = (
    update(accounts)
    .where(accounts.c.id == bindparam("account_id"))
    .values(held=accounts.c.held - bindparam("amount"))
)


def place_hold(
    conn: Connection,
    *,
    debit: str,
    credit: str,
    amount: int,
    now: datetime,
    expires_at: datetime | None,
    memo: str = "",
) -> Hold:
    """Hold ``amount`` on ``debit`` for a later transfer to ``credit``."""
    check_positive(amount)
    # Stored on the hold, and the memo of the transfer that settles it unless that one has
    # its own (where TransferRequest checks it again).
    check_plain_text(memo, "memo", max_length=MAX_MEMO)
    if debit == credit:
        raise InvalidRequest("an account cannot hold money for itself")
    if expires_at is not None and expires_at <= now:
        raise InvalidRequest("a hold must expire in the future")
    found = accounts_by_code(conn, (debit, credit))
    if found[debit].currency != found[credit].currency:
        raise CurrencyMismatch(credit, found[credit].currency, found[debit].currency)
    for account in found.values():
        if account.status is not AccountStatus.ACTIVE:
            raise AccountNotActive(account.code, str(account.status))
    held = conn.execute(_place, {"account_id": found[debit].id, "amount": amount}).scalar()
    if held is None:
        current = get_account(conn, debit)
        if current.status is not AccountStatus.ACTIVE:
            raise AccountNotActive(debit, str(current.status))
        raise InsufficientFunds(debit, needed=amount, available=current.available)
    hold_id = conn.execute(
        insert(holds)
        .values(
            debit_account_id=found[debit].id,
            credit_account_id=found[credit].id,
            amount=amount,
            status=str(HoldStatus.PENDING),
            expires_at=expires_at,
            created_at=now,
            memo=memo,
        )
        .returning(holds.c.id)
    ).scalar_one()
    return load_hold(conn, hold_id)


def load_hold(conn: Connection, hold_id: int) -> Hold:
    debit = accounts.alias("debit")
    credit = accounts.alias("credit")
    row = conn.execute(
        select(holds, debit.c.code.label("debit_code"), credit.c.code.label("credit_code"))
        .join(debit, debit.c.id == holds.c.debit_account_id)
        .join(credit, credit.c.id == holds.c.credit_account_id)
        .where(holds.c.id == hold_id)
    ).first()
    if row is None:
        raise UnknownHold(hold_id)
    return _hold_from_row(row)


def _hold_from_row(row: Any) -> Hold:
    return Hold(
        id=row.id,
        debit_account=row.debit_code,
        credit_account=row.credit_code,
        amount=row.amount,
        posted_amount=row.posted_amount,
        status=HoldStatus(row.status),
        expires_at=as_utc(row.expires_at) if row.expires_at else None,
        created_at=as_utc(row.created_at),
        transaction_id=row.transaction_id,
        memo=row.memo,
    )


def _close_hold(
    conn: Connection,
    hold_id: int,
    *,
    status: HoldStatus,
    now: datetime,
    posted_amount: int = 0,
    transaction_id: int | None = None,
) -> Hold:
    """Move a pending, unexpired hold to ``status`` and release its amount, or explain why not."""
    changed = conn.execute(
        update(holds)
        .where(
            holds.c.id == hold_id,
            holds.c.status == "pending",
            holds.c.expires_at.is_(None) | (holds.c.expires_at > now),
        )
        .values(status=str(status), posted_amount=posted_amount, transaction_id=transaction_id)
        .returning(holds.c.debit_account_id, holds.c.amount)
    ).first()
    if changed is None:
        hold = load_hold(conn, hold_id)
        if hold.status is not HoldStatus.PENDING:
            raise HoldNotPending(hold_id, str(hold.status))
        raise HoldExpired(hold_id)
    conn.execute(_release, {"account_id": changed.debit_account_id, "amount": changed.amount})
    return load_hold(conn, hold_id)


def settle_hold(
    conn: Connection,
    hold_id: int,
    *,
    amount: int | None,
    transaction_id: int,
    clock: Clock,
    kind: str = "hold_posted",
    memo: str = "",
) -> tuple[Hold, Transaction]:
    """Post up to the held amount from the debit to the credit account; release the rest."""
    hold = load_hold(conn, hold_id)
    to_post = hold.amount if amount is None else check_positive(amount)
    if to_post > hold.amount:
        raise InvalidAmount(to_post, f"hold {hold_id} reserves only {hold.amount}")
    settled = _close_hold(
        conn,
        hold_id,
        status=HoldStatus.POSTED,
        now=clock(),
        posted_amount=to_post,
        transaction_id=transaction_id,
    )
    request = TransferRequest.simple(
        hold.debit_account, hold.credit_account, to_post, kind=kind, memo=memo or hold.memo
    )
    transaction = write_transaction(conn, request, transaction_id=transaction_id, clock=clock)
    return settled, transaction


def void_hold(conn: Connection, hold_id: int, *, now: datetime) -> Hold:
    """Release a pending hold without moving money."""
    return _close_hold(conn, hold_id, status=HoldStatus.VOIDED, now=now)


def expire_holds(conn: Connection, *, now: datetime) -> list[Hold]:
    """Mark every pending hold past its expiry as expired and release its amount."""
    due = (
        conn.execute(
            select(holds.c.id).where(holds.c.status == "pending", holds.c.expires_at <= now)
        )
        .scalars()
        .all()
    )
    expired = []
    for hold_id in due:
        changed = conn.execute(
            update(holds)
            .where(holds.c.id == hold_id, holds.c.status == "pending")
            .values(status=str(HoldStatus.EXPIRED))
            .returning(holds.c.debit_account_id, holds.c.amount)
        ).first()
        if changed is not None:  # a concurrent settlement may have won the race
            conn.execute(
                _release, {"account_id": changed.debit_account_id, "amount": changed.amount}
            )
            expired.append(load_hold(conn, hold_id))
    return expired
