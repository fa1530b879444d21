"""HTTP load benchmark: payments from members to merchants through a real server.

A real ``uvicorn`` process serves the application (``--factory api.app:create_app``) on a
free loopback port, on a fresh SQLite file (or, with ``--postgres``, on a scratch
PostgreSQL database dropped at the end). Members and merchants are seeded first, each
member with a sign-in token. Then ``wrk``, a separate load process, keeps ``--clients``
keep-alive connections busy for ``--duration`` seconds, every request a payment from a
member to a merchant under an ``Idempotency-Key`` never used before. It reports payments
per second and the p50 and p99 latency, and checks the ledger against the answers.

The baselines are raw loops run in the same process right after, making the writes a
payment makes, one payment per commit, with nothing of the service around them:

* on SQLite, :func:`bench.ledger_sqlite.run_raw`: ``sqlite3`` on a copy of the same file,
  with the service's PRAGMAs, one client (SQLite has one writer);
* on PostgreSQL, :func:`bench.ledger_postgres.run_clients` with its ``raw`` side:
  ``psycopg``, one connection per client thread (``--raw-clients``), on the same
  database; and ``pgbench`` TPC-B (:func:`bench.ledger_postgres.pgbench`) with as many
  clients as wrk keeps connections, on a scratch database.

It prints payments per second, p50 and p99 latency, the server's CPU per payment (its
processes' user and system time over the load, background jobs included) and the
ratios to the baselines, which are steadier than any figure on a shared machine; and
what a payment, and a pgbench transaction, cost the whole machine (:class:`CpuUse`):
wrk, the server and PostgreSQL share its cores, so those two costs bound the ratio of
their rates. With ``--floor`` it then serves :mod:`bench.floor_app`, the route's shape
with no ledger behind it, under the same load: what HTTP alone costs here.

    .venv/bin/python -m bench.http_load
    .venv/bin/python -m bench.http_load --postgres --workers 2

The server runs as ``mlc serve`` runs it (:func:`cli.serving.uvicorn_options`): uvloop,
httptools, no proxy headers, no server header, the service's own access log only.

wrk is the Debian package ``wrk``; a load generator written in Python would need a core
of its own to keep up. Targets, load generator included, on a 2-core machine at 32
clients: 1,000 payments/s with p99 <= 50 ms on SQLite; 800 payments/s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
from argon2 import PasswordHasher
from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench.common import (
    POSTGRES_URL,
    CpuUse,
    analyze,
    copy_sqlite,
    cpu_use,
    load_average,
    member_code,
    print_table,
    scratch_database,
    transfer_plan,
    verdict,
)
from bench.ledger_postgres import Workload, pgbench, run_clients
from bench.ledger_sqlite import run_raw
from monnaie_locale import journal
from monnaie_locale.auth import Role, create_user, issue_token, link_account, passwords
from monnaie_locale.clock import utc_now
from monnaie_locale.config import Settings
from monnaie_locale.deployment import create_system_accounts, open_holder_account
from monnaie_locale.deployment import from_settings as deployment_from_settings
from monnaie_locale.ledger import service
from monnaie_locale.model import AccountKind, TransferRequest
from monnaie_locale.store import connect, migrate
from monnaie_locale.store.tables import transactions

FUNDING = 10_000_000  # minor units per member: no payment ever runs short
AMOUNT = "1.00"
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Payer:
    account: str
    token: str
    merchant: str


def cpu_seconds(pid: int) -> float:
    """User and system CPU time so far of process ``pid`` and its children (Linux):
    the server and, with ``--workers``, its worker processes."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process has just ended
            continue
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


# Databases -------------------------------------------------------------------------


@contextmanager
def sqlite_url() -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="mlc-http-load-"))
    try:
        yield f"sqlite:///{folder / 'ledger.db'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_url() -> Iterator[str]:
    name = f"mlc_http_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


# Seeding ---------------------------------------------------------------------------


def seed(url: str, *, members: int, merchants: int) -> list[Payer]:
    """Migrate, open the account plan, fund the members and sign them in."""
    # The production hashing parameters are slow on purpose; seeding needs none of that.
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    database = connect(url)
    migrate(database)
    deployment = deployment_from_settings(Settings(database_url=url))
    # Named as bench.common names members, so that the raw loops find them.
    member_codes = [member_code(i) for i in range(members)]
    merchant_codes = [f"business:{i:04d}" for i in range(merchants)]

    def set_up(conn: Connection) -> list[str]:
        now = utc_now()
        create_system_accounts(conn, deployment, now=now)
        for code in member_codes:
            open_holder_account(conn, deployment, code, kind=AccountKind.MEMBER, now=now)
        for code in merchant_codes:
            open_holder_account(conn, deployment, code, kind=AccountKind.BUSINESS, now=now)
        tokens = []
        for code in member_codes:
            user = create_user(
                conn, code.replace(":", "-"), password="bench password 1", role=Role.MEMBER, now=now
            )
            link_account(conn, user.id, account_code=code)
            tokens.append(issue_token(conn, user.id, now=now, ttl=timedelta(hours=2)).token)
        return tokens

    tokens = database.write(set_up)
    # Issuance is no holder account, so no act moves units out of it: the funding goes
    # through the engine, the journal sealed before the server starts.
    fundings = [TransferRequest.simple("issuance", code, FUNDING) for code in member_codes]
    database.write(
        lambda conn: service.post_batch(conn, fundings, idempotency_key="fund", clock=utc_now)
    )
    journal.seal_queue(database, clock=utc_now)
    analyze(database)
    database.dispose()
    return [
        Payer(code, token, merchant_codes[i % merchants])
        for i, (code, token) in enumerate(zip(member_codes, tokens, strict=True))
    ]


def count_payments(url: str) -> int:
    database = connect(url)
    try:
        return database.read(
            lambda conn: int(
                conn.execute(
                    select(func.count())
                    .select_from(transactions)
                    .where(transactions.c.memo == "bench")
                ).scalar_one()
            )
        )
    finally:
        database.dispose()


# The server ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(
    url: str, *, port: int, workers: int, factory: str = "api.app:create_app"
) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "MLC_DATABASE_URL": url,
        # The per-caller limit protects a real deployment; here every client pays flat out.
        "MLC_PAYMENT_ATTEMPTS_PER_MINUTE": "10000000",
        "MLC_LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        # As mlc serve runs it (cli.serving.uvicorn_options).
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--no-access-log",
        "--no-proxy-headers",
        "--no-server-header",
    ]
    process = subprocess.Popen(command, env=env)
    try:
        wait_ready(port, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_ready(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120  # a loaded machine starts slowly
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with status {process.returncode}")
        try:
            if httpx.get(f"http://{HOST}:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not become ready in 120 s")


# The load --------------------------------------------------------------------------

# wrk's side, in Lua. Each thread numbers its requests under a random prefix of its own,
# so every payment carries a key never used before; at the end, one line of JSON.
WRK_SCRIPT = """
threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end
function init(args)
  math.randomseed(os.time() * 100 + number)
  prefix = number .. "-" .. math.random(1, 1000000000) .. "-"
  sent = 0
end
function request()
  sent = sent + 1
  local p = payers[(sent * 2 + number) % #payers + 1]
  local body = '{"payer":"' .. p[1] .. '","payee":"' .. p[3] ..
    '","amount":"' .. amount .. '","memo":"' .. memo .. '"}'
  return wrk.format("POST", "/v1/transfers", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. p[2],
    ["Idempotency-Key"] = prefix .. sent,
  }, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "refused": %d, "failed": %d, "p50": %f, "p99": %f}\\n',
    summary.requests, summary.duration / 1e6, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


@dataclass(frozen=True)
class Run:
    """What wrk saw: answers, refusals (4xx, 5xx), transport failures, latency in ms."""

    requests: int
    seconds: float
    refused: int
    failed: int
    p50: float
    p99: float
    server_cpu: float  # seconds of CPU the server used meanwhile
    cpu: CpuUse  # the whole machine's meanwhile, wrk included

    @property
    def answered(self) -> int:
        return self.requests - self.refused

    @property
    def per_second(self) -> float:
        return self.answered / self.seconds


def wrk_script(folder: Path, payers: list[Payer], *, memo: str) -> Path:
    """The Lua file of one run: payments by ``payers`` under ``memo``."""
    rows = ",\n".join(
        "{" + ", ".join(json.dumps(v) for v in (p.account, p.token, p.merchant)) + "}"
        for p in payers
    )
    text = WRK_SCRIPT + (
        f"payers = {{\n{rows}\n}}\nmemo = {json.dumps(memo)}\namount = {json.dumps(AMOUNT)}\n"
    )
    path = folder / f"{memo}.lua"
    path.write_text(text)
    return path


def run_wrk(base: str, script: Path, *, clients: int, seconds: float, server_pid: int) -> Run:
    """wrk with two threads (one for a single client: wrk refuses more threads than
    connections) and ``clients`` keep-alive connections against ``base``."""
    threads = min(2, clients)
    command = ["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds:g}s", "-s", str(script), base]
    before, machine = cpu_seconds(server_pid), cpu_use()
    finished = subprocess.run(command, capture_output=True, text=True, check=True)
    summary = json.loads(finished.stdout.strip().splitlines()[-1])
    return Run(**summary, server_cpu=cpu_seconds(server_pid) - before, cpu=cpu_use() - machine)


# The raw baselines --------------------------------------------------------------------


def raw_sqlite(url: str, folder: Path, *, members: int, transfers: int, rounds: int) -> float:
    """Median transfers per second of the raw ``sqlite3`` loop, one per commit, each round
    on a fresh copy of the service's file as the server left it."""
    served = Path(str(make_url(url).database))
    with sqlite3.connect(served) as conn:  # the server's last writes into the file itself
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    plan = transfer_plan(transfers, members=members, seed=7)
    rates = []
    for _ in range(rounds):
        copy = copy_sqlite(served, folder / "raw.db")
        rates.append(len(plan) / run_raw(copy, plan, per_commit=1))
    return statistics.median(rates)


def raw_postgres(url: str, *, members: int, clients: int, seconds: float) -> float:
    """Transfers per second of ``clients`` raw psycopg loops on the service's database."""
    workload = Workload(url, "public", members=members, duration=seconds)
    return run_clients("raw", workload, clients=clients, clients_as="threads")


def pgbench_tps(*, clients: int, seconds: float) -> tuple[float, CpuUse]:
    """TPC-B transactions per second, on a scratch database initialised here, and the
    machine's CPU meanwhile."""
    with scratch_database(POSTGRES_URL) as database:
        subprocess.run([*PGBENCH_INIT, database], check=True, capture_output=True)
        before = cpu_use()
        rate = pgbench(database, clients=clients, duration=seconds)
        return rate, cpu_use() - before


PGBENCH_INIT = ["pgbench", "-i", "-s", "8", "-q"]
FLOOR = "bench.floor_app:create_app"


# The run ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="run on a scratch PostgreSQL")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load")
    parser.add_argument("--members", type=int, default=64)
    parser.add_argument("--merchants", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--raw-transfers", type=int, default=3000, help="per raw SQLite round")
    parser.add_argument("--raw-rounds", type=int, default=3, help="raw SQLite rounds (median)")
    parser.add_argument("--raw-clients", type=int, default=8, help="raw psycopg client threads")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also serve the route's shape with no ledger behind it (bench.floor_app)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("this benchmark drives the load with wrk: install the Debian package wrk")

    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(f"command: {' '.join(sys.argv)}\nload average at start: {load_average()}", flush=True)
    folder = Path(tempfile.mkdtemp(prefix="mlc-wrk-"))
    pgbench_rate = None
    try:
        with postgres_url() if args.postgres else sqlite_url() as url:
            payers = seed(url, members=args.members, merchants=args.merchants)
            port = free_port()
            base = f"http://{HOST}:{port}"
            with server(url, port=port, workers=args.workers) as process:

                def load(memo: str, seconds: float) -> Run:
                    script = wrk_script(folder, payers, memo=memo)
                    return run_wrk(
                        base, script, clients=args.clients, seconds=seconds, server_pid=process.pid
                    )

                load("warm-up", 3)  # first connections, caches, the first requests
                payments = load("bench", args.duration)
            stored = count_payments(url)
            floor = None
            if args.floor:
                with server(url, port=port, workers=args.workers, factory=FLOOR) as process:
                    load("warm-up", 3)
                    floor = load("floor", args.duration)
            # The baselines, once the server has stopped: nothing else writes meanwhile.
            if args.postgres:
                raw_seconds = min(args.duration, 10)
                raw_rate = raw_postgres(
                    url, members=args.members, clients=args.raw_clients, seconds=raw_seconds
                )
                pgbench_rate, pgbench_cpu = pgbench_tps(
                    clients=args.clients, seconds=round(args.duration)
                )
            else:
                raw_rate = raw_sqlite(
                    url,
                    folder,
                    members=args.members,
                    transfers=args.raw_transfers,
                    rounds=args.raw_rounds,
                )
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    # wrk stops with up to one request per connection in flight: those may be committed
    # without their answer being counted.
    in_ledger = (
        "ok" if payments.answered <= stored <= payments.answered + args.clients else "MISMATCH"
    )
    target_rate = 800 if args.postgres else 1000
    raw_label = (
        f"raw psycopg, {args.raw_clients} threads" if args.postgres else "raw sqlite3, 1 client"
    )
    rows: list[tuple[str, object, str]] = [
        ("payments answered 201", payments.answered, ""),
        ("refused (4xx, 5xx)", payments.refused, "" if not payments.refused else "UNEXPECTED"),
        ("transport failures", payments.failed, ""),
        ("payments in the ledger", stored, in_ledger),
        ("payments/s", payments.per_second, verdict(payments.per_second, at_least=target_rate)),
        ("p50 latency (ms)", payments.p50, ""),
        ("p99 latency (ms)", payments.p99, verdict(payments.p99, at_most=50)),
        ("server CPU ms per payment", payments.server_cpu * 1000 / max(payments.answered, 1), ""),
        *_machine_rows(
            "payment",
            payments.cpu,
            payments.answered,
            generator="wrk",
            server=payments.server_cpu,
            rest="PostgreSQL, mostly" if args.postgres else "anything else running",
        ),
        ("baseline: raw transfers/s", raw_rate, f"{raw_label}, 1 per commit"),
        ("payments / raw", payments.per_second / raw_rate, ""),
    ]
    if floor is not None:
        floor_cpu = floor.server_cpu * 1000 / max(floor.answered, 1)
        rows += [
            ("floor: no ledger, requests/s", floor.per_second, "bench.floor_app, same load"),
            ("floor: p99 latency (ms)", floor.p99, ""),
            ("floor: server CPU ms a request", floor_cpu, ""),
            ("payments / floor", payments.per_second / floor.per_second, ""),
        ]
    if pgbench_rate is not None:
        ratio = payments.per_second / pgbench_rate
        rows += [
            ("baseline: pgbench TPC-B tps", pgbench_rate, f"-c {args.clients} -j 2, scale 8"),
            ("payments / pgbench", ratio, verdict(ratio, at_least=1.0)),
            *_machine_rows(
                "pgbench transaction",
                pgbench_cpu,
                pgbench_rate * round(args.duration),
                generator="pgbench",
            ),
        ]
    rows.append(("load average (1, 5, 15 min)", load_average(), f"{os.cpu_count()} CPUs"))
    print_table(
        f"HTTP payments on {engine}: {args.clients} clients, {args.workers} server worker(s),"
        f" {args.duration:g} s",
        ("figure", "value", "note"),
        rows,
    )


def _machine_rows(
    what: str,
    cpu: CpuUse,
    count: float,
    *,
    generator: str,
    server: float = 0.0,
    rest: str = "PostgreSQL, mostly",
) -> list[tuple[str, object, str]]:
    """What ``count`` of ``what`` cost the whole machine, and who spent it."""
    count = max(count, 1)
    rows: list[tuple[str, object, str]] = [
        (f"machine CPU ms per {what}", 1000 * cpu.machine / count, "every core's busy time"),
        (f"  {generator}", 1000 * cpu.children / count, "the load generator"),
    ]
    if server:
        rows.append(("  the server", 1000 * server / count, "its workers"))
    rows.append(("  the rest", 1000 * (cpu.rest - server) / count, rest))
    return rows


if __name__ == "__main__":
    main()
