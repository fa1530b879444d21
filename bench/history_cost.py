"""What a million postings of history cost a transfer: a big ledger against an empty one.

Two ledgers with the same funded members: one empty, one loaded with ``--postings``
postings (two-leg transfers among the members, each with its idempotency key, sealed
into the journal). The same number of transfers is then timed on each, through the
transfer act (:func:`monnaie_locale.acts.transfers.transfer`, called by the association's
administrator, ``seal_after_commit`` on), round after round alternating the two; the
figure is the ratio of the median time per transfer, big over empty. Reading a balance
or posting a transfer should not depend on how much history lies behind the accounts.

The load goes through raw SQL in one database transaction, in large chunks (``COPY`` on
PostgreSQL), with every trigger on: the keys and postings of each chunk, then their
headers (on SQLite each header checks that its postings balance; on PostgreSQL the
deferred trigger checks every posting at commit), then their journal-queue rows, marked
with the ledger's key as the posting path marks them, and finally the accounts'
balances; the journal is then sealed by the ledger's own sealer and verified. SQLite by
default; ``--postgres`` runs the same on PostgreSQL, in scratch schemas. Run with
``python -m bench.history_cost``.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, insert, select, text, update

from bench.common import (
    POSTGRES_URL,
    Series,
    admin_context,
    fresh_sqlite,
    member_code,
    new_key,
    populate,
    print_table,
    progress,
    scratch_schema,
    timed,
    transfer_plan,
    verdict,
)
from monnaie_locale import journal
from monnaie_locale.acts import transfers
from monnaie_locale.journal_content import HeaderValues, key_of, queue_mark
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.ledger.idempotency import digest
from monnaie_locale.store import Database
from monnaie_locale.store.tables import (
    accounts,
    idempotency_keys,
    journal_queue,
    postings,
    transactions,
)

TARGET = 1.2
CHUNK = 10_000  # transactions per statement batch during the load


# Loading the history --------------------------------------------------------------


def load_history(database: Database, *, postings_wanted: int, members: int) -> None:
    """Add ``postings_wanted`` postings of balanced two-leg transfers among the members."""
    count = postings_wanted // 2

    def load(conn: Connection) -> None:
        balances, ids = _member_state(conn, members)
        first_id = (
            int(conn.execute(select(func.coalesce(func.max(transactions.c.id), 0))).scalar_one())
            + 1
        )
        start = datetime.now(UTC) - timedelta(seconds=count)  # history ends just before now
        rng = random.Random(11)
        for offset in range(0, count, CHUNK):
            size = min(CHUNK, count - offset)
            _write_chunk(
                conn, first_id + offset, size, start=start, rng=rng, balances=balances, ids=ids
            )
            progress("loading postings", 2 * (offset + size), 2 * count)
        conn.execute(
            update(accounts)
            .where(accounts.c.id == bindparam("account_id"))
            .values(balance=bindparam("new_balance")),
            [{"account_id": ids[i], "new_balance": b} for i, b in enumerate(balances)],
        )
        if conn.dialect.name == "postgresql":
            conn.execute(
                text("SELECT setval('transaction_ids', :last)"), {"last": first_id + count - 1}
            )
        print("  committing (the balance trigger checks every transaction)...", flush=True)

    database.write(load)
    _seal(database, count)


def _member_state(conn: Connection, members: int) -> tuple[list[int], list[int]]:
    rows = {
        row.code: row
        for row in conn.execute(select(accounts.c.code, accounts.c.id, accounts.c.balance))
    }
    found = [rows[member_code(i)] for i in range(members)]
    return [int(r.balance) for r in found], [int(r.id) for r in found]


def _write_chunk(
    conn: Connection,
    first_id: int,
    size: int,
    *,
    start: datetime,
    rng: random.Random,
    balances: list[int],
    ids: list[int],
) -> None:
    posting_rows: list[dict[str, Any]] = []
    headers: list[dict[str, Any]] = []
    keys: list[dict[str, Any]] = []
    for transaction_id in range(first_id, first_id + size):
        debit, credit = rng.sample(range(len(ids)), 2)
        amount = rng.randint(1, 100)
        stamp = start + timedelta(seconds=transaction_id - first_id)
        for index, delta in sorted(
            [(debit, -amount), (credit, amount)], key=lambda leg: ids[leg[0]]
        ):
            balances[index] += delta
            posting_rows.append(
                {
                    "transaction_id": transaction_id,
                    "account_id": ids[index],
                    "currency": "MLC",
                    "amount": delta,
                    "balance_after": balances[index],
                    "created_at": stamp,
                }
            )
        key = new_key()
        fingerprint = (
            f"transfer|transfer|{member_code(debit)}:-{amount};{member_code(credit)}:{amount}||"
        )
        keys.append(
            {
                "key": key,
                "fingerprint": digest(fingerprint),
                "result_ref": f"transaction:{transaction_id}",
                "created_at": stamp,
            }
        )
        headers.append(
            {
                "id": transaction_id,
                "kind": "transfer",
                "memo": "",
                "reference": None,
                "created_at": stamp,
                "reverses_id": None,
                "batch": None,
                "idempotency_key": key,
            }
        )
    # Marked as the posting statement marks them, or the sealer would leave them queued.
    legs: dict[int, list[tuple[int, str, int, int]]] = {h["id"]: [] for h in headers}
    for p in posting_rows:
        legs[p["transaction_id"]].append(
            (p["account_id"], p["currency"], p["amount"], p["balance_after"])
        )
    journal_key = key_of(conn)
    queue = [
        {
            "transaction_id": h["id"],
            "mac": queue_mark(journal_key, HeaderValues(**h), legs[h["id"]]),
        }
        for h in headers
    ]
    # Postings before their headers: on SQLite inserting a header checks its postings.
    tables = ((idempotency_keys, keys), (postings, posting_rows), (transactions, headers))
    for table, rows in (*tables, (journal_queue, queue)):
        if conn.dialect.name == "postgresql":
            _copy(conn, table, rows)
        else:
            conn.execute(insert(table), rows)


def _copy(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """COPY ``rows`` into ``table`` in the connection's transaction; row triggers still fire."""
    columns = list(rows[0])
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


def _seal(database: Database, count: int) -> None:
    sealed = 0
    while True:
        done = database.write(lambda conn: journal.seal(conn, now=datetime.now(UTC), limit=CHUNK))
        if not done:
            break
        sealed += done
        progress("sealing the journal", sealed, count)


# Timing ---------------------------------------------------------------------------


def time_transfers(database: Database, plan: Sequence[tuple[int, int, int]]) -> float:
    """Seconds per transfer for ``plan`` through the transfer act, sealing after each commit."""
    ctx = admin_context(database, seal_after_commit=True)
    # Open the pooled connection outside the timing.
    database.read(lambda conn: get_account(conn, member_code(0)))
    seconds = timed(
        lambda: [
            transfers.transfer(ctx, member_code(d), member_code(c), a, key=new_key())
            for d, c, a in plan
        ]
    )
    return seconds / len(plan)


@contextmanager
def ledgers(args: argparse.Namespace) -> Iterator[tuple[Database, Database]]:
    """The (big, empty) pair of databases, thrown away at exit."""
    with ExitStack() as stack:
        if args.postgres:
            big, _ = stack.enter_context(scratch_schema(args.url))
            empty, _ = stack.enter_context(scratch_schema(args.url))
        else:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mlc-bench-")))
            big, empty = fresh_sqlite(directory / "big.db"), fresh_sqlite(directory / "empty.db")
            stack.callback(big.dispose)
            stack.callback(empty.dispose)
        yield big, empty


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--url", default=POSTGRES_URL)
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--transfers", type=int, default=1000, help="timed per round, per ledger")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-verify", action="store_true", help="skip verifying the loaded books")
    args = parser.parse_args(argv)
    engine_name = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{engine_name}: {args.postings:,} postings among {args.members:,} members", flush=True)
    big_times, empty_times = Series("big ledger", []), Series("empty ledger", [])
    with ledgers(args) as (big, empty):
        populate(big, members=args.members)
        populate(empty, members=args.members)
        load_seconds = timed(
            lambda: load_history(big, postings_wanted=args.postings, members=args.members)
        )
        print(f"  loaded and sealed in {load_seconds:,.0f} s", flush=True)
        if not args.no_verify:
            _verify(big)
        for round_number in range(1, args.rounds + 1):
            plan = transfer_plan(args.transfers, members=args.members, seed=round_number)
            pair = [(big, big_times), (empty, empty_times)]
            for database, series in pair if round_number % 2 else reversed(pair):
                series.values.append(time_transfers(database, plan))
            print(f"  round {round_number}/{args.rounds} done", flush=True)
    _report(big_times, empty_times, args)


def _verify(database: Database) -> None:
    total = int(
        database.read(
            lambda conn: conn.execute(select(func.count()).select_from(transactions)).scalar_one()
        )
    )
    check = database.read(
        lambda conn: journal.verify(conn, progress=lambda done: progress("verifying", done, total))
    )
    print(f"  books verify: {check.ok} ({check.postings:,} postings, {check.unsealed} unsealed)")
    if not check.ok:
        raise SystemExit(f"the loaded books do not verify: {check.first}")


def _report(big: Series, empty: Series, args: argparse.Namespace) -> None:
    value = big.median / empty.median
    micro = 1e6
    print_table(
        f"Time per transfer (transfer act, seal_after_commit on), median of {args.rounds} rounds "
        f"of {args.transfers:,}",
        ["ledger", "µs / transfer", "transfers / s", "min..max µs"],
        [
            [
                s.label,
                s.median * micro,
                1 / s.median,
                f"{min(s.values) * micro:,.0f}..{max(s.values) * micro:,.0f}",
            ]
            for s in (big, empty)
        ],
    )
    print(f"\nratio big / empty: {value:.2f} ({verdict(value, at_most=TARGET)})")


if __name__ == "__main__":
    main()
