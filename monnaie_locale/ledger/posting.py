"""The posting engine: writes one balanced transaction and keeps balances current.

Order of writes, and why:

1. Each account's balance is changed by one conditional ``UPDATE``, in account-id
   order, that succeeds only if the account is active and stays within its limits.
   The row lock it takes is held to commit, so concurrent transfers on one account
   queue here and each re-checks the limit against the latest balance: nothing is
   lost, nothing overdrawn, and the fixed order keeps two transfers from waiting on
   each other. ``RETURNING balance`` gives each posting its ``balance_after``.
   PostgreSQL receives a transaction's updates in one round trip and runs them in
   that order.
2. The postings are written, stamped after the locks were taken, so within an account
   later postings never carry earlier times (the "as of" queries rely on it).
3. The transaction's header row comes last: on SQLite its insertion is what checks
   that the postings balance (see the first migration).
4. The transaction is handed to the journal: chained inline on SQLite, queued on
   PostgreSQL for the sealer (see :mod:`monnaie_locale.journal`), each with the mark
   only the service can make (the queue row's covers the transaction's content).

These statements run on the connection's DBAPI cursor, rendered once per dialect (see
:mod:`monnaie_locale.ledger.fast_sql` for why); on PostgreSQL steps 2 to 4 are one
statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, select

from monnaie_locale import journal
from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.errors import (
    AccountNotActive,
    CurrencyMismatch,
    InsufficientFunds,
    LimitExceeded,
    UnknownAccount,
    UnknownTransaction,
)
from monnaie_locale.journal_content import (
    HeaderValues,
    PostingValues,
    entry_mark,
    key_of,
    queue_mark,
)
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.ledger.fast_sql import FastCursor
from monnaie_locale.ledger.periods import check_open
from monnaie_locale.model import (
    AccountStatus,
    Leg,
    Posting,
    Transaction,
    TransferRequest,
    check_balanced,
)
from monnaie_locale.store.tables import accounts, postings, transactions

__all__ = [
    "PostingSession",
    "load_batch",
    "load_transaction",
    "write_transaction",
]


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
    with PostingSession(conn) as session:
        return session.write(
            request,
            transaction_id=transaction_id,
            clock=clock,
            idempotency_key=idempotency_key,
            batch=batch,
            reverses=reverses,
            currencies=currencies,
        )


class _AccountRef(NamedTuple):
    id: int
    currency: str
    status: str


class PostingSession:
    """Writes transactions on one connection through its DBAPI cursor (see fast_sql).

    A batch shares one session: its accounts are looked up once, and on SQLite the last
    journal entry is kept in memory (nobody else writes while this transaction holds the
    write lock).
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.cursor = FastCursor(conn)
        self._accounts: dict[str, _AccountRef] = {}
        self._last_entry: tuple[int, str] | None = None
        self._key = key_of(conn)

    def __enter__(self) -> PostingSession:
        return self

    def __exit__(self, *_: object) -> None:
        self.cursor.close()

    def look_up(self, codes: Iterable[str]) -> None:
        """Fetch the accounts named in ``codes`` not fetched yet (missing ones are skipped)."""
        wanted = [code for code in dict.fromkeys(codes) if code not in self._accounts]
        if not wanted:
            return
        statement = self.cursor.sql.accounts_lookup(len(wanted))
        rows = self.cursor.run(
            statement, {f"code{i}": code for i, code in enumerate(wanted)}
        ).fetchall()
        for account_id, code, currency, status in rows:
            self._accounts[code] = _AccountRef(account_id, currency, status)

    def write(
        self,
        request: TransferRequest,
        *,
        transaction_id: int,
        clock: Clock,
        idempotency_key: str | None = None,
        batch: str | None = None,
        reverses: int | None = None,
        currencies: dict[str, str] | None = None,
    ) -> Transaction:
        """Post ``request`` as transaction ``transaction_id`` (see the module's docstring)."""
        found = self._accounts
        if any(leg.account not in found for leg in request.legs):
            self.look_up(leg.account for leg in request.legs)
            for code in sorted({leg.account for leg in request.legs} - found.keys()):
                raise UnknownAccount(code)
        for leg in request.legs:
            account = found[leg.account]
            if currencies and currencies.get(leg.account, account.currency) != account.currency:
                raise CurrencyMismatch(leg.account, account.currency, currencies[leg.account])
            if account.status != AccountStatus.ACTIVE:
                raise AccountNotActive(leg.account, account.status)
        check_balanced((found[leg.account].currency, leg.amount) for leg in request.legs)
        if request.on is not None:
            check_open(self.conn, request.on)

        cursor, sql = self.cursor, self.cursor.sql
        ordered = sorted(request.legs, key=lambda leg: found[leg.account].id)
        balances_after: dict[str, int] = {}
        rows = cursor.first_rows(
            [
                (
                    sql.debit if leg.amount < 0 else sql.credit,
                    {"account_id": found[leg.account].id, "delta": leg.amount},
                )
                for leg in ordered
            ]
        )
        for leg, row in zip(ordered, rows, strict=False):
            if row is None:
                raise _refusal(self.conn, leg.account, leg.amount)
            balances_after[leg.account] = int(row[0])

        stamp = clock()
        header = HeaderValues(
            id=transaction_id,
            kind=request.kind,
            memo=request.memo,
            reference=request.reference,
            created_at=stamp,
            reverses_id=reverses,
            batch=batch,
            idempotency_key=idempotency_key,
            operation_date=request.on,
        )
        header_row: dict[str, Any] = {**header._asdict(), "created_at": sql.stamp(stamp)}
        if request.on is None:
            del header_row["operation_date"]
        else:
            header_row["operation_date"] = sql.day(request.on)
        if sql.is_postgres:
            posting_ids = self._insert_combined(header, header_row, ordered, balances_after)
        else:
            posting_ids = self._insert_inline(header_row, ordered, balances_after)
        values = [
            PostingValues(
                posting_id,
                found[leg.account].id,
                found[leg.account].currency,
                leg.amount,
                balances_after[leg.account],
            )
            for posting_id, leg in zip(posting_ids, ordered, strict=True)
        ]
        if not sql.is_postgres:
            self._chain(header, values, header_row["created_at"])
        return Transaction(
            id=transaction_id,
            kind=request.kind,
            memo=request.memo,
            reference=request.reference,
            created_at=stamp,
            reverses=reverses,
            batch=batch,
            idempotency_key=idempotency_key,
            on=request.on,
            postings=tuple(
                Posting(
                    id=value.id,
                    transaction_id=transaction_id,
                    account=leg.account,
                    currency=value.currency,
                    amount=leg.amount,
                    balance_after=value.balance_after,
                    created_at=stamp,
                )
                for value, leg in zip(values, ordered, strict=True)
            ),
        )

    def _insert_inline(
        self, header_row: dict[str, Any], ordered: Sequence[Leg], after: dict[str, int]
    ) -> list[int]:
        """SQLite: each posting, then the header, whose insertion checks the balance."""
        cursor, sql, found = self.cursor, self.cursor.sql, self._accounts
        posting_ids = []
        for leg in ordered:
            account = found[leg.account]
            row = cursor.run(
                sql.posting,
                {
                    "transaction_id": header_row["id"],
                    "account_id": account.id,
                    "currency": account.currency,
                    "amount": leg.amount,
                    "balance_after": after[leg.account],
                    "created_at": header_row["created_at"],
                },
            ).fetchone()
            posting_ids.append(int(row[0]))
        cursor.run(sql.dated_header if "operation_date" in header_row else sql.header, header_row)
        return posting_ids

    def _insert_combined(
        self,
        header: HeaderValues,
        header_row: dict[str, Any],
        ordered: Sequence[Leg],
        after: dict[str, int],
    ) -> list[int]:
        """PostgreSQL: postings, header and marked journal-queue row in one round trip."""
        found = self._accounts
        parameters = {**header_row, "tid": header_row["id"], "at": header_row["created_at"]}
        legs = []
        for i, leg in enumerate(ordered):
            account = found[leg.account]
            parameters[f"a{i}"] = account.id
            parameters[f"c{i}"] = account.currency
            parameters[f"m{i}"] = leg.amount
            parameters[f"b{i}"] = after[leg.account]
            legs.append((account.id, account.currency, leg.amount, after[leg.account]))
        parameters["mac"] = queue_mark(self._key, header, legs)
        statement = self.cursor.sql.combined_insert(
            len(ordered), dated="operation_date" in header_row
        )
        rows = self.cursor.run_sql(statement, parameters).fetchall()
        by_account = {account_id: posting_id for posting_id, account_id in rows}
        return [int(by_account[found[leg.account].id]) for leg in ordered]

    def _chain(self, header: HeaderValues, values: Sequence[PostingValues], sealed_at: Any) -> None:
        """SQLite: seal the transaction into the journal now (see :mod:`journal`)."""
        cursor, sql = self.cursor, self.cursor.sql
        if self._last_entry is None:
            row = cursor.run(sql.last_entry, {}).fetchone()
            self._last_entry = (0, journal.GENESIS) if row is None else (int(row[0]), row[1])
        seq, prev = self._last_entry
        digest = journal.entry_hash(prev, header, values)
        cursor.run(
            sql.entry,
            {
                "seq": seq + 1,
                "transaction_id": header.id,
                "prev_hash": prev,
                "hash": digest,
                "sealed_at": sealed_at,
                "mac": entry_mark(self._key, seq + 1, digest),
            },
        )
        self._last_entry = (seq + 1, digest)


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
            on=header.operation_date,
            postings=tuple(by_transaction[header.id]),
        )
        for header in headers
    ]
