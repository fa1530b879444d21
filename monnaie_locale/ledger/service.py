"""Idempotent ledger operations on a connection: the building blocks of every use case.

Each function claims its idempotency key first, then either writes or returns the first
result. They run inside a transaction owned by the caller (``Database.write``), so a
currency operation can post a transfer and record its own rows in one commit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from monnaie_locale.clock import Clock
from monnaie_locale.errors import AlreadyReversed, InvalidRequest
from monnaie_locale.ledger import holds
from monnaie_locale.ledger.holds import load_hold, settle_hold
from monnaie_locale.ledger.idempotency import (
    claim_key,
    claim_values,
    claim_with_id,
    claimed,
    first_call,
    record_result,
)
from monnaie_locale.ledger.posting import (
    PostingSession,
    load_batch,
    load_transaction,
    write_transaction,
)
from monnaie_locale.model import Hold, Leg, Transaction, TransferRequest
from monnaie_locale.store.database import allocate_transaction_id
from monnaie_locale.store.group_commit import RunApart, begin_on_server, not_begun
from monnaie_locale.store.tables import transactions

__all__ = [
    "place_hold",
    "post_batch",
    "post_hold",
    "post_transfer",
    "post_transfers",
    "reverse",
    "void_hold",
]


def _ref_id(result_ref: str, prefix: str) -> int:
    kind, _, value = result_ref.partition(":")
    if kind != prefix:
        raise InvalidRequest(f"this idempotency key was used for a {kind}, not a {prefix}")
    return int(value)


def post_transfer(
    conn: Connection, request: TransferRequest, *, idempotency_key: str, clock: Clock
) -> Transaction:
    """Post ``request`` once per ``idempotency_key``.

    On PostgreSQL the key's claim goes with the balance updates, in one round trip (see
    :meth:`PostingSession.claim_and_write`), for a request whose accounts are known and
    fit; any other claims the key first.
    """
    fingerprint = "transfer|" + request.fingerprint()
    with PostingSession(conn) as session:
        cursor = session.cursor
        if cursor.sql.is_postgres and session.can_write(request):
            values = claim_values(
                cursor, idempotency_key, fingerprint=fingerprint, now=clock(), kind="transaction"
            )
            posted = session.claim_and_write(
                request, claim=values, clock=clock, key=idempotency_key
            )
            if posted is not None:
                return posted
            claim = first_call(conn, idempotency_key, str(values["fingerprint"]))
            return load_transaction(conn, _ref_id(claim.result_ref, "transaction"))
        claim, transaction_id = claim_with_id(
            cursor, idempotency_key, fingerprint=fingerprint, now=clock(), kind="transaction"
        )
        if not claim.fresh:
            return load_transaction(conn, _ref_id(claim.result_ref, "transaction"))
        return session.write(
            request, transaction_id=transaction_id, clock=clock, idempotency_key=idempotency_key
        )


def post_transfers(
    conn: Connection,
    payments: Sequence[tuple[TransferRequest, str, Clock]],
    *,
    vet: Callable[[dict[str, tuple[str, str]]], None],
) -> list[Transaction]:
    """:func:`post_transfer` for each (request, idempotency key, clock) of ``payments``,
    written together: the same transactions in a few round trips whatever their number
    (see :meth:`PostingSession.write_together`). ``vet`` sees the kind and currency of each
    account named, by code, and raises ``RunApart`` for any the caller's rules refuse.

    PostgreSQL only. Raises :class:`~monnaie_locale.store.group_commit.RunApart` whenever
    one by one might answer otherwise for any of them (a key already used among them, a
    refusal): the caller then rolls back to its savepoint and posts them one by one.
    """
    return _written_together(conn, payments, vet)


def _written_together(
    conn: Connection,
    payments: Sequence[tuple[TransferRequest, str, Clock]],
    vet: Callable[[dict[str, tuple[str, str]]], None],
) -> list[Transaction]:
    with PostingSession(conn) as session:
        cursor = session.cursor
        if not cursor.sql.is_postgres:
            raise RunApart("payments are written together on PostgreSQL only")
        claims = [
            claim_values(
                cursor,
                key,
                fingerprint="transfer|" + request.fingerprint(),
                now=clock(),
                kind="transaction",
            )
            for request, key, clock in payments
        ]
        return session.write_together(
            [request for request, _, _ in payments],
            claims=claims,
            clocks=[clock for _, _, clock in payments],
            vet=vet,
        )


def post_transfer_at_once(
    conn: Connection,
    request: TransferRequest,
    *,
    idempotency_key: str,
    clock: Clock,
    vet: Callable[[dict[str, tuple[str, str]]], None],
) -> Transaction | None:
    """:func:`post_transfer` as a transaction's first write on PostgreSQL, written as
    :func:`post_transfers` writes a group's payments; or None, with nothing written.

    Four round trips instead of five, and fewer statements: BEGIN goes with a savepoint,
    then one statement claims the key, finds the accounts (``vet`` sees their kinds, as
    in :func:`post_transfers`) and moves them, one writes the rows, and COMMIT.

    None wherever that could answer otherwise than :func:`post_transfer` (a refusal, a
    key already used, an account ``vet`` refuses: rolled back to the savepoint), for a
    dated request, on SQLite, and once the transaction has begun (a group's member, an
    act that wrote before): the caller then posts it the usual way, for its answer.
    """
    if request.on is not None or not not_begun(conn):
        return None
    begin_on_server(conn, _AT_ONCE)
    try:
        return _written_together(conn, [(request, idempotency_key, clock)], vet)[0]
    except RunApart:
        conn.exec_driver_sql("ROLLBACK TO SAVEPOINT at_once")
        return None


# Plans look accounts up by key, as a group's do (see store.group_commit.POSTGRES).
_AT_ONCE = "BEGIN; SET LOCAL enable_seqscan = off; SAVEPOINT at_once"


def post_batch(
    conn: Connection, requests: Sequence[TransferRequest], *, idempotency_key: str, clock: Clock
) -> list[Transaction]:
    """Post linked transactions that all succeed or all fail, once per key.

    On PostgreSQL a batch takes five round trips whatever its size: BEGIN; the key's
    claim, the accounts' look-up and the other transactions' ids; every balance update;
    every transaction's rows (see :meth:`PostingSession.write_many`); COMMIT.
    """
    if not requests:
        raise InvalidRequest("a batch needs at least one transfer")
    fingerprint = "batch|" + "||".join(r.fingerprint() for r in requests)
    with PostingSession(conn) as session:
        cursor = session.cursor
        if cursor.sql.is_postgres:
            return _post_batch_postgres(session, requests, idempotency_key, fingerprint, clock)
        claim, first_id = claim_with_id(
            cursor, idempotency_key, fingerprint=fingerprint, now=clock(), kind="batch"
        )
        if not claim.fresh:
            return load_batch(conn, str(_ref_id(claim.result_ref, "batch")))
        batch = f"{first_id}"
        session.look_up(leg.account for request in requests for leg in request.legs)
        # SQLite has one writer at a time: the ids follow each other (max + 1 each time).
        return [
            session.write(
                request,
                transaction_id=first_id + index,
                clock=clock,
                batch=batch,
                idempotency_key=idempotency_key if index == 0 else None,
            )
            for index, request in enumerate(requests)
        ]


def _post_batch_postgres(
    session: PostingSession,
    requests: Sequence[TransferRequest],
    key: str,
    fingerprint: str,
    clock: Clock,
) -> list[Transaction]:
    cursor, sql = session.cursor, session.cursor.sql
    values = claim_values(cursor, key, fingerprint=fingerprint, now=clock(), kind="batch")
    statements: list[tuple[str, Any]] = [(sql.claim.sql, sql.claim.layout(values))]
    wanted = session.not_known(leg.account for request in requests for leg in request.legs)
    if wanted:
        lookup, codes = session.lookup_statement(wanted)
        statements.append((lookup.sql, lookup.layout(codes)))
    if len(requests) > 1:
        statements.append((sql.next_ids, {"n": len(requests) - 1}))
    results = cursor.pipelined(statements)
    if not results[0]:
        claim = first_call(session.conn, key, str(values["fingerprint"]))
        return load_batch(session.conn, str(_ref_id(claim.result_ref, "batch")))
    _, first_id = claimed(results[0][0])
    if wanted:
        session.remember(results[1])
    drawn = results[-1] if len(requests) > 1 else []
    ids = [first_id, *(int(row[0]) for row in drawn)]
    return session.write_many(requests, ids=ids, clock=clock, batch=f"{first_id}", key=key)


def reverse(
    conn: Connection,
    transaction_id: int,
    *,
    idempotency_key: str,
    clock: Clock,
    memo: str = "",
) -> Transaction:
    """Post the exact opposite of a transaction, linked to it; once per original."""
    new_id = allocate_transaction_id(conn)
    claim = claim_key(
        conn,
        idempotency_key,
        fingerprint=f"reverse|{transaction_id}|{memo}",
        now=clock(),
        result_ref=f"transaction:{new_id}",
    )
    if not claim.fresh:
        return load_transaction(conn, _ref_id(claim.result_ref, "transaction"))
    original = load_transaction(conn, transaction_id)
    if original.reverses is not None:
        raise InvalidRequest(
            f"transaction {transaction_id} is itself a reversal; post a new transfer instead"
        )
    already = conn.execute(
        select(transactions.c.id).where(transactions.c.reverses_id == transaction_id)
    ).first()
    if already is not None:
        raise AlreadyReversed(transaction_id)
    request = TransferRequest(
        legs=tuple(Leg(p.account, -p.amount) for p in original.postings),
        kind="reversal",
        memo=memo or f"reversal of transaction {transaction_id}",
    )
    try:
        return write_transaction(
            conn,
            request,
            transaction_id=new_id,
            clock=clock,
            idempotency_key=idempotency_key,
            reverses=transaction_id,
        )
    except IntegrityError as exc:  # a concurrent reversal of the same original won
        raise AlreadyReversed(transaction_id) from exc


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
    """Place a hold once per ``idempotency_key``."""
    now = clock()
    claim = claim_key(
        conn,
        idempotency_key,
        fingerprint=f"hold|{debit}|{credit}|{amount}|{expires_at}|{memo}",
        now=now,
    )
    if not claim.fresh:
        return load_hold(conn, _ref_id(claim.result_ref, "hold"))
    hold = holds.place_hold(
        conn, debit=debit, credit=credit, amount=amount, now=now, expires_at=expires_at, memo=memo
    )
    record_result(conn, idempotency_key, f"hold:{hold.id}")
    return hold


def post_hold(
    conn: Connection,
    hold_id: int,
    *,
    idempotency_key: str,
    clock: Clock,
    amount: int | None = None,
    kind: str = "hold_posted",
    memo: str = "",
) -> Transaction:
    """Post a hold (all of it, or ``amount``) once per ``idempotency_key``."""
    transaction_id = allocate_transaction_id(conn)
    claim = claim_key(
        conn,
        idempotency_key,
        fingerprint=f"post_hold|{hold_id}|{amount}|{kind}|{memo}",
        now=clock(),
        result_ref=f"transaction:{transaction_id}",
    )
    if not claim.fresh:
        return load_transaction(conn, _ref_id(claim.result_ref, "transaction"))
    _, transaction = settle_hold(
        conn,
        hold_id,
        amount=amount,
        transaction_id=transaction_id,
        clock=clock,
        kind=kind,
        memo=memo,
    )
    return transaction


def void_hold(conn: Connection, hold_id: int, *, clock: Clock) -> Hold:
    """Release a pending hold. Voiding twice is refused: the hold is no longer pending."""
    return holds.void_hold(conn, hold_id, now=clock())
