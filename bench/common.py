"""What every benchmark shares: rounds and medians, a table, scratch databases, a workload.

Absolute times drift on a shared machine, so each benchmark measures the ledger and its
baseline in the same run, several rounds each, alternating, and reports the ratio of the
medians. The databases are throw-away: a SQLite file in a temporary directory, or a
PostgreSQL schema (or database) created for the run and dropped at its end.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy import Connection
from sqlalchemy.engine import make_url

from monnaie_locale import journal
from monnaie_locale.acting import Context
from monnaie_locale.auth.principal import Principal
from monnaie_locale.auth.roles import Role
from monnaie_locale.clock import utc_now
from monnaie_locale.deployment import Deployment
from monnaie_locale.ledger import accounts, service
from monnaie_locale.model import AccountKind, TransferRequest
from monnaie_locale.money import Currency
from monnaie_locale.store import Database, connect, migrate

POSTGRES_URL = os.environ.get(
    "MLC_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MLC = Currency(code="MLC", name="monnaie locale", symbol="Ml")
ISSUANCE = "issuance"
FUNDING = 100_000_000  # minor units given to each member: no transfer ever runs short
MAX_TRANSFER = 100


# Measuring ------------------------------------------------------------------------


@dataclass
class Series:
    """The values one figure took over the rounds (per second, or seconds)."""

    label: str
    values: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def spread(self) -> str:
        return f"{min(self.values):,.0f}..{max(self.values):,.0f}"


def timed(action: Callable[[], object]) -> float:
    """Seconds taken by ``action``, on the monotonic high-resolution clock."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def ratio(numerator: Series, denominator: Series) -> float:
    return numerator.median / denominator.median


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print ``rows`` under ``headers`` as aligned columns: the first left, the rest right."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in [list(headers), *cells]) for i in range(len(headers))]
    print(f"\n{title}")
    print(_line(headers, widths))
    print(_line(["-" * w for w in widths], widths))
    for row in cells:
        print(_line(row, widths))


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    first, *rest = zip(cells, widths, strict=True)
    return "  ".join([first[0].ljust(first[1]), *(cell.rjust(width) for cell, width in rest)])


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def verdict(value: float, *, at_least: float | None = None, at_most: float | None = None) -> str:
    """'met' or 'MISSED' for a ratio against its target."""
    if at_least is not None:
        return f"target >= {at_least}: {'met' if value >= at_least else 'MISSED'}"
    assert at_most is not None
    return f"target <= {at_most}: {'met' if value <= at_most else 'MISSED'}"


# Workload -------------------------------------------------------------------------


def member_code(index: int) -> str:
    return f"member:{index:05d}"


def transfer_plan(count: int, *, members: int, seed: int) -> list[tuple[int, int, int]]:
    """``count`` random transfers (debit index, credit index, amount) among ``members``.

    Seeded, so the ledger and its baseline move exactly the same money.
    """
    rng = random.Random(seed)
    plan = []
    for _ in range(count):
        debit, credit = rng.sample(range(members), 2)
        plan.append((debit, credit, rng.randint(1, MAX_TRANSFER)))
    return plan


def new_key() -> str:
    return uuid.uuid4().hex


def admin_context(database: Database, *, seal_after_commit: bool = False) -> Context:
    """The product's path to the books, as the association's administrator acts on them.

    ``seal_after_commit`` chains the journal after each commit, as the CLI does on
    PostgreSQL; a service leaves that to its ``seal_journal`` job.
    """
    actor = Principal(role=Role.ADMIN, accounts=frozenset(), name="bench", user_id=0)
    return Context(
        database=database,
        actor=actor,
        deployment=Deployment(unit=MLC),
        seal_after_commit=seal_after_commit,
    )


def populate(database: Database, *, members: int) -> None:
    """Add the local unit, ``issuance`` and ``members`` accounts, each funded from issuance.

    Issuance is no holder account, so no act moves units out of it: the set-up posts
    through the engine directly, 100 fundings per commit.
    """

    def open_all(conn: Connection) -> None:
        now = utc_now()
        accounts.add_currency(conn, MLC)
        accounts.open_account(
            conn, ISSUANCE, kind=AccountKind.SYSTEM, currency=MLC.code, now=now, lower_limit=None
        )
        for index in range(members):
            accounts.open_account(
                conn, member_code(index), kind=AccountKind.MEMBER, currency=MLC.code, now=now
            )

    database.write(open_all)
    for start in range(0, members, 100):
        requests = [
            TransferRequest.simple(ISSUANCE, member_code(i), FUNDING, kind="issue")
            for i in range(start, min(start + 100, members))
        ]
        post_batch(database, requests)
    journal.seal_queue(database, clock=utc_now)
    analyze(database)


def analyze(database: Database) -> None:
    """Gather the planner's statistics on the accounts, once they are all open.

    A running service's accounts have them (autovacuum keeps them; their number hardly
    changes), as pgbench's tables have theirs after ``pgbench -i``. Without them the
    planner guesses, and the benchmark would not run the plans the service runs. The
    tables that grow with every payment are left to autovacuum, as in the service:
    statistics taken here, while they hold a handful of rows, would keep the plans
    cached on each connection scanning them whole for as long as the run lasts.
    """
    if database.engine.dialect.name == "postgresql":
        database.write(lambda conn: conn.exec_driver_sql("ANALYZE accounts"))


def post_batch(database: Database, requests: Sequence[TransferRequest]) -> None:
    """Post ``requests`` as one linked batch in one commit, with the engine below the acts."""
    key = new_key()  # drawn once: a retried write replays under the same key
    database.write(
        lambda conn: service.post_batch(conn, requests, idempotency_key=key, clock=utc_now)
    )


# SQLite ---------------------------------------------------------------------------


def fresh_sqlite(path: Path) -> Database:
    """A new, migrated SQLite ledger at ``path``, opened as the service opens it."""
    database = connect(f"sqlite:///{path}")
    migrate(database)
    return database


def sqlite_template(directory: Path, *, members: int) -> Path:
    """A migrated, populated SQLite file, checkpointed and closed, ready to be copied."""
    path = directory / "template.db"
    database = fresh_sqlite(path)
    populate(database, members=members)
    database.dispose()
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.execute("PRAGMA journal_mode=DELETE")
    return path


def copy_sqlite(template: Path, target: Path) -> Path:
    for leftover in (target, target.with_name(target.name + "-wal")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(template, target)
    return target


# PostgreSQL -----------------------------------------------------------------------


def libpq_url(url: str) -> str:
    """The same database as a plain libpq URL (for psycopg and the command-line tools)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def open_schema(
    url: str, schema: str, *, pool_size: int = 10, group_commit: bool | None = None
) -> Database:
    """The database :func:`connect` opens for ``url``, with ``schema`` on the search path."""
    return connect(
        url,
        pool_size=pool_size,
        connect_args={"options": f"-csearch_path={schema}"},
        group_commit=group_commit,
    )


@contextmanager
def scratch_schema(
    url: str = POSTGRES_URL, *, pool_size: int = 10
) -> Iterator[tuple[Database, str]]:
    """A migrated ledger in a new schema; yields it and the schema's name; dropped at exit."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(libpq_url(url), autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    database = open_schema(url, schema, pool_size=pool_size)
    try:
        migrate(database)
        yield database, schema
    finally:
        database.dispose()
        with psycopg.connect(libpq_url(url), autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@contextmanager
def scratch_database(url: str = POSTGRES_URL) -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of ``url``; yields its libpq URL."""
    name = f"bench_{uuid.uuid4().hex[:12]}"
    base = make_url(libpq_url(url))
    with psycopg.connect(libpq_url(url), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(libpq_url(url), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


# Peak memory of a child -------------------------------------------------------------

# Linux keeps a process's peak RSS across exec, and a child starts from its parent's: a
# command forked straight from a benchmark, which holds a loaded ledger's objects, would
# report at least the benchmark's size. A small launcher forks and execs the command
# instead, so the figure is the command's own (plus the launcher's few MB at most).
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""
KIB_PER_MB = 1024  # Linux reports ru_maxrss in kibibytes


def run_for_peak_rss(command: Sequence[str], *, scratch: Path) -> tuple[int, float]:
    """Run ``command`` (its first item an absolute path) as a child; its exit status and peak
    resident memory in MB, read from its own resource usage. Its output is discarded."""
    report = scratch / "maxrss.txt"
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, str(report), *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return done.returncode, int(report.read_text()) / KIB_PER_MB


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds spent by the whole machine (every core's busy time, /proc/stat), by
    this process, and by its children once they have ended (pgbench, wrk).

    The load generator, the service and PostgreSQL share the same cores: what a
    transaction costs the whole machine bounds how many it can serve, whichever process
    spends it. What neither this process nor its ended children spent is PostgreSQL's
    (and a running server's, and the machine's other tenants').
    """

    machine: float
    own: float
    children: float

    def __sub__(self, earlier: CpuUse) -> CpuUse:
        return CpuUse(
            self.machine - earlier.machine,
            self.own - earlier.own,
            self.children - earlier.children,
        )

    @property
    def rest(self) -> float:
        return self.machine - self.own - self.children


def cpu_use() -> CpuUse:
    """The CPU seconds spent so far (see :class:`CpuUse`)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(f) for f in fields[:7])
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return CpuUse(
        (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK"),
        own.ru_utime + own.ru_stime,
        children.ru_utime + children.ru_stime,
    )


def load_average() -> str:
    """The three load averages of /proc/loadavg (1, 5 and 15 minutes)."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def progress(label: str, done: int, total: int) -> None:
    """One self-overwriting progress line on the terminal."""
    end = "\n" if done >= total else ""
    print(f"\r  {label}: {done:,}/{total:,} ({100 * done // max(total, 1)} %)", end=end, flush=True)
