"""The posting engine: writes one balanced transaction and keeps balances current.

Order of writes, and why:

1. Each account's balance is changed by one conditional ``UPDATE``, in account-id
   order, that succeeds only if the account is active and stays within its limits.
   The row lock it takes is held to commit, so concurrent transfers on one account
   queue here and each re-checks the limit against the latest balance: nothing is
   lost, nothing overdrawn, and the fixed order keeps two transfers from waiting on
   each other. ``RETURNING balance`` gives each posting its ``balance_after``.
   PostgreSQL receives a transaction's updates in one round trip, after its key's
   claim when a transfer claims one (see :meth:`PostingSession.claim_and_write`), and
   runs them in that order; a batch sends every transaction's updates at once, in the
   transactions' order.
2. The postings are written, stamped after the locks were taken, so within an account
   later postings never carry earlier times (the "as of" queries rely on it).
3. The transaction's header row comes last: on SQLite its insertion is what checks
   that the postings balance (see the first migration).
4. The transaction is handed to the journal: chained inline on SQLite, queued on
   PostgreSQL for the sealer (see :mod:`monnaie_locale.journal`), each with the mark
   only the service can make (the queue row's covers the transaction's content).

These statements run on the connection's DBAPI cursor, rendered once per dialect (see
:mod:`monnaie_locale.ledger.fast_sql` for why); on PostgreSQL steps 2 to 4 are one
statement, for a transaction or for a whole batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Connection, select

from monnaie_locale import journal
from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.errors import (
    AccountNotActive,
    CurrencyMismatch,
    InsufficientFunds,
    LimitExceeded,
    MonnaieLocaleError,
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
from monnaie_locale.ledger.accounts import AccountRef, get_account, read_this_transaction
from monnaie_locale.ledger.fast_sql import LOCKED, MOVED, FastCursor, Rendered
from monnaie_locale.ledger.idempotency import claimed
from monnaie_locale.ledger.periods import check_open
from monnaie_locale.model import (
    AccountStatus,
    Leg,
    Posting,
    Transaction,
    TransferRequest,
    check_balanced,
)
from monnaie_locale.store.group_commit import RunApart
from monnaie_locale.store.tables import accounts, postings, transactions

__all__ = [
    "PostingSession",
    "load_batch",
    "load_transaction",
    "write_transaction",
]


def _refusal(conn: Connection, code: str, delta: int, *, applied_since: int = 0) -> Exception:
    """Explain why a conditional balance update matched no row.

    ``applied_since``: what this transaction changed the balance by after that update.
    """
    current = get_account(conn, code)
    if current.status is not AccountStatus.ACTIVE:
        return AccountNotActive(code, str(current.status))
    if delta < 0:
        available = current.available - applied_since
        return InsufficientFunds(code, needed=-delta, available=available)
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


class _Pending(NamedTuple):
    """A transaction whose balances are changed, its rows not yet written."""

    request: TransferRequest
    ordered: list[Leg]  # its legs in account-id order
    after: dict[str, int]  # each account's balance after it
    header: HeaderValues
    header_row: dict[str, Any]


class PostingSession:
    """Writes transactions on one connection through its DBAPI cursor (see fast_sql).

    A batch shares one session: its accounts are looked up once, and on SQLite the last
    journal entry is kept in memory (nobody else writes while this transaction holds the
    write lock). Accounts :func:`~monnaie_locale.ledger.accounts.kinds_of` read earlier
    in the same transaction are not looked up again.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.cursor = FastCursor(conn)
        self._accounts: dict[str, AccountRef] = read_this_transaction(conn)
        self._last_entry: tuple[int, str] | None = None
        self._key = key_of(conn)

    def __enter__(self) -> PostingSession:
        return self

    def __exit__(self, *_: object) -> None:
        self.cursor.close()

    def look_up(self, codes: Iterable[str]) -> None:
        """Fetch the accounts named in ``codes`` not fetched yet (missing ones are skipped)."""
        wanted = self.not_known(codes)
        if wanted:
            self.remember(self.cursor.run(*self.lookup_statement(wanted)).fetchall())

    def not_known(self, codes: Iterable[str]) -> list[str]:
        """Which of ``codes`` this session has not looked up yet."""
        return [code for code in dict.fromkeys(codes) if code not in self._accounts]

    def lookup_statement(self, wanted: Sequence[str]) -> tuple[Rendered, dict[str, str]]:
        """The statement that looks up the accounts ``wanted``, and its values."""
        statement = self.cursor.sql.accounts_lookup(len(wanted))
        return statement, {f"code{i}": code for i, code in enumerate(wanted)}

    def remember(self, rows: Iterable[Sequence[Any]]) -> None:
        """Keep the rows of :meth:`lookup_statement` (id, code, currency, status)."""
        for account_id, code, currency, status in rows:
            self._accounts[code] = AccountRef(account_id, currency, status)

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
        ordered = self.checked(request, currencies)
        rows = self.cursor.first_rows(self._updates(ordered))
        after = self._balances_after(ordered, rows)
        pending = self._pending(
            request, ordered, after, transaction_id, clock, idempotency_key, batch, reverses
        )
        if self.cursor.sql.is_postgres:
            inserted = self.cursor.run_sql(*self._combined(pending)).fetchall()
            return self._recorded(pending, self._posting_ids(pending, inserted))
        return self._recorded(pending, self._insert_inline(pending))

    def can_write(self, request: TransferRequest) -> bool:
        """Whether ``request``'s accounts exist, are active and hold currencies that
        balance, as far as this session knows (looking up the accounts it does not know).

        The paths that send the key's claim with the balance updates use it: a request
        that fails these checks goes the plain way, which claims the key first, so a
        retried call still gets its first result rather than this refusal.
        """
        if request.on is not None:
            return False  # its period is checked by a statement of its own
        try:
            self.checked(request, None)
        except MonnaieLocaleError:
            return False
        return True

    def checked(self, request: TransferRequest, currencies: dict[str, str] | None) -> list[Leg]:
        """``request``'s legs in account-id order, once its accounts are found active, in
        the currencies stated, and balanced in each; its day in an open period."""
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
        return sorted(request.legs, key=lambda leg: found[leg.account].id)

    def claim_and_write(
        self, request: TransferRequest, *, claim: dict[str, Any], clock: Clock, key: str
    ) -> Transaction | None:
        """PostgreSQL: claim the key (``claim``, the values of ``sql.claim``) and change
        the balances in one round trip, then write the rows of a request
        :meth:`can_write`.

        The claim runs first: a duplicate still waits on the key's first call there. If
        the key turns out taken, the balance changes just made are given back (this
        transaction holds their rows' locks, so nothing else moved them meanwhile) and
        None is returned: the caller answers with the first call's result.
        """
        ordered = self.checked(request, None)
        sql = self.cursor.sql
        rows = self.cursor.first_rows([(sql.claim, claim), *self._updates(ordered)])
        if rows[0] is None:
            for leg, row in zip(ordered, rows[1:], strict=True):
                if row is not None:
                    account_id = self._accounts[leg.account].id
                    self.cursor.run(sql.undo, {"account_id": account_id, "delta": leg.amount})
            return None
        _, transaction_id = claimed(rows[0])
        after = self._balances_after(ordered, rows[1:])
        pending = self._pending(request, ordered, after, transaction_id, clock, key, None, None)
        inserted = self.cursor.run_sql(*self._combined(pending)).fetchall()
        return self._recorded(pending, self._posting_ids(pending, inserted))

    def write_many(
        self,
        requests: Sequence[TransferRequest],
        *,
        ids: Sequence[int],
        clock: Clock,
        batch: str,
        key: str,
    ) -> list[Transaction]:
        """PostgreSQL: post ``requests`` as transactions ``ids`` of ``batch`` (the first
        carrying ``key``), in three round trips whatever their number.

        Every account is locked and changed once, in one round trip, as
        :meth:`write_together` does; then every request's rows go in another. If an
        account refuses, that change is undone and the updates go one by one, in the
        requests' order (each request's in account-id order), so that the refusal is the
        first request's that one-by-one posting would have refused. Requests that fail
        the checks of :meth:`checked` go one by one instead, for the same error as before.
        """
        try:
            legs = [self.checked(request, None) for request in requests]
        except MonnaieLocaleError:
            return [
                self.write(
                    request,
                    transaction_id=transaction_id,
                    clock=clock,
                    batch=batch,
                    idempotency_key=key if index == 0 else None,
                )
                for index, (request, transaction_id) in enumerate(zip(requests, ids, strict=True))
            ]
        afters = self._moved_together(legs)
        if afters is None:  # refused: the updates one by one say which request
            afters = self._moved_one_by_one(legs)
        pending = []
        for index, (request, ordered, after) in enumerate(zip(requests, legs, afters, strict=True)):
            pending.append(
                self._pending(
                    request,
                    ordered,
                    after,
                    ids[index],
                    clock,
                    key if index == 0 else None,
                    batch,
                    None,
                )
            )
        return self._insert_many(pending)

    def write_together(
        self,
        requests: Sequence[TransferRequest],
        *,
        claims: Sequence[dict[str, Any]],
        clocks: Sequence[Clock],
        vet: Callable[[dict[str, tuple[str, str]]], None],
    ) -> list[Transaction]:
        """PostgreSQL: post each of ``requests`` as its own transaction under its own key
        (``claims[i]``, the values of ``sql.claim``), exactly as one by one, in two
        statements whatever their number; or raise :class:`RunApart`, having moved nothing
        that the caller's savepoint does not undo.

        The first statement claims every key, looks up and locks every account in id
        order, and changes each once by the sum of its legs, its limits checked at each
        step of the running balance (see ``sql.claim_and_move``): since an account's balance
        depends only on its own changes, in the requests' order, each posting's balance
        after is what one-by-one posting gives it, and so is each acceptance. ``vet``
        sees each account's kind and currency (by code) and raises :class:`RunApart` for any the
        caller's rules refuse. Whenever one by one might answer otherwise for any request
        (an account unknown, refused or inactive, a key already taken, a change refused),
        nothing here says which: :class:`RunApart`, and each runs alone for its answer.
        The second writes every transaction's rows.
        """
        if any(request.on is not None for request in requests):
            raise RunApart("a dated request has its period checked by a statement of its own")
        moves = _moves(request.legs for request in requests)
        values = {
            "keys": [claim["key"] for claim in claims],
            "fingerprints": [claim["fingerprint"] for claim in claims],
            "prefixes": [claim["prefix"] for claim in claims],
            "created": [claim["created_at"] for claim in claims],
            **_move_values(moves),
        }
        taken, found, moved = _claimed_locked_moved(
            self.cursor.run_sql(self.cursor.sql.claim_and_move, values).fetchall()
        )
        refs = dict(taken)
        if len(refs) != len(claims):  # a key taken before, or twice among these
            raise RunApart("an idempotency key is already taken")
        if len(found) != len(moves):
            raise RunApart("an account is unknown")
        self.remember(
            (account_id, code, currency, status) for account_id, code, _, currency, status in found
        )
        vet({code: (kind, currency) for _, code, kind, currency, _ in found})
        try:
            ordered = [self.checked(request, None) for request in requests]
        except MonnaieLocaleError as refused:
            raise RunApart(str(refused)) from refused
        if len(moved) != len(moves):
            raise RunApart("a balance change is refused")
        pending = [
            self._pending(
                request,
                legs,
                after,
                claimed((refs[claim["key"]],))[1],
                clock,
                claim["key"],
                None,
                None,
            )
            for request, legs, after, claim, clock in zip(
                requests, ordered, _afters(ordered, moves, moved), claims, clocks, strict=True
            )
        ]
        return self._insert_many(pending)

    def _insert_many(self, pending: Sequence[_Pending]) -> list[Transaction]:
        """PostgreSQL: the rows of every transaction of ``pending`` in one round trip."""
        statement, parameters = self._batch_rows(pending)
        by_leg: dict[int, list[tuple[int, int]]] = {one.header.id: [] for one in pending}
        for posting_id, transaction_id, account_id in self.cursor.run_sql(
            statement, parameters
        ).fetchall():
            by_leg[transaction_id].append((posting_id, account_id))
        return [
            self._recorded(one, self._posting_ids(one, by_leg[one.header.id])) for one in pending
        ]

    def _moved_together(self, legs: Sequence[list[Leg]]) -> list[dict[str, int]] | None:
        """Lock and change every account of ``legs`` (requests in order) once, inside a
        savepoint; each request's balances after, or None with nothing changed if an
        account refused (inactive, or a limit crossed at some step)."""
        moves = _moves(legs)
        statement = self.cursor.sql.lock_and_move
        _, rows = self.cursor.pipelined(
            [("SAVEPOINT moved_together", None), (statement, _move_values(moves))]
        )
        _, _, moved = _claimed_locked_moved(rows)
        if len(moved) != len(moves):
            self.cursor.run_sql("ROLLBACK TO SAVEPOINT moved_together", ())
            return None
        return _afters(legs, moves, moved)

    def _moved_one_by_one(self, legs: Sequence[list[Leg]]) -> list[dict[str, int]]:
        """Each balance update of ``legs`` (requests in order), in one round trip; each
        request's balances after, or the first refusal one by one would meet."""
        rows = self.cursor.first_rows(
            [update for ordered in legs for update in self._updates(ordered)]
        )
        afters, done = [], 0
        for index, ordered in enumerate(legs):
            mine = rows[done : done + len(ordered)]
            if any(row is None for row in mine):
                raise self._refusal_within(legs, rows, index)
            afters.append(
                {leg.account: int(row[0]) for leg, row in zip(ordered, mine, strict=True)}
            )
            done += len(ordered)
        return afters

    def _refusal_within(
        self, legs: Sequence[list[Leg]], rows: Sequence[Any], index: int
    ) -> Exception:
        """The refusal of request ``index`` of a batch whose updates all ran: its account
        is read as the requests before it left it (the later ones' changes taken out)."""
        done = sum(len(ordered) for ordered in legs[:index])
        offset = next(
            i for i, row in enumerate(rows[done : done + len(legs[index])]) if row is None
        )
        leg = legs[index][offset]
        later = 0
        position = done + len(legs[index])
        for ordered in legs[index + 1 :]:
            for other in ordered:
                if other.account == leg.account and rows[position] is not None:
                    later += other.amount
                position += 1
        return _refusal(self.conn, leg.account, leg.amount, applied_since=later)

    def _updates(self, ordered: Sequence[Leg]) -> list[tuple[Rendered, dict[str, int]]]:
        sql, found = self.cursor.sql, self._accounts
        return [
            (
                sql.debit if leg.amount < 0 else sql.credit,
                {"account_id": found[leg.account].id, "delta": leg.amount},
            )
            for leg in ordered
        ]

    def _balances_after(self, ordered: Sequence[Leg], rows: Sequence[Any]) -> dict[str, int]:
        after: dict[str, int] = {}
        for leg, row in zip(ordered, rows, strict=False):
            if row is None:
                raise _refusal(self.conn, leg.account, leg.amount)
            after[leg.account] = int(row[0])
        return after

    def _pending(
        self,
        request: TransferRequest,
        ordered: list[Leg],
        after: dict[str, int],
        transaction_id: int,
        clock: Clock,
        idempotency_key: str | None,
        batch: str | None,
        reverses: int | None,
    ) -> _Pending:
        """Stamp the transaction (its balances changed, so its locks are taken)."""
        sql = self.cursor.sql
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
        return _Pending(request, ordered, after, header, header_row)

    def _recorded(self, pending: _Pending, posting_ids: Sequence[int]) -> Transaction:
        """The transaction written, as returned; on SQLite, sealed into the journal."""
        found, request, header = self._accounts, pending.request, pending.header
        values = [
            PostingValues(
                posting_id,
                found[leg.account].id,
                found[leg.account].currency,
                leg.amount,
                pending.after[leg.account],
            )
            for posting_id, leg in zip(posting_ids, pending.ordered, strict=True)
        ]
        if not self.cursor.sql.is_postgres:
            self._chain(header, values, pending.header_row["created_at"])
        return Transaction(
            id=header.id,
            kind=request.kind,
            memo=request.memo,
            reference=request.reference,
            created_at=header.created_at,
            reverses=header.reverses_id,
            batch=header.batch,
            idempotency_key=header.idempotency_key,
            on=request.on,
            postings=tuple(
                Posting(
                    id=value.id,
                    transaction_id=header.id,
                    account=leg.account,
                    currency=value.currency,
                    amount=leg.amount,
                    balance_after=value.balance_after,
                    created_at=header.created_at,
                )
                for value, leg in zip(values, pending.ordered, strict=True)
            ),
        )

    def _insert_inline(self, pending: _Pending) -> list[int]:
        """SQLite: each posting, then the header, whose insertion checks the balance."""
        cursor, sql, found = self.cursor, self.cursor.sql, self._accounts
        header_row = pending.header_row
        posting_ids = []
        for leg in pending.ordered:
            account = found[leg.account]
            row = cursor.run(
                sql.posting,
                {
                    "transaction_id": header_row["id"],
                    "account_id": account.id,
                    "currency": account.currency,
                    "amount": leg.amount,
                    "balance_after": pending.after[leg.account],
                    "created_at": header_row["created_at"],
                },
            ).fetchone()
            posting_ids.append(int(row[0]))
        cursor.run(sql.dated_header if "operation_date" in header_row else sql.header, header_row)
        return posting_ids

    def _combined(self, pending: _Pending) -> tuple[str, dict[str, Any]]:
        """PostgreSQL: the statement writing postings, header and marked journal-queue row
        in one round trip, and its parameters."""
        found, header_row = self._accounts, pending.header_row
        parameters = {**header_row, "tid": header_row["id"], "at": header_row["created_at"]}
        legs = []
        for i, leg in enumerate(pending.ordered):
            account = found[leg.account]
            balance = pending.after[leg.account]
            parameters[f"a{i}"] = account.id
            parameters[f"c{i}"] = account.currency
            parameters[f"m{i}"] = leg.amount
            parameters[f"b{i}"] = balance
            legs.append((account.id, account.currency, leg.amount, balance))
        parameters["mac"] = queue_mark(self._key, pending.header, legs)
        statement = self.cursor.sql.combined_insert(
            len(pending.ordered), dated="operation_date" in header_row
        )
        return statement, parameters

    def _batch_rows(self, pending: Sequence[_Pending]) -> tuple[str, dict[str, Any]]:
        """PostgreSQL: the statement writing the rows of every transaction of ``pending``
        in one round trip (see ``sql.batch_insert``), and its parameters."""
        found = self._accounts
        dated = any("operation_date" in one.header_row for one in pending)
        headers: dict[str, list[Any]] = {}
        rows: dict[str, list[Any]] = {
            name: []
            for name in (
                "p_transaction_id",
                "p_account_id",
                "p_currency",
                "p_amount",
                "p_balance_after",
                "p_created_at",
                "q_transaction_id",
                "q_mac",
            )
        }
        for one in pending:
            header_row = one.header_row
            for name, value in header_row.items():
                headers.setdefault(f"h_{name}", []).append(value)
            if dated and "operation_date" not in header_row:
                headers.setdefault("h_operation_date", []).append(None)
            legs = []
            for leg in one.ordered:
                account = found[leg.account]
                balance = one.after[leg.account]
                rows["p_transaction_id"].append(header_row["id"])
                rows["p_account_id"].append(account.id)
                rows["p_currency"].append(account.currency)
                rows["p_amount"].append(leg.amount)
                rows["p_balance_after"].append(balance)
                rows["p_created_at"].append(header_row["created_at"])
                legs.append((account.id, account.currency, leg.amount, balance))
            rows["q_transaction_id"].append(header_row["id"])
            rows["q_mac"].append(queue_mark(self._key, one.header, legs))
        return self.cursor.sql.batch_insert(dated=dated), {**rows, **headers}

    def _posting_ids(self, pending: _Pending, rows: Iterable[Sequence[Any]]) -> list[int]:
        """The combined insert's rows (posting id, account id) in the legs' order."""
        by_account = {account_id: posting_id for posting_id, account_id in rows}
        return [int(by_account[self._accounts[leg.account].id]) for leg in pending.ordered]

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


# An account's changes by a run of requests: their sum, the lowest running sum after a
# debit and the highest after a credit (None: no debit, no credit), what
# ``sql.lock_and_move`` checks the account's limits against.
_Move = tuple[int, int | None, int | None]


def _moves(legs: Iterable[Iterable[Leg]]) -> dict[str, _Move]:
    """Each account's changes by ``legs`` (each request's, in the requests' order)."""
    moves: dict[str, _Move] = {}
    for request_legs in legs:
        for leg in request_legs:
            total, low, high = moves.get(leg.account, (0, None, None))
            total += leg.amount
            if leg.amount < 0:
                low = total if low is None else min(low, total)
            else:
                high = total if high is None else max(high, total)
            moves[leg.account] = (total, low, high)
    return moves


def _claimed_locked_moved(
    rows: Iterable[Sequence[Any]],
) -> tuple[list[tuple[str, str]], list[tuple[Any, ...]], list[tuple[str, int]]]:
    """The rows of ``sql.claim_and_move`` or ``sql.lock_and_move``, apart: the keys
    claimed (key, result ref), the accounts found (id, code, kind, currency, status) and
    those changed (code, balance)."""
    taken, found, moved = [], [], []
    for part, code, text, number, currency, status in rows:
        if part == MOVED:
            moved.append((code, number))
        elif part == LOCKED:
            found.append((number, code, text, currency, status))
        else:
            taken.append((code, text))
    return taken, found, moved


def _move_values(moves: dict[str, _Move]) -> dict[str, list[Any]]:
    """The arrays of ``sql.lock_and_move`` for ``moves``."""
    return {
        "codes": list(moves),
        "totals": [total for total, _, _ in moves.values()],
        "lows": [low for _, low, _ in moves.values()],
        "highs": [high for _, _, high in moves.values()],
    }


def _afters(
    legs: Sequence[Sequence[Leg]], moves: dict[str, _Move], moved: Iterable[Sequence[Any]]
) -> list[dict[str, int]]:
    """Each request's balances after, from each account's balance after them all
    (``moved``: code, balance): an account's balance depends only on its own changes, in
    the requests' order, so each step is what one-by-one posting gives it."""
    running = {code: int(balance) - moves[code][0] for code, balance in moved}
    afters = []
    for request_legs in legs:
        after = {}
        for leg in request_legs:
            running[leg.account] += leg.amount
            after[leg.account] = running[leg.account]
        afters.append(after)
    return afters


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
