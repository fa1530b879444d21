"""One client on PostgreSQL: the core's transfer against raw psycopg and django-hordak.

The same seeded plan of transfers among funded members (2,000 among 100 by default) is
posted, one client, on the same PostgreSQL server, by each side in turn, round after
round, the order of the sides reversed every other round:

* ``core``: the transfer act (:func:`monnaie_locale.acts.transfers.transfer`, called by
  the association's administrator), one commit per transfer, with the journal sealed as
  the service seals it: the scheduled job ``seal_journal`` running in the background
  meanwhile. The clock stops once every transfer of the plan is sealed (the job's
  remainder is drained inside the timing);
* ``core batch``: the same plan through :func:`monnaie_locale.ledger.service.post_batch`,
  100 transfers per commit, sealed the same way;
* ``raw psycopg``: the loop of :mod:`bench.ledger_postgres` making the core's very writes
  by hand (id, idempotency key with its fingerprint, two conditional updates, two
  postings, header, marked journal-queue row), one commit per transfer; its queue is
  sealed between measurements, untimed;
* ``hordak``: django-hordak's ``Account.transfer_to`` inside ``transaction.atomic()``, one
  commit per transfer, in a Django project configured in code against a scratch database
  of the same server. Django and Hordak live in a virtual environment of their own
  (made once, under ``~/.cache/monnaie-locale-bench/hordak``, or
  ``MLC_BENCH_HORDAK_VENV``), and :mod:`bench.hordak_side` runs there as a child process
  that reports each plan's time as JSON: Django never imports into this process, and is
  no dependency of the service.

Run with ``python -m bench.single_client``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg

from bench.common import (
    POSTGRES_URL,
    Series,
    admin_context,
    libpq_url,
    load_average,
    member_code,
    new_key,
    populate,
    post_batch,
    print_table,
    ratio,
    scratch_database,
    scratch_schema,
    transfer_plan,
    verdict,
)
from bench.ledger_postgres import _check_books, _raw_transfer
from monnaie_locale import journal
from monnaie_locale.acts import transfers
from monnaie_locale.clock import utc_now
from monnaie_locale.jobs import Scheduler, standard_jobs
from monnaie_locale.model import TransferRequest
from monnaie_locale.store import Database

Plan = list[tuple[int, int, int]]
Measured = tuple[float, float]  # seconds of wall clock, seconds of the client's CPU

TARGET_VS_RAW = 0.8
TARGET_VS_HORDAK = 2.0
TARGET_BATCH_VS_HORDAK = 10.0
BATCH = 100
HORDAK_VENV = Path(
    os.environ.get(
        "MLC_BENCH_HORDAK_VENV", Path.home() / ".cache" / "monnaie-locale-bench" / "hordak"
    )
)
HORDAK_PACKAGES = ["django-hordak", "psycopg[binary]"]
_HORDAK_SIDE = Path(__file__).with_name("hordak_side.py")


# The core's sides -------------------------------------------------------------------


def measured(action: Callable[[], object]) -> Measured:
    """Wall-clock seconds ``action`` takes, and the CPU seconds of this process's threads
    meanwhile (the sealer's thread included; the server's processes not)."""
    cpu, start = time.process_time(), time.perf_counter()
    action()
    return time.perf_counter() - start, time.process_time() - cpu


def core_transfers(database: Database, plan: Plan) -> Measured:
    """Seconds the transfer act takes for ``plan``, one commit each, until all are sealed."""
    ctx = admin_context(database)
    codes = [member_code(i) for i in range(1 + max(max(d, c) for d, c, _ in plan))]

    def post() -> None:
        for debit, credit, amount in plan:
            transfers.transfer(ctx, codes[debit], codes[credit], amount, key=new_key())

    return _timed_sealing(database, post)


def core_batches(database: Database, plan: Plan) -> Measured:
    """Seconds ``service.post_batch`` takes for ``plan``, ``BATCH`` transfers a commit."""
    requests = [
        TransferRequest.simple(member_code(debit), member_code(credit), amount)
        for debit, credit, amount in plan
    ]

    def post() -> None:
        for start in range(0, len(requests), BATCH):
            post_batch(database, requests[start : start + BATCH])

    return _timed_sealing(database, post)


def _timed_sealing(database: Database, post: Callable[[], None]) -> Measured:
    sealing = [job for job in standard_jobs(database) if job.name == "seal_journal"]
    sealer = Scheduler(database, sealing, clock=utc_now)
    sealer.start()  # started before the clock, as in the service
    try:
        return measured(lambda: (post(), journal.seal_queue(database, clock=utc_now)))
    finally:
        sealer.stop()


# Raw psycopg ------------------------------------------------------------------------


class RawSide:
    """The raw loop of :mod:`bench.ledger_postgres` on a connection of its own."""

    def __init__(self, url: str, schema: str) -> None:
        self.conn: psycopg.Connection[Any] = psycopg.connect(
            libpq_url(url), options=f"-csearch_path={schema}"
        )
        ids = dict(self.conn.execute("SELECT code, id FROM accounts").fetchall())
        self.conn.commit()
        self.ids = ids

    def run(self, plan: Plan) -> Measured:
        ids = [int(self.ids[member_code(i)]) for i in range(len(self.ids) - 1)]

        def post() -> None:
            for debit, credit, amount in plan:
                _raw_transfer(self.conn, ids[debit], ids[credit], amount)

        return measured(post)

    def close(self) -> None:
        self.conn.close()


# Hordak -----------------------------------------------------------------------------


def hordak_python(venv: Path = HORDAK_VENV) -> Path:
    """The interpreter of Hordak's own virtual environment, made on first use only."""
    python = venv / "bin" / "python"
    installed = venv / ".installed"
    if not installed.exists():
        print(f"making Hordak's virtual environment in {venv} (once)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        pip = [str(python), "-m", "pip", "install", "--quiet", *HORDAK_PACKAGES]
        subprocess.run(pip, check=True)
        installed.write_text(" ".join(HORDAK_PACKAGES) + "\n")
    return python


class HordakSide:
    """:mod:`bench.hordak_side` in Hordak's venv, talking JSON lines over its pipes."""

    def __init__(self, database_url: str, members: int) -> None:
        self.child = subprocess.Popen(
            [str(hordak_python()), str(_HORDAK_SIDE), database_url, str(members)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._answer()  # migrated and funded

    def _ask(self, command: dict[str, Any]) -> dict[str, Any]:
        assert self.child.stdin is not None
        self.child.stdin.write(json.dumps(command) + "\n")
        self.child.stdin.flush()
        return self._answer()

    def _answer(self) -> dict[str, Any]:
        assert self.child.stdout is not None
        line = self.child.stdout.readline()
        if not line:
            raise RuntimeError(f"Hordak's side ended (exit status {self.child.wait()})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def run(self, plan: Plan) -> Measured:
        answer = self._ask({"plan": plan})
        return float(answer["seconds"]), float(answer["cpu"])

    def check(self) -> dict[str, Any]:
        return self._ask({"check": True})

    def close(self) -> None:
        assert self.child.stdin is not None
        self.child.stdin.close()
        self.child.wait(timeout=30)


# The run ----------------------------------------------------------------------------

LABELS = {
    "core": "core: transfer act + seal_journal job",
    "raw": "raw psycopg, same writes",
    "hordak": "django-hordak Account.transfer_to",
    "batch": f"core: post_batch, {BATCH} per commit",
}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--transfers", type=int, default=2000)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--url", default=POSTGRES_URL)
    parser.add_argument("--skip-hordak", action="store_true", help="only the core and raw")
    args = parser.parse_args(argv)
    # A tick of the sealer found still running is skipped: not worth a warning per tick.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    command = "python -m bench.single_client " + " ".join(sys.argv[1:] if argv is None else argv)
    print(f"{command}\nload average at start: {load_average()}", flush=True)
    series = {name: Series(label, []) for name, label in LABELS.items()}
    cpu = {name: Series(label, []) for name, label in LABELS.items()}
    if args.skip_hordak:
        del series["hordak"], cpu["hordak"]
    with scratch_schema(args.url) as (database, schema), scratch_database(args.url) as hk_url:
        populate(database, members=args.members)
        raw = RawSide(args.url, schema)
        hordak = None if args.skip_hordak else HordakSide(hk_url, args.members)
        runs: dict[str, Callable[[Plan], Measured]] = {
            "core": lambda plan: core_transfers(database, plan),
            "raw": raw.run,
            "batch": lambda plan: core_batches(database, plan),
        }
        if hordak is not None:
            runs["hordak"] = hordak.run
        try:
            warm_up = transfer_plan(BATCH, members=args.members, seed=-1)
            for run in runs.values():
                run(warm_up)
            journal.seal_queue(database, clock=utc_now)
            for round_number in range(1, args.rounds + 1):
                plan = transfer_plan(args.transfers, members=args.members, seed=round_number)
                order = list(runs) if round_number % 2 else list(reversed(runs))
                for name in order:
                    seconds, cpu_seconds = runs[name](plan)
                    if name == "raw":  # its queue, sealed off the clock
                        journal.seal_queue(database, clock=utc_now)
                    series[name].values.append(len(plan) / seconds)
                    cpu[name].values.append(1e6 * cpu_seconds / len(plan))
                    print(
                        f"  round {round_number}: {LABELS[name]}: "
                        f"{series[name].values[-1]:,.0f} transfers/s, "
                        f"client CPU {cpu[name].values[-1]:,.0f} µs a transfer",
                        flush=True,
                    )
            _check_books(database)
            if hordak is not None:
                print(f"Hordak's books: {hordak.check()}")
        finally:
            raw.close()
            if hordak is not None:
                hordak.close()
    _report(series, cpu, args)
    print(f"\n{command}\nload average at end: {load_average()}")


def _report(series: dict[str, Series], cpu: dict[str, Series], args: argparse.Namespace) -> None:
    core, raw, batch = series["core"], series["raw"], series["batch"]
    rows: list[list[object]] = [
        ["core / raw psycopg", ratio(core, raw), verdict(ratio(core, raw), at_least=TARGET_VS_RAW)]
    ]
    if "hordak" in series:
        hordak = series["hordak"]
        rows += [
            [
                "core / hordak",
                ratio(core, hordak),
                verdict(ratio(core, hordak), at_least=TARGET_VS_HORDAK),
            ],
            [
                "core batch / hordak",
                ratio(batch, hordak),
                verdict(ratio(batch, hordak), at_least=TARGET_BATCH_VS_HORDAK),
            ],
        ]
    rows.append(["core batch / raw psycopg", ratio(batch, raw), ""])
    print_table(
        f"{args.transfers:,} transfers among {args.members} members, one client, "
        f"median of {args.rounds} rounds",
        ["ratio of the medians", "value", "target"],
        rows,
    )
    print_table(
        "Every side (transfers per second; the client's CPU per transfer, its own process "
        "only, the server's not counted)",
        ["side", "median", "min..max", "CPU µs", "min..max"],
        [
            [s.label, s.median, s.spread(), cpu[name].median, cpu[name].spread()]
            for name, s in series.items()
        ],
    )


if __name__ == "__main__":
    main()
