"""The posting engine: writes one balanced transaction and keeps balances current.

Order of writes, and why:

1. Each account's balance is changed by one conditional ``UPDATE``, in account-id
   order, that succeeds only if the account is active and stays within its limits.
   The row lock it takes is held to commit, so concurrent transfers on one account
   queue here and each re-checks the limit against the latest balance: nothing is
   lost, nothing overdrawn, and the fixed order keeps two transfers from waiting on
   each other. ``RETURNING balance`` gives each posting its ``balance_after``.
2. The postings are written, stamped after the locks were taken, so within an account
   later postings never carry earlier times (the "as of" queries rely on it).
3. The transaction's header row comes last: on SQLite its insertion is what checks
   that the postings balance (see the first migration).
4. The transaction is handed to the journal (:func:`monnaie_locale.journal.record`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from monnaie_locale import journal
from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.errors import (
    AccountNotActive,
    CurrencyMismatch,
    InsufficientFunds,
    LimitExceeded,
    UnknownTransaction,
)
from monnaie_locale.journal import HeaderValues, PostingValues
from monnaie_locale.ledger.accounts import accounts_by_code, get_account
from monnaie_locale.model import (
    Account,
    AccountStatus,
    Posting,
    Transaction,
    TransferRequest,
    check_balanced,
)
from monnaie_locale.store.tables import accounts, postings, transactions

__all__ = ["apply_delta", "load_batch", "load_transaction", "write_transaction"]

_debit = (
    update(accounts)
    .where(
        accounts.c.id == bindparam("account_id"),
        accounts.c.status == "active",
        (accounts.c.lower_limit.is_(None))
        | (accounts.c.balance - accounts.c.held + bindparam("delta") >= accounts.c.lower_limit),
    )
    .values(balance=accounts.c.balance + bindparam("delta"))
    .returning(accounts.c.balance)
)

_credit = (
    update(accounts)
    .where(
        accounts.c.id == bindparam("account_id"),
        accounts.c.status == "active",
        (accounts.c.upper_limit.is_(None))
        | (accounts.c.balance + bindparam("delta") <= accounts.c.upper_limit),
    )
    .values(balance=accounts.c.balance + bindparam("delta"))
    .returning(accounts.c.balance)
)


def apply_delta(conn: Connection, account: Account, delta: int) -> int:
    """Add ``delta`` to the account's balance within its limits; return the new balance."""
    statement = _debit if delta < 0 else _credit
    balance = conn.execute(statement, {"account_id": account.id, "delta": delta}).scalar()
    if balance is None:
        raise _refusal(conn, account.code, delta)
    return int(balance)


def _refusal(conn: Connection, code: str, delta: int) -> Exception:
    """Explain why a conditional balance update matched no row."""
    current = get_account(conn, code)
    if current.status is not AccountStatus.ACTIVE:
        return AccountNotActive(code, str(current.status))
    if delta < 0:
        return InsufficientFunds(code, needed=-delta, available=current.available)
    assert current.upper_limit is not None
    return LimitExceeded(code, amount=delta, upper_limit=current.upper_limit)


def write_transaction(
    conn: Connection,
    request: TransferRequest,
    *,
    transaction_id: int,
    clock: Clock,
    idempotency_key: str | None = None,
    batch: str | None = None,
    reverses: int | None = None,
    currencies: dict[str, str] | None = None,
) -> Transaction:
    """Post ``request`` as transaction ``transaction_id``; the caller owns the DB transaction.

    ``currencies`` optionally states each leg's expected currency (account code ->
    currency code); a leg whose account holds another currency is refused.
    """
    found = accounts_by_code(conn, (leg.account for leg in request.legs))
    for leg in request.legs:
        account = found[leg.account]
        if currencies and currencies.get(leg.account, account.currency) != account.currency:
            raise CurrencyMismatch(leg.account, account.currency, currencies[leg.account])
        if account.status is not AccountStatus.ACTIVE:
            raise AccountNotActive(account.code, str(account.status))
    check_balanced((found[leg.account].currency, leg.amount) for leg in request.legs)

    ordered = sorted(request.legs, key=lambda leg: found[leg.account].id)
    balances_after = {
        leg.account: apply_delta(conn, found[leg.account], leg.amount) for leg in ordered
    }

    stamp = clock()
    rows: list[dict[str, Any]] = [
        {
            "transaction_id": transaction_id,
            "account_id": found[leg.account].id,
            "currency": found[leg.account].currency,
            "amount": leg.amount,
            "balance_after": balances_after[leg.account],
            "created_at": stamp,
        }
        for leg in ordered
    ]
    posting_ids = (
        conn.execute(insert(postings).returning(postings.c.id, sort_by_parameter_order=True), rows)
        .scalars()
        .all()
    )
    header = HeaderValues(
        id=transaction_id,
        kind=request.kind,
        memo=request.memo,
        reference=request.reference,
        created_at=stamp,
        reverses_id=reverses,
        batch=batch,
        idempotency_key=idempotency_key,
    )
    conn.execute(insert(transactions).values(header._asdict()))
    journal.record(
        conn,
        header,
        [
            PostingValues(
                posting_id, row["account_id"], row["currency"], row["amount"], row["balance_after"]
            )
            for posting_id, row in zip(posting_ids, rows, strict=True)
        ],
    )
    return Transaction(
        id=transaction_id,
        kind=request.kind,
        memo=request.memo,
        reference=request.reference,
        created_at=stamp,
        reverses=reverses,
        batch=batch,
        idempotency_key=idempotency_key,
        postings=tuple(
            Posting(
                id=posting_id,
                transaction_id=transaction_id,
                account=leg.account,
                currency=row["currency"],
                amount=leg.amount,
                balance_after=row["balance_after"],
                created_at=stamp,
            )
            for posting_id, leg, row in zip(posting_ids, ordered, rows, strict=True)
        ),
    )


def load_transaction(conn: Connection, transaction_id: int) -> Transaction:
    """Read a committed transaction with its postings; :class:`UnknownTransaction` if none."""
    header = conn.execute(select(transactions).where(transactions.c.id == transaction_id)).first()
    if header is None:
        raise UnknownTransaction(transaction_id)
    return _transaction_from_rows(conn, [header])[0]


def load_batch(conn: Connection, batch: str) -> list[Transaction]:
    headers = conn.execute(
        select(transactions).where(transactions.c.batch == batch).order_by(transactions.c.id)
    ).all()
    return _transaction_from_rows(conn, headers)


def _transaction_from_rows(conn: Connection, headers: Sequence[Any]) -> list[Transaction]:
    ids = [header.id for header in headers]
    posting_rows = conn.execute(
        select(postings, accounts.c.code)
        .join(accounts, accounts.c.id == postings.c.account_id)
        .where(postings.c.transaction_id.in_(ids))
        .order_by(postings.c.id)
    ).all()
    by_transaction: dict[int, list[Posting]] = {tid: [] for tid in ids}
    for row in posting_rows:
        by_transaction[row.transaction_id].append(
            Posting(
                id=row.id,
                transaction_id=row.transaction_id,
                account=row.code,
                currency=row.currency,
                amount=row.amount,
                balance_after=row.balance_after,
                created_at=as_utc(row.created_at),
            )
        )
    return [
        Transaction(
            id=header.id,
            kind=header.kind,
            memo=header.memo,
            reference=header.reference,
            created_at=as_utc(header.created_at),
            reverses=header.reverses_id,
            batch=header.batch,
            idempotency_key=header.idempotency_key,
            postings=tuple(by_transaction[header.id]),
        )
        for header in headers
    ]
