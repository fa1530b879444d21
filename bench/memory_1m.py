"""Peak memory of verifying and exporting a ledger of a million postings.

A ledger is loaded with ``--postings`` postings by the loader of
:mod:`bench.history_cost` (raw bulk inserts with every trigger on, balances kept
consistent, then sealed), and ``mlc audit verify``, ``mlc export journal`` and
``mlc export fec`` are run on it as separate processes, one at a time. Each child's peak
resident set size is read from its own resource usage (``os.wait4``), so one command's
peak never hides another's. Verification and exports stream the books, so their peak
should not grow with the ledger: **target ≤ 200 MB each**.

SQLite by default; ``--postgres`` runs the same in a scratch PostgreSQL schema (the
commands reach it through ``search_path`` in the URL's ``options``). Run with
``python -m bench.memory_1m``.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.common import (
    POSTGRES_URL,
    fresh_sqlite,
    populate,
    print_table,
    run_for_peak_rss,
    scratch_schema,
    timed,
    verdict,
)
from bench.history_cost import load_history
from monnaie_locale.auth.roles import Role
from monnaie_locale.auth.users import create_user
from monnaie_locale.clock import utc_now

TARGET_MB = 200.0
# The auditor the commands run as.
AUDITOR = "bench-auditor"


@dataclass(frozen=True, slots=True)
class Measure:
    """One command's run: its exit status, its peak resident memory, its duration."""

    command: str
    exit_status: int
    peak_mb: float
    seconds: float


def run_measured(arguments: Sequence[str], *, label: str, scratch: Path) -> Measure:
    """Run ``mlc`` with ``arguments`` in a child process and read that child's peak RSS."""
    status, peak_mb = 0, 0.0

    def run() -> None:
        nonlocal status, peak_mb
        command = [sys.executable, "-m", "cli.main", *arguments]
        status, peak_mb = run_for_peak_rss(command, scratch=scratch)

    seconds = timed(run)
    return Measure(label, status, peak_mb, seconds)


@contextmanager
def big_ledger(args: argparse.Namespace) -> Iterator[str]:
    """A loaded ledger, thrown away at exit; yields the database URL the CLI is given."""
    with ExitStack() as stack:
        if args.postgres:
            database, schema = stack.enter_context(scratch_schema(args.url))
            url = f"{args.url}?options=-csearch_path%3D{schema}"
        else:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mlc-bench-")))
            path = directory / "big.db"
            database = fresh_sqlite(path)
            stack.callback(database.dispose)
            url = f"sqlite:///{path}"
        populate(database, members=args.members)
        seconds = timed(
            lambda: load_history(database, postings_wanted=args.postings, members=args.members)
        )
        print(f"  loaded and sealed in {seconds:,.0f} s", flush=True)
        # Every command that reads the books names who runs it (``mlc --as NAME``).
        database.write(
            lambda conn: create_user(
                conn, AUDITOR, password=secrets.token_urlsafe(), role=Role.AUDITOR, now=utc_now()
            )
        )
        database.dispose()
        yield url


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--url", default=POSTGRES_URL)
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=1000)
    args = parser.parse_args(argv)
    engine_name = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{engine_name}: {args.postings:,} postings among {args.members:,} members", flush=True)
    with big_ledger(args) as url, tempfile.TemporaryDirectory(prefix="mlc-out-") as out:
        runs = [
            # What the command line costs before any work: the floor under every figure.
            (["--help"], "mlc --help (start-up)"),
            (["audit", "verify", "--json"], "mlc audit verify"),
            (["export", "journal", str(Path(out) / "books.journal")], "mlc export journal"),
            (["export", "fec", str(Path(out) / "fec.txt")], "mlc export fec"),
        ]
        measures = []
        for arguments, label in runs:
            print(f"  running {label}...", flush=True)
            measures.append(
                run_measured(
                    ["--database", url, "--as", AUDITOR, *arguments], label=label, scratch=Path(out)
                )
            )
        sizes = {
            p.name: p.stat().st_size
            for p in Path(out).glob("*")
            if p.suffix != ".txt" or p.name == "fec.txt"
        }
    print_table(
        f"Peak RSS of each command on {args.postings:,} postings ({engine_name})",
        ["command", "exit", "peak RSS MB", "seconds", "verdict"],
        [[m.command, m.exit_status, f"{m.peak_mb:,.1f}", m.seconds, _check(m)] for m in measures],
    )
    print("\nfiles written: " + ", ".join(f"{n} {s / 1e6:,.0f} MB" for n, s in sizes.items()))
    if any(m.exit_status != 0 for m in measures):
        raise SystemExit("a command failed: run it by hand on a loaded ledger to see why")


def _check(measure: Measure) -> str:
    return verdict(measure.peak_mb, at_most=TARGET_MB)


if __name__ == "__main__":
    main()
