"""What provable backing costs: the journal's Merkle tree and signed checkpoints.

Two measurements, ``--only`` picks one:

``cost``: the tree's maintenance per payment, as a ratio. Two ledgers with the same
funded members take the same payments through the transfer act
(:func:`monnaie_locale.acts.transfers.transfer`, called by the association's
administrator, ``seal_after_commit`` on), one payment per commit. On one of them the
checkpoint job's work runs in the timed span after every ``--every`` payments, as the job
does it: the tree extended over the new entries
(:func:`monnaie_locale.transparency.tree.extend_all`, its own write transactions), then a
checkpoint signed and kept (:func:`monnaie_locale.transparency.checkpoints.make_checkpoint`).
A round posts ``--payments`` on each ledger in blocks of ``--block`` taken in turn, ABBA:
on a shared machine the load comes and goes within seconds, and so falls on both alike.
Each round gives a ratio of the time per payment, maintained over bare, both measured
within the same seconds; the figure is the median of these ratios (the ratio of the
medians is printed too). The job's own time per payment over a bare payment's time is
printed beside it: the measured ratio also catches what the job costs the payments
indirectly, but from round to round it moves by more than the job's share on a busy
machine, while the job's time is measured directly. **Target ≤ 1.1.** One client posts:
the job's work is counted in full, not hidden behind idle cores.

``big``: a checkpoint over a million postings. A ledger is loaded with ``--postings``
postings (two-leg transfers, so half as many journal entries) by the loader of
:mod:`bench.history_cost` (raw bulk inserts with every trigger on, then sealed by the
journal's own sealer: real entries, hashed, chained and marked). A child process then
times, on the loaded database: the tree extended from empty, a first checkpoint, a second
one (which recomputes the first's root from the stored nodes, as every checkpoint after
the first does), an inclusion proof and a consistency proof, each checked with
:mod:`monnaie_locale.verify.merkle`; and the root is recomputed by streaming the journal's
hashes with no stored node. The child's peak resident memory is read from its own resource
usage by a launcher (see :func:`bench.common.run_for_peak_rss`): what the machine pays,
interpreter, SQLAlchemy, the driver's buffers and SQLite's page cache included, which
``tracemalloc`` (Python's allocator only) would not see. The child also notes its
resident peak once its imports are done and the database opened, the floor under every
figure. **Target ≤ 200 MB** (the issue's, for a million entries). The stored nodes'
size on disk is reported beside the journal's.

SQLite by default (temporary files); ``--postgres`` runs the same in scratch PostgreSQL
databases created for the run and dropped at its end. Run with
``python -m bench.transparency``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select, text

from bench.common import (
    KIB_PER_MB,
    MLC,
    POSTGRES_URL,
    Series,
    admin_context,
    copy_sqlite,
    fresh_sqlite,
    load_average,
    member_code,
    new_key,
    populate,
    print_table,
    run_for_peak_rss,
    scratch_database,
    sqlite_template,
    timed,
    transfer_plan,
    verdict,
)
from bench.history_cost import load_history
from monnaie_locale.acts import transfers
from monnaie_locale.clock import utc_now
from monnaie_locale.deployment import Deployment
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.payments.keys import SigningKey
from monnaie_locale.store import Database, connect, migrate
from monnaie_locale.store.tables import journal
from monnaie_locale.store.tables_transparency import liability_leaves, merkle_nodes
from monnaie_locale.transparency import checkpoints, tree
from monnaie_locale.verify.merkle import (
    CompactRange,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)

TARGET_RATIO = 1.1
TARGET_MB = 200.0
ORIGIN = "bench.invalid/transparency"
DEPLOYMENT = Deployment(unit=MLC)


# The checkpoint job's work ----------------------------------------------------------


class Job:
    """What the checkpoint job does each time it is due: extend the tree, sign a checkpoint.

    It keeps how long each of the two took, each time.
    """

    def __init__(self, database: Database) -> None:
        self.database = database
        self.key = SigningKey.generate()
        self.extending: list[float] = []
        self.signing: list[float] = []

    def __call__(self) -> checkpoints.StoredCheckpoint:
        # The moment taken before the tree reads the journal, as the job stamps it.
        now = utc_now()
        self.extending.append(timed(lambda: tree.extend_all(self.database.write, now=now)))
        made: list[checkpoints.StoredCheckpoint] = []
        self.signing.append(timed(lambda: made.append(self.database.write(self._sign(now)))))
        return made[0]

    def _sign(self, now: datetime) -> Callable[[Connection], checkpoints.StoredCheckpoint]:
        return lambda conn: checkpoints.make_checkpoint(
            conn, DEPLOYMENT, key=self.key, origin=ORIGIN, now=now
        )


# Cost per payment -------------------------------------------------------------------


Plan = Sequence[tuple[int, int, int]]


class Side:
    """One ledger of the pair: the act's context, and the job when the tree is kept."""

    def __init__(self, database: Database, job: Job | None, *, every: int) -> None:
        self.ctx = admin_context(database, seal_after_commit=True)
        self.job = job
        self.every = every
        self.paid = 0  # payments since the ledger's start, for the job's rhythm
        self.seconds = 0.0  # this round's, the job's work included
        self.in_job = 0.0  # this round's job's work alone
        database.read(lambda conn: get_account(conn, member_code(0)))  # the pool warm

    def post(self, block: Plan) -> None:
        start = time.perf_counter()
        for debit, credit, amount in block:
            transfers.transfer(
                self.ctx, member_code(debit), member_code(credit), amount, key=new_key()
            )
            self.paid += 1
            if self.job is not None and self.paid % self.every == 0:
                self.in_job += timed(self.job)
        self.seconds += time.perf_counter() - start


def pay_round(sides: Sequence[Side], plan: Plan, *, block: int) -> list[float]:
    """Seconds per payment of ``plan`` on each side, posted in alternating blocks.

    Both ledgers take each block of ``block`` payments in turn, in the order ABBA ABBA...:
    a load that comes and goes on a shared machine falls on both alike.
    """
    for side in sides:
        side.seconds = side.in_job = 0.0
    for number, first in enumerate(range(0, len(plan), block)):
        for side in sides if number % 2 == 0 else reversed(sides):
            side.post(plan[first : first + block])
    return [side.seconds / len(plan) for side in sides]


@contextmanager
def ledger_pair(args: argparse.Namespace) -> Iterator[tuple[Database, Database]]:
    """Two ledgers with the same funded members, thrown away at exit."""
    with ExitStack() as stack:
        if args.postgres:
            pair = []
            for _ in range(2):
                database = connect(stack.enter_context(scratch_database(args.url)), pool_size=2)
                stack.callback(database.dispose)
                migrate(database)
                populate(database, members=args.members)
                pair.append(database)
            yield pair[0], pair[1]
            return
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mlc-bench-")))
        template = sqlite_template(directory, members=args.members)
        pair = []
        for name in ("maintained.db", "bare.db"):
            database = connect(f"sqlite:///{copy_sqlite(template, directory / name)}")
            stack.callback(database.dispose)
            pair.append(database)
        yield pair[0], pair[1]


def measure_cost(args: argparse.Namespace) -> None:
    print(
        f"cost: {args.payments:,} payments a round on each ledger, in alternating blocks of "
        f"{args.block}; the job every {args.every:,}",
        flush=True,
    )
    maintained_times, bare_times = Series("tree + checkpoints", []), Series("bare", [])
    payments_alone = Series("  its payments alone, job's time taken out", [])
    with ledger_pair(args) as (maintained, bare):
        job = Job(maintained)
        job()  # the first checkpoint, untimed: the rounds measure the steady state
        sides = [Side(maintained, job, every=args.every), Side(bare, None, every=args.every)]
        for round_number in range(1, args.rounds + 1):
            plan = transfer_plan(args.payments, members=args.members, seed=round_number)
            with_tree, without = pay_round(sides, plan, block=args.block)
            maintained_times.values.append(with_tree)
            bare_times.values.append(without)
            payments_alone.values.append(with_tree - sides[0].in_job / len(plan))
            print(
                f"  round {round_number}/{args.rounds}: ratio {with_tree / without:.3f}, "
                f"load {load_average()}",
                flush=True,
            )
        size = maintained.read(lambda conn: tree.head(conn).size)
    del job.extending[0], job.signing[0]  # the untimed first checkpoint's
    extending, signing = statistics.median(job.extending), statistics.median(job.signing)
    micro = 1e6
    print_table(
        f"Time per payment (transfer act, one per commit), median of {args.rounds} rounds",
        ["ledger", "µs / payment", "payments / s", "min..max µs"],
        [
            [
                s.label,
                s.median * micro,
                1 / s.median,
                f"{min(s.values) * micro:,.0f}..{max(s.values) * micro:,.0f}",
            ]
            for s in (maintained_times, payments_alone, bare_times)
        ],
    )
    print(
        f"\nthe job, median of {len(job.signing)} times: tree extended over {args.every:,} "
        f"entries {extending * 1000:,.1f} ms, checkpoint signed and kept {signing * 1000:,.1f} ms; "
        f"{(extending + signing) / args.every * micro:,.0f} µs per payment; "
        f"tree size at the end {size:,}"
    )
    share = (extending + signing) / args.every / bare_times.median
    print(f"the job's time over a bare payment's: +{100 * share:.1f} % (ratio {1 + share:.3f})")
    paired = [m / b for m, b in zip(maintained_times.values, bare_times.values, strict=True)]
    value = statistics.median(paired)
    print(
        f"ratio tree + checkpoints / bare, median of the rounds' ratios: {value:.3f} "
        f"({verdict(value, at_most=TARGET_RATIO)}); "
        f"of the medians: {maintained_times.median / bare_times.median:.3f}"
    )


# A checkpoint over a million postings ---------------------------------------------


@contextmanager
def big_ledger(args: argparse.Namespace) -> Iterator[str]:
    """A loaded ledger, thrown away at exit; yields its URL for the child."""
    with ExitStack() as stack:
        if args.postgres:
            url = stack.enter_context(scratch_database(args.url))
            database = connect(url, pool_size=2)
            migrate(database)
        else:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mlc-bench-")))
            url = f"sqlite:///{directory / 'big.db'}"
            database = fresh_sqlite(directory / "big.db")
        try:
            populate(database, members=args.members)
            seconds = timed(
                lambda: load_history(database, postings_wanted=args.postings, members=args.members)
            )
            if args.postgres:
                # What autovacuum does soon after a load: the planner sees the tables' sizes.
                with database.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT"
                ) as conn:
                    conn.execute(text("ANALYZE"))
            print(f"  loaded and sealed in {seconds:,.0f} s", flush=True)
        finally:
            database.dispose()
        yield url


def measure_big(args: argparse.Namespace) -> None:
    engine_name = "PostgreSQL" if args.postgres else "SQLite"
    print(f"big: {args.postings:,} postings among {args.members:,} members ({engine_name})")
    with big_ledger(args) as url, tempfile.TemporaryDirectory(prefix="mlc-out-") as out:
        report = Path(out) / "report.json"
        print(f"  measuring in a child process, load average {load_average()}...", flush=True)
        command = [sys.executable, "-m", "bench.transparency", "--child", url, str(report)]
        status, peak_mb = run_for_peak_rss(command, scratch=Path(out))
        print(f"  measured, load average {load_average()}", flush=True)
        if status != 0 or not report.exists():
            raise SystemExit(
                f"the child failed (exit {status}): run `python -m bench.transparency "
                f"--child URL FILE` on a loaded ledger to see why"
            )
        found = json.loads(report.read_text())
    _report_big(found, peak_mb, args, engine_name)


def _report_big(
    found: dict[str, Any], peak_mb: float, args: argparse.Namespace, engine_name: str
) -> None:
    entries = found["entries"]
    print_table(
        f"Tree and checkpoint over {entries:,} journal entries ({args.postings:,} postings, "
        f"{engine_name})",
        ["step", "seconds", "checked", "child's peak RSS after, MB"],
        [
            ["tree extended from empty", found["extend_s"], "", found["after_extend_mb"]],
            ["first checkpoint", found["first_checkpoint_s"], "", found["after_checkpoints_mb"]],
            ["next checkpoint (previous root recomputed)", found["checkpoint_s"], "", ""],
            [
                f"inclusion proof, entry {found['inclusion_seq']:,}",
                found["inclusion_s"],
                _yes(found["inclusion_ok"]),
                "",
            ],
            [
                f"consistency proof, {found['consistency_first']:,} to {entries:,}",
                found["consistency_s"],
                _yes(found["consistency_ok"]),
                "",
            ],
            ["root recomputed streaming the journal", "", _yes(found["root_ok"]), ""],
        ],
    )
    print(f"\n  tree extension: {found['extend_s'] / entries * 1e6:,.1f} µs per entry")
    print(f"  liabilities sum tree in the checkpoint: {found['liabilities']}")
    print(
        f"  merkle_nodes: {found['nodes']:,} rows, {found['nodes_bytes'] / 1e6:,.1f} MB on disk "
        f"(journal: {found['journal_bytes'] / 1e6:,.1f} MB)"
    )
    print(
        f"  child's peak RSS: {peak_mb:,.1f} MB ({verdict(peak_mb, at_most=TARGET_MB)}); "
        f"its floor (imports done, database open): {found['floor_mb']:,.1f} MB"
    )
    if not (found["inclusion_ok"] and found["consistency_ok"] and found["root_ok"]):
        raise SystemExit("a proof or the root did not check")


def _yes(checked: bool) -> str:
    return "verified" if checked else "FAILED"


# The child ------------------------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_MB


def child(url: str, report: Path) -> None:
    """Time the tree and checkpoints on the loaded ledger at ``url``; write what was found."""
    database = connect(url, pool_size=2)
    entries = int(
        database.read(lambda conn: conn.execute(select(func.max(journal.c.seq))).scalar_one())
    )
    found: dict[str, Any] = {"entries": entries, "floor_mb": _peak_mb()}
    job = Job(database)
    found["extend_s"] = timed(lambda: tree.extend_all(database.write, now=utc_now()))
    found["after_extend_mb"] = _peak_mb()
    first: list[checkpoints.StoredCheckpoint] = []
    found["first_checkpoint_s"] = timed(lambda: first.append(job()))
    found["checkpoint_s"] = timed(job)
    found["after_checkpoints_mb"] = _peak_mb()
    head = first[0].checkpoint
    found["liabilities"] = database.read(lambda conn: _liabilities(conn, first[0]))
    found.update(database.read(lambda conn: _proofs(conn, head.size, head.root)))
    found["root_ok"] = database.read(lambda conn: _streamed_root(conn, head.size)) == head.root
    found.update(database.read(_sizes))
    database.dispose()
    report.write_text(json.dumps(found))


def _liabilities(conn: Connection, stored: checkpoints.StoredCheckpoint) -> str:
    if stored.checkpoint.liabilities_root is None:
        return "none (liabilities.sum_tree gives None on this branch)"
    leaves = conn.execute(
        select(func.count())
        .select_from(liability_leaves)
        .where(liability_leaves.c.checkpoint_id == stored.id)
    ).scalar_one()
    return f"built, {leaves:,} leaves"


def _proofs(conn: Connection, size: int, root: bytes) -> dict[str, Any]:
    seq = size * 2 // 3 + 1  # not at an edge: a path of full length
    leaf = leaf_hash(
        bytes.fromhex(conn.execute(select(journal.c.hash).where(journal.c.seq == seq)).scalar_one())
    )
    proof: list[bytes] = []
    inclusion_s = timed(lambda: proof.extend(tree.inclusion(conn, seq, size)))
    first = size // 3 + 1  # not a power of two, so the proof starts inside a subtree
    between: list[bytes] = []
    consistency_s = timed(lambda: between.extend(tree.consistency(conn, first, size)))
    return {
        "inclusion_seq": seq,
        "inclusion_s": inclusion_s,
        "inclusion_ok": verify_inclusion(seq - 1, size, leaf, proof, root),
        "consistency_first": first,
        "consistency_s": consistency_s,
        "consistency_ok": verify_consistency(first, size, between, tree.root_at(conn, first), root),
    }


def _streamed_root(conn: Connection, size: int) -> bytes:
    """The root over the journal's first ``size`` hashes, without the stored nodes."""
    compact = CompactRange()
    after = 0
    while after < size:
        hashes = (
            conn.execute(
                select(journal.c.hash)
                .where(journal.c.seq > after, journal.c.seq <= size)
                .order_by(journal.c.seq)
                .limit(20_000)
            )
            .scalars()
            .all()
        )
        for digest in hashes:
            compact.append(leaf_hash(bytes.fromhex(digest)))
        after += len(hashes)
    return compact.root()


def _sizes(conn: Connection) -> dict[str, int]:
    nodes = int(conn.execute(select(func.count()).select_from(merkle_nodes)).scalar_one())
    return {
        "nodes": nodes,
        "nodes_bytes": _bytes(conn, "merkle_nodes"),
        "journal_bytes": _bytes(conn, "journal"),
    }


def _bytes(conn: Connection, table: str) -> int:
    """A table's size on disk, its indexes included."""
    if conn.dialect.name == "postgresql":
        query = "SELECT pg_total_relation_size(:t)"
    else:
        query = (
            "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN "
            "(SELECT name FROM sqlite_master WHERE tbl_name = :t)"
        )
    return int(conn.execute(text(query), {"t": table}).scalar_one())


# Running --------------------------------------------------------------------------


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    return f"{os.cpu_count()} CPUs ({model})"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--url", default=POSTGRES_URL)
    parser.add_argument("--only", choices=["cost", "big"], help="one measurement of the two")
    parser.add_argument("--payments", type=int, default=2000, help="per round, per ledger")
    parser.add_argument("--every", type=int, default=1000, help="payments between checkpoints")
    parser.add_argument("--block", type=int, default=20, help="payments a side posts in turn")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--postings", type=int, default=1_000_000, help="in the big ledger")
    parser.add_argument("--child", nargs=2, metavar=("URL", "REPORT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    print(f"{machine()}, load average {load_average()}", flush=True)
    if args.only in (None, "cost"):
        measure_cost(args)
    if args.only in (None, "big"):
        measure_big(args)
    print(f"\nload average at the end: {load_average()}")


if __name__ == "__main__":
    main()
