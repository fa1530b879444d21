"""What PgBouncer in transaction mode costs the ledger's transfers, and what turning psycopg's
prepared statements off costs alone.

Eight client threads post random transfers among a thousand funded members through the
transfer act (as the association's administrator, each commit followed by its sealing)
for a fixed time, on one scratch schema, three ways, alternating round by round:

* ``direct``: straight to PostgreSQL, as the service connects by default (psycopg
  prepares a statement run five times): the baseline;
* ``direct, no prepare``: straight to PostgreSQL with ``?prepare_threshold=none``;
* ``pgbouncer``: through a PgBouncer started here (transaction mode, as many server
  connections as clients, the schema set by ``connect_query``), ``?prepare_threshold=none``.

Prints transfers per second (medians, with the rounds' range) and each as a ratio to
the baseline, with the command and the load average. PgBouncer refuses to run as root:
run as root, it is started as ``postgres``. Run with ``python -m bench.pgbouncer_cost``.
"""

from __future__ import annotations

import argparse
import os
import pwd
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url

from bench.common import (
    POSTGRES_URL,
    Series,
    admin_context,
    load_average,
    member_code,
    new_key,
    populate,
    print_table,
    scratch_schema,
)
from monnaie_locale.acts import transfers
from monnaie_locale.store import Database, connect

SIDES = ("direct", "direct, no prepare", "pgbouncer")


@contextmanager
def pgbouncer(url: str, schema: str, *, pool_size: int) -> Iterator[str]:
    """A PgBouncer in transaction mode before ``url``'s database; yields its URL."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    server = make_url(url)
    folder = Path(tempfile.mkdtemp(prefix="mlc-bench-pgbouncer-"))
    folder.chmod(0o755)  # read by the user PgBouncer runs as
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    user = server.username or "postgres"
    (folder / "userlist.txt").write_text(f'"{user}" ""\n')
    target = (
        f"host={server.host} port={server.port or 5432} dbname={server.database} "
        f"connect_query='SET search_path = {schema}'"
    )
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
mlc = {target}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "userlist.txt"}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 200
log_connections = 0
log_disconnections = 0
"""
    )
    command = [binary, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:
        pwd.getpwnam("postgres")
        command[1:1] = ["-u", "postgres"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not _listening(port):
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("pgbouncer did not start")
            time.sleep(0.05)
        pooled = server.set(drivername="postgresql+psycopg", port=port, database="mlc")
        yield pooled.render_as_string(hide_password=False) + "?prepare_threshold=none"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def run_clients(database: Database, *, clients: int, members: int, seconds: float) -> float:
    """Transfers per second, ``clients`` threads posting for ``seconds``."""
    ctx = admin_context(database, seal_after_commit=True)
    codes = [member_code(i) for i in range(members)]

    def client(seed: int) -> int:
        rng = random.Random(seed)
        done, deadline = 0, time.monotonic() + seconds
        while time.monotonic() < deadline:
            debit, credit = rng.sample(codes, 2)
            transfers.transfer(ctx, debit, credit, rng.randint(1, 100), key=new_key())
            done += 1
        return done

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as threads:
        done = sum(threads.map(client, range(clients)))
    return done / (time.perf_counter() - started)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--url", default=POSTGRES_URL)
    args = parser.parse_args(argv)
    series = {side: Series(side, []) for side in SIDES}
    with scratch_schema(args.url, pool_size=args.clients) as (direct, schema):
        populate(direct, members=args.members)
        options = {"options": f"-csearch_path={schema}"}
        unprepared = connect(
            args.url, pool_size=args.clients, connect_args={**options, "prepare_threshold": None}
        )
        with pgbouncer(args.url, schema, pool_size=args.clients) as pooled_url:
            pooled = connect(pooled_url, pool_size=args.clients)
            databases = {"direct": direct, "direct, no prepare": unprepared, "pgbouncer": pooled}
            for round_number in range(args.rounds):
                # Alternating, each round in another order: drift falls on every side.
                order = SIDES if round_number % 2 == 0 else tuple(reversed(SIDES))
                for side in order:
                    series[side].values.append(
                        run_clients(
                            databases[side],
                            clients=args.clients,
                            members=args.members,
                            seconds=args.duration,
                        )
                    )
                print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr)
            pooled.dispose()
        unprepared.dispose()
    baseline = series["direct"]
    print_table(
        f"Transfers through the act, {args.clients} client threads, {args.members} members, "
        f"{args.rounds} rounds of {args.duration:g} s (medians)",
        ["connection", "transfers/s", "range", "vs direct"],
        [
            (side, s.median, s.spread(), f"{s.median / baseline.median:.2f}")
            for side, s in series.items()
        ],
    )
    print(f"command: python -m bench.pgbouncer_cost {' '.join(argv or sys.argv[1:])}".rstrip())
    print(f"load average: {load_average()}")


if __name__ == "__main__":
    main()
