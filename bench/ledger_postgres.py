"""Concurrent transfers through the transfer act on PostgreSQL, against pgbench and raw psycopg.

Eight clients post random transfers among a thousand funded members for a fixed
duration. Baselines, run in the same process run:

* ``pgbench`` built-in TPC-B (``pgbench -i -s 8`` in a scratch database created and
  dropped here, then ``pgbench -c 8 -j 2 -T <duration> -n``): what this server does with
  a classic short read-write transaction (three UPDATEs, a SELECT, an INSERT);
* a raw ``psycopg`` loop making the ledger's very writes (id from the sequence, the
  idempotency key, two conditional UPDATEs with RETURNING in account-id order, two
  postings, the header, the journal-queue row with its mark, COMMIT), one connection
  per client.

The ledger side posts as the product does, through the act
:func:`monnaie_locale.acts.transfers.transfer` called by the association's administrator:
with ``seal_after_commit`` on (each commit followed by a sealing transaction, as the CLI
runs; one sealer at a time, the others skip), and off with the scheduled job
``seal_journal`` sealing in the background, as the service runs it (see
:mod:`monnaie_locale.jobs`); both with a transaction per transfer
(``Database(group_commit=False)``). Then as the service runs by default, with group
commit (see :mod:`monnaie_locale.store.group_commit`): the transfers of clients writing
while two groups are under way wait for the next group, and are written together.

Clients are threads sharing the engine's pool, or processes with an engine each
(``--clients-as processes``), since CPython threads share one interpreter lock. On a
2-core machine the server's backends need the cores too, and processes measured slower
than threads for the ledger and the raw loop alike, so threads are the default. The
grouped side's clients are coroutines on one event loop, as a worker of the service
serves its payment routes (on PostgreSQL only coroutines' writes are grouped).

A last table gives what a transaction cost the whole machine on each side (every core's
busy time over the side's whole measurement, its set-up and the sealer's last pass
included, see :class:`bench.common.CpuUse`), PostgreSQL's share, and the rate the two
cores would allow at that cost: a side far below it waits rather than computes. Run
with ``python -m bench.ledger_postgres``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import multiprocessing
import multiprocessing.synchronize
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import psycopg

from bench.common import (
    POSTGRES_URL,
    Series,
    admin_context,
    cpu_use,
    libpq_url,
    load_average,
    member_code,
    new_key,
    open_schema,
    populate,
    print_table,
    ratio,
    scratch_database,
    scratch_schema,
    verdict,
)
from monnaie_locale import journal
from monnaie_locale.acting import Context
from monnaie_locale.acts import transfers
from monnaie_locale.clock import utc_now
from monnaie_locale.jobs import Scheduler, standard_jobs
from monnaie_locale.journal_content import DEVELOPMENT_KEY, HeaderValues, queue_mark
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.store import Database

# One transfer to a transaction, and grouped, where they share commits as pgbench's
# clients cannot.
TARGETS_VS_PGBENCH = {"ledger-seal": 0.5, "ledger-noseal": 0.5, "ledger-group": 1.0}
ClientsAs = Literal["threads", "processes"]
Side = Literal["ledger-seal", "ledger-noseal", "ledger-group", "raw"]


@dataclass(frozen=True)
class Workload:
    url: str  # SQLAlchemy URL of the server's database
    schema: str  # the scratch schema inside it
    members: int
    duration: float


# One client -----------------------------------------------------------------------


async def _ledger_tasks(ctx: Context, workload: Workload, clients: int) -> int:
    """``clients`` coroutines on one event loop, each paying as :func:`_ledger_loop`
    does, through the act's coroutine form: how the service's payment routes write."""

    async def client(seed: int) -> int:
        rng = random.Random(seed)
        codes = [member_code(i) for i in range(workload.members)]
        done, deadline = 0, time.monotonic() + workload.duration
        while time.monotonic() < deadline:
            debit, credit = rng.sample(codes, 2)
            await transfers.transfer_async(ctx, debit, credit, rng.randint(1, 100), key=new_key())
            done += 1
        return done

    return sum(await asyncio.gather(*(client(seed) for seed in range(clients))))


def _ledger_loop(ctx: Context, workload: Workload, seed: int) -> int:
    rng = random.Random(seed)
    codes = [member_code(i) for i in range(workload.members)]
    done, deadline = 0, time.monotonic() + workload.duration
    while time.monotonic() < deadline:
        debit, credit = rng.sample(codes, 2)
        transfers.transfer(ctx, debit, credit, rng.randint(1, 100), key=new_key())
        done += 1
    return done


_KEY = (
    "INSERT INTO idempotency_keys (key, fingerprint, result_ref, created_at) "
    "VALUES (%s, %s, %s, %s) ON CONFLICT (key) DO NOTHING RETURNING key"
)
_DEBIT = (
    "UPDATE accounts SET balance = balance + %s WHERE id = %s AND status = 'active' "
    "AND (lower_limit IS NULL OR balance - held + %s >= lower_limit) RETURNING balance"
)
_CREDIT = (
    "UPDATE accounts SET balance = balance + %s WHERE id = %s AND status = 'active' "
    "AND (upper_limit IS NULL OR balance + %s <= upper_limit) RETURNING balance"
)
_POSTINGS = (
    "INSERT INTO postings (transaction_id, account_id, currency, amount, balance_after, "
    "created_at) VALUES (%s, %s, 'MLC', %s, %s, %s), (%s, %s, 'MLC', %s, %s, %s) RETURNING id"
)
_HEADER = (
    "INSERT INTO transactions (id, kind, memo, reference, created_at, reverses_id, batch, "
    "idempotency_key) VALUES (%s, 'transfer', '', NULL, %s, NULL, NULL, %s)"
)


def _raw_loop(conn: psycopg.Connection[Any], workload: Workload, seed: int) -> int:
    rng = random.Random(seed)
    ids = dict(conn.execute("SELECT code, id FROM accounts").fetchall())
    conn.commit()
    members = [int(ids[member_code(i)]) for i in range(workload.members)]
    done, deadline = 0, time.monotonic() + workload.duration
    while time.monotonic() < deadline:
        debit, credit = rng.sample(members, 2)
        amount = rng.randint(1, 100)
        for attempt in range(8):
            try:
                _raw_transfer(conn, debit, credit, amount)
                break
            except psycopg.errors.DeadlockDetected:
                conn.rollback()
                if attempt == 7:
                    raise
        done += 1
    return done


def _raw_transfer(conn: psycopg.Connection[Any], debit: int, credit: int, amount: int) -> None:
    row = conn.execute("SELECT nextval('transaction_ids')").fetchone()
    assert row is not None
    transaction_id, key, now = row[0], new_key(), datetime.now(UTC)
    request = f"transfer|transfer|{debit}:-{amount};{credit}:{amount}||"
    fingerprint = hashlib.sha256(request.encode()).hexdigest()
    if (
        conn.execute(_KEY, (key, fingerprint, f"transaction:{transaction_id}", now)).fetchone()
        is None
    ):
        raise RuntimeError("idempotency key already used")
    legs = sorted([(debit, -amount), (credit, amount)])
    after = []
    for account_id, delta in legs:
        statement = _DEBIT if delta < 0 else _CREDIT
        returned = conn.execute(statement, (delta, account_id, delta)).fetchone()
        if returned is None:
            raise RuntimeError(f"transfer refused on account {account_id}")
        after.append(returned[0])
    stamp = datetime.now(UTC)
    params: list[object] = []
    for (account_id, delta), balance in zip(legs, after, strict=True):
        params += [transaction_id, account_id, delta, balance, stamp]
    conn.execute(_POSTINGS, params).fetchall()
    conn.execute(_HEADER, (transaction_id, stamp, key))
    header = HeaderValues(transaction_id, "transfer", "", None, stamp, None, None, key)
    queued = [(a, "MLC", delta, balance) for (a, delta), balance in zip(legs, after, strict=True)]
    mark = queue_mark(DEVELOPMENT_KEY, header, queued)
    conn.execute(
        "INSERT INTO journal_queue (transaction_id, mac) VALUES (%s, %s)", (transaction_id, mark)
    )
    conn.commit()


def _client(side: Side, workload: Workload, seed: int, database: Database | None) -> int:
    """Run one client of ``side`` for the workload's duration; return transfers done."""
    if side == "raw":
        options = f"-csearch_path={workload.schema}"
        with psycopg.connect(libpq_url(workload.url), options=options) as conn:
            return _raw_loop(conn, workload, seed)
    assert database is not None
    ctx = admin_context(database, seal_after_commit=side == "ledger-seal")
    return _ledger_loop(ctx, workload, seed)


def _process_client(
    side: Side,
    workload: Workload,
    seed: int,
    ready: multiprocessing.synchronize.Barrier,
    results: multiprocessing.Queue[int],
) -> None:
    database = None
    if side != "raw":
        database = open_schema(
            workload.url, workload.schema, pool_size=2, group_commit=side == "ledger-group"
        )
        # Connect before the clock starts.
        database.read(lambda conn: get_account(conn, member_code(0)))
    ready.wait()
    results.put(_client(side, workload, seed, database))
    if database is not None:
        database.dispose()


# Many clients ---------------------------------------------------------------------


def run_clients(side: Side, workload: Workload, *, clients: int, clients_as: ClientsAs) -> float:
    """Transfers per second that ``clients`` concurrent clients of ``side`` achieve.

    With ``ledger-noseal`` and ``ledger-group`` the job ``seal_journal`` seals in the
    background meanwhile, as the service runs it; its last pass, after the clock stops,
    is not timed.
    """
    database = None
    if side != "raw":
        database = open_schema(
            workload.url,
            workload.schema,
            pool_size=clients + 1,
            group_commit=side == "ledger-group",
        )
    sealer = None
    if side in ("ledger-noseal", "ledger-group"):
        assert database is not None
        sealing = [job for job in standard_jobs(database) if job.name == "seal_journal"]
        sealer = Scheduler(database, sealing, clock=utc_now)
        sealer.start()
    if side == "ledger-group":
        assert database is not None
        began = time.monotonic()
        done = asyncio.run(_ledger_tasks(admin_context(database), workload, clients))
        tps = done / (time.monotonic() - began)
    elif clients_as == "processes":
        tps = _run_processes(side, workload, clients=clients)
    else:
        tps = _run_threads(side, workload, clients=clients, database=database)
    if sealer is not None:
        sealer.stop()
    if database is not None:
        database.dispose()
    return tps


def _run_threads(
    side: Side, workload: Workload, *, clients: int, database: Database | None
) -> float:
    counts: list[int] = []
    barrier = threading.Barrier(clients + 1)

    def client(seed: int) -> None:
        barrier.wait()
        counts.append(_client(side, workload, seed, database))

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.monotonic()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - start)


def _run_processes(side: Side, workload: Workload, *, clients: int) -> float:
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(clients + 1)
    results: multiprocessing.Queue[int] = context.Queue()
    processes = [
        context.Process(target=_process_client, args=(side, workload, seed, ready, results))
        for seed in range(clients)
    ]
    for process in processes:
        process.start()
    ready.wait()  # every process has imported and connected: the clock starts now
    began = time.monotonic()
    counts = [results.get() for _ in processes]
    elapsed = time.monotonic() - began
    for process in processes:
        process.join()
    return sum(counts) / elapsed


# pgbench --------------------------------------------------------------------------

_TPS = re.compile(r"^tps = ([0-9.]+) \(without initial connection time\)", re.MULTILINE)


def pgbench(database_url: str, *, clients: int, duration: float) -> float:
    """TPC-B transactions per second, as pgbench reports them."""
    command = [
        "pgbench", "-c", str(clients), "-j", "2", "-T", str(round(duration)), "-n", database_url,
    ]  # fmt: skip
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    found = _TPS.search(output)
    if found is None:
        raise RuntimeError(f"no 'tps = ...' line in pgbench's output:\n{output}")
    return float(found.group(1))


# The run --------------------------------------------------------------------------

LABELS: dict[str, str] = {
    "ledger-seal": "transfer act, seal_after_commit on",
    "ledger-noseal": "transfer act + seal_journal job",
    "ledger-group": "same, group commit (the default)",
    "raw": "raw psycopg, same writes",
    "pgbench": "pgbench TPC-B",
}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per measurement")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--clients-as", choices=["threads", "processes"], default="threads")
    parser.add_argument("--url", default=POSTGRES_URL)
    args = parser.parse_args(argv)
    arguments = sys.argv[1:] if argv is None else list(argv)
    print(f"command: python -m bench.ledger_postgres {' '.join(arguments)}".rstrip(), flush=True)
    print(f"load average before: {load_average()}", flush=True)
    series = {name: Series(label, []) for name, label in LABELS.items()}
    cpu = {name: Series(label, []) for name, label in LABELS.items()}  # machine ms a transfer
    outside = {name: Series(label, []) for name, label in LABELS.items()}  # PostgreSQL's
    init = ["pgbench", "-i", "-s", "8", "-q"]
    with scratch_database(args.url) as pgbench_url, scratch_schema(args.url) as (database, schema):
        print(f"pgbench: {' '.join(init)} <scratch database>", flush=True)
        subprocess.run([*init, pgbench_url], check=True, capture_output=True)
        populate(database, members=args.members)
        workload = Workload(args.url, schema, members=args.members, duration=args.duration)
        print(
            f"{args.clients} clients as {args.clients_as}, {args.members} members, "
            f"{args.duration:g} s per measurement, {args.rounds} rounds",
            flush=True,
        )
        runs: dict[str, Callable[[], float]] = {
            "pgbench": lambda: pgbench(pgbench_url, clients=args.clients, duration=args.duration),
        }
        for side in ("ledger-seal", "ledger-noseal", "ledger-group", "raw"):
            runs[side] = lambda side=side: run_clients(  # type: ignore[misc]
                side, workload, clients=args.clients, clients_as=args.clients_as
            )
        for round_number in range(1, args.rounds + 1):
            order = list(runs) if round_number % 2 else list(reversed(runs))
            for name in order:
                before = cpu_use()
                series[name].values.append(runs[name]())
                spent, count = cpu_use() - before, series[name].values[-1] * args.duration
                cpu[name].values.append(1000 * spent.machine / count)
                outside[name].values.append(1000 * spent.rest / count)
                print(
                    f"  round {round_number}: {LABELS[name]}: {series[name].values[-1]:,.0f} tps",
                    flush=True,
                )
        _check_books(database)
    _report(series, args.rounds)
    _report_cpu(cpu, outside)
    print(f"load average after: {load_average()}")


def _check_books(database: Database) -> None:
    sealed = journal.seal_queue(database, clock=utc_now)
    check = database.read(lambda conn: journal.verify(conn))
    print(f"after the runs: sealed {sealed:,} queued transactions; books verify: {check.ok}")
    if not check.ok:
        raise SystemExit(f"the books do not verify: {check.first}")


def _report(series: dict[str, Series], rounds: int) -> None:
    pgbench_tps, raw_tps = series["pgbench"], series["raw"]
    rows = []
    for name in ("ledger-seal", "ledger-noseal", "ledger-group"):
        versus_pgbench = ratio(series[name], pgbench_tps)
        rows.append(
            [
                LABELS[name],
                series[name].median,
                versus_pgbench,
                verdict(versus_pgbench, at_least=TARGETS_VS_PGBENCH[name]),
                ratio(series[name], raw_tps),
            ]
        )
    print_table(
        f"Transactions per second, median of {rounds} rounds",
        ["ledger", "tps", "/ pgbench", "target", "/ raw psycopg"],
        rows,
    )
    print_table(
        "Every measurement (tps)",
        ["measurement", "median", "min..max"],
        [[s.label, s.median, s.spread()] for s in series.values()],
    )


def _report_cpu(cpu: dict[str, Series], outside: dict[str, Series]) -> None:
    """What a transaction cost the whole machine, and what the cores allow at that cost."""
    cores = os.cpu_count() or 1
    print_table(
        "The whole machine's CPU a transaction (every core's busy time; the clients and "
        "pgbench run on the same cores as the server)",
        ["measurement", "ms", "of which PostgreSQL", "tps with every core busy"],
        [
            [s.label, s.median, outside[name].median, 1000 * cores / s.median]
            for name, s in cpu.items()
        ],
    )
    print(
        "PostgreSQL's share is what neither this process nor pgbench spent: the server's "
        "processes, and anything else running on the machine meanwhile."
    )


if __name__ == "__main__":
    main()
