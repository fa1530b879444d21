"""Transfers per second through the transfer act on SQLite, against a raw ``sqlite3`` loop.

The baseline does the very writes the ledger does, on the same migrated schema (a copy
of the same populated file) with the same PRAGMAs (WAL, synchronous=FULL, foreign keys
on) and ``BEGIN IMMEDIATE``: per commit one idempotency key row; per transfer two
conditional balance UPDATEs with RETURNING in account-id order, two postings with
RETURNING, the transaction header (which fires the balance trigger), and its journal
entry, chained inline as the ledger does on SQLite (read the last entry, hash the
transaction with SHA-256, mark the entry with HMAC-SHA256, insert it). It knows the
account ids and the next transaction id up front, so what it leaves out is exactly the
ledger's own work: the account lookup, the id allocation query, building the result, and
SQLAlchemy; and, for the act, its checks (the actor's role, the accounts' kinds).

Modes: one transfer per commit, as the product posts one (the act
:func:`monnaie_locale.acts.transfers.transfer`, called by the association's
administrator), with the journal sealed once at the end (inside the timed span), the same
with ``seal_after_commit`` on, and 100 transfers per commit (the engine's
``service.post_batch`` in one ``database.write``, as the currency operations post their
linked entries). Run with ``python -m bench.ledger_sqlite``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import statistics
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.common import (
    Series,
    admin_context,
    copy_sqlite,
    member_code,
    new_key,
    post_batch,
    print_table,
    ratio,
    sqlite_template,
    timed,
    transfer_plan,
    verdict,
)
from monnaie_locale import journal
from monnaie_locale.acts import transfers
from monnaie_locale.clock import utc_now
from monnaie_locale.journal_content import DEVELOPMENT_KEY, entry_mark
from monnaie_locale.model import TransferRequest
from monnaie_locale.store import Database, connect

TARGET = 0.7
Plan = Sequence[tuple[int, int, int]]


@dataclass(frozen=True)
class Mode:
    label: str
    per_commit: int
    seal_after_commit: bool


MODES = (
    Mode("1 per commit, sealed once at end", 1, False),
    Mode("1 per commit, seal_after_commit on", 1, True),
    Mode("100 per commit (service.post_batch)", 100, True),
)


# The ledger -----------------------------------------------------------------------


def run_ledger(path: Path, plan: Plan, *, mode: Mode) -> float:
    """Seconds the ledger takes to post ``plan`` on the file at ``path``."""
    database = connect(f"sqlite:///{path}")
    ctx = admin_context(database, seal_after_commit=mode.seal_after_commit)
    codes = {i: member_code(i) for pair in plan for i in pair[:2]}
    _verified(database)  # open the pooled connection outside the timing

    def one_per_commit() -> None:
        for debit, credit, amount in plan:
            transfers.transfer(ctx, codes[debit], codes[credit], amount, key=new_key())

    def batches() -> None:
        for start in range(0, len(plan), mode.per_commit):
            requests = [
                TransferRequest.simple(codes[debit], codes[credit], amount)
                for debit, credit, amount in plan[start : start + mode.per_commit]
            ]
            post_batch(database, requests)

    def post_all() -> None:
        (one_per_commit if mode.per_commit == 1 else batches)()
        if not mode.seal_after_commit:
            journal.seal_queue(database, clock=utc_now)

    elapsed = timed(post_all)
    check = _verified(database)
    database.dispose()
    if not check.ok or check.unsealed:
        raise SystemExit(f"the ledger's books do not verify after the run: {check.first}")
    return elapsed


def _verified(database: Database) -> journal.Verification:
    return database.read(lambda conn: journal.verify(conn))


# The baseline ---------------------------------------------------------------------

_KEY = (
    "INSERT INTO idempotency_keys (key, fingerprint, result_ref, created_at) "
    "VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING key"
)
_DEBIT = (
    "UPDATE accounts SET balance = balance + ? WHERE id = ? AND status = 'active' "
    "AND (lower_limit IS NULL OR balance - held + ? >= lower_limit) RETURNING balance"
)
_CREDIT = (
    "UPDATE accounts SET balance = balance + ? WHERE id = ? AND status = 'active' "
    "AND (upper_limit IS NULL OR balance + ? <= upper_limit) RETURNING balance"
)
_POSTING = (
    "INSERT INTO postings (transaction_id, account_id, currency, amount, balance_after, "
    "created_at) VALUES (?, ?, 'MLC', ?, ?, ?) RETURNING id"
)
_HEADER = (
    "INSERT INTO transactions (id, kind, memo, reference, created_at, reverses_id, batch, "
    "idempotency_key) VALUES (?, 'transfer', '', NULL, ?, NULL, ?, ?)"
)
_LAST_ENTRY = "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1"
_ENTRY = (
    "INSERT INTO journal (seq, transaction_id, prev_hash, hash, sealed_at, mac) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


def _stamp() -> datetime:
    return datetime.now(UTC)


def _text(stamp: datetime) -> str:
    # The text form SQLAlchemy stores for a DateTime on SQLite.
    return stamp.strftime("%Y-%m-%d %H:%M:%S.%f")


def _chain(
    conn: sqlite3.Connection, header: list[object], legs: list[list[object]], *, sealed_at: str
) -> None:
    """Append the transaction to the hash chain, marked, as the ledger's journal does inline."""
    last = conn.execute(_LAST_ENTRY).fetchone()
    seq, prev = (0, "0" * 64) if last is None else last
    content = json.dumps([*header, legs], separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256((prev + content).encode()).hexdigest()
    mark = entry_mark(DEVELOPMENT_KEY, seq + 1, digest)
    conn.execute(_ENTRY, (seq + 1, header[0], prev, digest, sealed_at, mark))


def _transfer(
    conn: sqlite3.Connection,
    transaction_id: int,
    debit: int,
    credit: int,
    amount: int,
    *,
    batch: str | None,
    key: str | None,
) -> None:
    legs = sorted([(debit, -amount), (credit, amount)])
    after = []
    for account_id, delta in legs:
        statement = _DEBIT if delta < 0 else _CREDIT
        row = conn.execute(statement, (delta, account_id, delta)).fetchone()
        if row is None:
            raise RuntimeError(f"transfer refused on account {account_id}")
        after.append(row[0])
    stamp = _stamp()
    hashed = []
    for (account_id, delta), balance in zip(legs, after, strict=True):
        posting = (transaction_id, account_id, delta, balance, _text(stamp))
        (posting_id,) = conn.execute(_POSTING, posting).fetchone()
        hashed.append([posting_id, account_id, "MLC", delta, balance])
    conn.execute(_HEADER, (transaction_id, _text(stamp), batch, key))
    header: list[object] = [
        transaction_id,
        "transfer",
        "",
        None,
        stamp.isoformat(),
        None,
        batch,
        key,
    ]
    _chain(conn, header, hashed, sealed_at=_text(stamp))


def run_raw(path: Path, plan: Plan, *, per_commit: int) -> float:
    """Seconds a bare ``sqlite3`` loop takes to make the ledger's writes for ``plan``."""
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=10000"):
        conn.execute(f"PRAGMA {pragma}")
    ids = dict(conn.execute("SELECT code, id FROM accounts").fetchall())
    account = {i: ids[member_code(i)] for pair in plan for i in pair[:2]}
    next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM transactions").fetchone()[0]

    def post_all() -> None:
        transaction_id = next_id
        for start in range(0, len(plan), per_commit):
            chunk = plan[start : start + per_commit]
            key, batch = new_key(), (str(transaction_id) if per_commit > 1 else None)
            fingerprint = hashlib.sha256(
                "||".join(f"transfer|{d}:-{a};{c}:{a}||" for d, c, a in chunk).encode()
            ).hexdigest()
            conn.execute("BEGIN IMMEDIATE")
            ref = f"{'batch' if batch else 'transaction'}:{transaction_id}"
            if conn.execute(_KEY, (key, fingerprint, ref, _text(_stamp()))).fetchone() is None:
                raise RuntimeError("idempotency key already used")
            for index, (debit, credit, amount) in enumerate(chunk):
                _transfer(
                    conn,
                    transaction_id,
                    account[debit],
                    account[credit],
                    amount,
                    batch=batch,
                    key=key if index == 0 else None,
                )
                transaction_id += 1
            conn.execute("COMMIT")

    elapsed = timed(post_all)
    conn.close()
    _check_raw(path)
    return elapsed


def _check_raw(path: Path) -> None:
    """The ledger's own verifier must accept what the baseline wrote: same rows, same chain."""
    database = connect(f"sqlite:///{path}")
    check = _verified(database)
    database.dispose()
    if not check.ok or check.unsealed:
        raise SystemExit(f"the baseline's books do not verify: {check.first}")


# The run --------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--transfers", type=int, default=2000, help="per round, per mode")
    args = parser.parse_args(argv)
    plan = transfer_plan(args.transfers, members=args.members, seed=7)
    ledger_tps = {mode: Series(mode.label, []) for mode in MODES}
    raw_tps = {size: Series(f"raw sqlite3, {size} per commit", []) for size in (1, 100)}
    paired: dict[Mode, list[float]] = {mode: [] for mode in MODES}

    with tempfile.TemporaryDirectory(prefix="mlc-bench-") as scratch:
        directory = Path(scratch)
        template = sqlite_template(directory, members=args.members)
        print(
            f"SQLite {sqlite3.sqlite_version}: {args.transfers:,} transfers among "
            f"{args.members} members per measurement, {args.rounds} rounds"
        )
        for round_number in range(1, args.rounds + 1):
            jobs: list[Mode | int] = [1, 100, *MODES]
            if round_number % 2 == 0:  # alternate the order so drift favours no side
                jobs.reverse()
            for what in jobs:
                target = copy_sqlite(template, directory / "run.db")
                if isinstance(what, Mode):
                    seconds = run_ledger(target, plan, mode=what)
                    ledger_tps[what].values.append(len(plan) / seconds)
                else:
                    seconds = run_raw(target, plan, per_commit=what)
                    raw_tps[what].values.append(len(plan) / seconds)
            for mode in MODES:
                paired[mode].append(
                    ledger_tps[mode].values[-1] / raw_tps[mode.per_commit].values[-1]
                )
            print(f"  round {round_number}/{args.rounds} done", flush=True)

    rows = []
    for mode in MODES:
        baseline = raw_tps[mode.per_commit]
        value = ratio(ledger_tps[mode], baseline)
        rows.append(
            [
                mode.label,
                ledger_tps[mode].median,
                baseline.median,
                value,
                verdict(value, at_least=TARGET),
                statistics.median(paired[mode]),
            ]
        )
    print_table(
        f"Transfers per second, median of {args.rounds} rounds (ratio = ledger / raw sqlite3)",
        ["mode", "ledger tps", "raw tps", "ratio", "target", "median round ratio"],
        rows,
    )
    print_table(
        "Every round (transfers per second, min..max)",
        ["measurement", "median", "min..max"],
        [[s.label, s.median, s.spread()] for s in [*ledger_tps.values(), *raw_tps.values()]],
    )
    print(
        "\nseal_after_commit off: the queue is sealed once after the last transfer, inside the\n"
        "timed span. On SQLite the ledger chains each transaction into the journal inside its\n"
        "own commit, so seal_after_commit changes nothing there and that final call finds\n"
        "nothing."
    )


if __name__ == "__main__":
    main()
