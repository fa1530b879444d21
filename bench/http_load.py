"""HTTP load benchmark: payments from members to merchants through a real server.

A real ``uvicorn`` process serves the application (``--factory api.app:create_app``) on a
free loopback port, on a fresh SQLite file (or, with ``--postgres``, on a scratch
PostgreSQL database dropped at the end). Members and merchants are seeded first, each
member with a sign-in token. Then a separate load process runs ``--clients`` concurrent
clients (asyncio and httpx, one keep-alive connection each), every one paying a merchant
from its own member account with a fresh ``Idempotency-Key`` per payment, until
``--payments`` are made or ``--duration`` seconds pass. It reports payments per second and
the p50 and p99 latency seen by the clients, and checks that the ledger holds exactly the
acknowledged payments.

    .venv/bin/python -m bench.http_load
    .venv/bin/python -m bench.http_load --postgres

Targets, load generator included, on a 2-core machine at 32 clients: 1,000 payments/s
with p99 <= 50 ms on SQLite; 800 payments/s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import shutil
import socket
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

from api.routers.operations_common import deployment_from_settings
from bench.common import POSTGRES_URL, print_table, verdict
from monnaie_locale.auth import Role, create_user, issue_token, link_account, passwords
from monnaie_locale.clock import utc_now
from monnaie_locale.config import Settings
from monnaie_locale.deployment import create_system_accounts, open_holder_account
from monnaie_locale.ledger import Ledger
from monnaie_locale.model import AccountKind
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


@dataclass(frozen=True)
class Outcome:
    latencies: list[float]
    statuses: dict[int, int]
    elapsed: float
    server_cpu: float = 0.0  # seconds of CPU the server used during the run
    load_cpu: float = 0.0  # and the load process


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
    member_codes = [f"member:{i:04d}" for i in range(members)]
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
    ledger = Ledger(database)
    for code in member_codes:
        ledger.transfer("issuance", code, FUNDING, idempotency_key=f"fund-{code}")
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
def server(url: str, *, port: int, workers: int) -> Iterator[subprocess.Popen[bytes]]:
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
        "api.app:create_app",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
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
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with status {process.returncode}")
        try:
            if httpx.get(f"http://{HOST}:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not become ready in 30 s")


# The load --------------------------------------------------------------------------


async def client_loop(
    base: str, payers: list[Payer], *, stop_at: float, quota: list[int], out: Outcome, memo: str
) -> None:
    limits = httpx.Limits(max_connections=1)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        turn = 0
        while quota[0] > 0 and time.perf_counter() < stop_at:
            quota[0] -= 1
            payer = payers[turn % len(payers)]
            turn += 1
            started = time.perf_counter()
            response = await http.post(
                "/v1/transfers",
                json={
                    "payer": payer.account,
                    "payee": payer.merchant,
                    "amount": AMOUNT,
                    "memo": memo,
                },
                headers={
                    "Authorization": f"Bearer {payer.token}",
                    "Idempotency-Key": uuid.uuid4().hex,
                },
            )
            out.latencies.append(time.perf_counter() - started)
            out.statuses[response.status_code] = out.statuses.get(response.status_code, 0) + 1


async def run_load(
    base: str, payers: list[Payer], *, clients: int, payments: int, duration: float, memo: str
) -> Outcome:
    outcome = Outcome(latencies=[], statuses={}, elapsed=0.0)
    quota = [payments]
    started = time.perf_counter()
    stop_at = started + duration
    groups = [payers[i::clients] for i in range(clients)]
    await asyncio.gather(
        *(
            client_loop(base, group, stop_at=stop_at, quota=quota, out=outcome, memo=memo)
            for group in groups
        )
    )
    return Outcome(outcome.latencies, outcome.statuses, time.perf_counter() - started)


def load_process(
    server_pid: int,
    base: str,
    payers: list[Payer],
    clients: int,
    payments: int,
    duration: float,
    results: multiprocessing.Queue[Outcome],
) -> None:
    # A short warm-up, not measured: first connections, caches, the server's first requests.
    asyncio.run(
        run_load(base, payers, clients=clients, payments=clients * 5, duration=5, memo="warm-up")
    )
    server_before, load_before = cpu_seconds(server_pid), time.process_time()
    outcome = asyncio.run(
        run_load(base, payers, clients=clients, payments=payments, duration=duration, memo="bench")
    )
    results.put(
        Outcome(
            outcome.latencies,
            outcome.statuses,
            outcome.elapsed,
            server_cpu=cpu_seconds(server_pid) - server_before,
            load_cpu=time.process_time() - load_before,
        )
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="run on a scratch PostgreSQL")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--payments", type=int, default=20_000, help="at most this many")
    parser.add_argument("--duration", type=float, default=30.0, help="at most this long (s)")
    parser.add_argument("--members", type=int, default=64)
    parser.add_argument("--merchants", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    args = parser.parse_args()
    if args.members < args.clients:
        parser.error("give at least one member per client")

    engine = "PostgreSQL" if args.postgres else "SQLite"
    with postgres_url() if args.postgres else sqlite_url() as url:
        payers = seed(url, members=args.members, merchants=args.merchants)
        port = free_port()
        with server(url, port=port, workers=args.workers) as process:
            context = multiprocessing.get_context("spawn")
            results: multiprocessing.Queue[Outcome] = context.Queue()
            loader = context.Process(
                target=load_process,
                args=(
                    process.pid,
                    f"http://{HOST}:{port}",
                    payers,
                    args.clients,
                    args.payments,
                    args.duration,
                    results,
                ),
            )
            loader.start()
            outcome = results.get()
            loader.join()
        stored = count_payments(url)

    made = outcome.statuses.get(201, 0)
    rate = made / outcome.elapsed
    p50 = statistics.median(outcome.latencies) * 1000
    p99 = percentile(outcome.latencies, 0.99) * 1000
    target_rate = 800 if args.postgres else 1000
    rows = [
        ("payments made (201)", made, ""),
        ("other answers", sum(outcome.statuses.values()) - made, str(outcome.statuses)),
        ("in the ledger", stored, "ok" if stored == made else "MISMATCH"),
        ("seconds", outcome.elapsed, ""),
        ("payments/s", rate, verdict(rate, at_least=target_rate)),
        ("p50 latency (ms)", p50, ""),
        ("p99 latency (ms)", p99, "" if args.postgres else verdict(p99, at_most=50)),
        (
            "server CPU ms per payment",
            outcome.server_cpu * 1000 / max(made, 1),
            "uvicorn parent only",
        ),
        ("load CPU ms per payment", outcome.load_cpu * 1000 / max(made, 1), ""),
        ("machine load average (1 min)", os.getloadavg()[0], f"{os.cpu_count()} CPUs"),
    ]
    print_table(
        f"HTTP payments on {engine}: {args.clients} clients, {args.workers} server worker(s)",
        ("figure", "value", "note"),
        rows,
    )


if __name__ == "__main__":
    main()
