"""``mlc jobs serve``, the scheduler's own process, as its systemd unit runs it.

A real process over the test's database, on SQLite and PostgreSQL: it starts, runs the
jobs (a hold past its expiry is released; on PostgreSQL a transaction left unsealed is
sealed), logs each run that did something, and on SIGTERM ends its runs and exits 0.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from typing import IO, Any

from monnaie_locale.model import AccountKind
from monnaie_locale.store import Database
from tests.cli.conftest import ROOT, database_url
from tests.engine import Engine


def _lines(stream: IO[str]) -> queue.Queue[str]:
    """The stream's lines as they come, read by a thread: a test never blocks on a pipe."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _wait_for(lines: queue.Queue[str], seen: list[dict[str, Any]], **fields: Any) -> None:
    """Read log records until one has ``fields`` (it may have come already); fail after
    20 s. The jobs run in threads of their own: their records come in any order."""

    def matches(record: dict[str, Any]) -> bool:
        return all(record.get(key) == value for key, value in fields.items())

    if any(matches(record) for record in seen):
        return
    while True:
        try:
            line = lines.get(timeout=20)
        except queue.Empty:
            raise AssertionError(f"no log record with {fields}; saw {seen}") from None
        try:
            record = json.loads(line)
        except ValueError:
            continue
        seen.append(record)
        if matches(record):
            return


def test_the_scheduler_runs_the_jobs_alone_and_stops_on_sigterm(
    ledger: Engine, database: Database
) -> None:
    ledger.open_account("alice", kind=AccountKind.MEMBER, currency="MLC")
    ledger.open_account("bob", kind=AccountKind.MEMBER, currency="MLC")
    ledger.transfer("issuance", "alice", 10_00, idempotency_key="fund")
    # The test's clock is weeks behind the machine's: the hold is long past its expiry.
    hold = ledger.place_hold(
        "alice", "bob", 2_00, idempotency_key="hold", expires_at=ledger.clock() + timedelta(1)
    )
    ledger.auto_seal = False  # left for the scheduler's sealer, on PostgreSQL
    ledger.transfer("alice", "bob", 1_00, idempotency_key="unsealed")

    environment = {
        **os.environ,
        "MLC_JOB_INTERVALS": json.dumps({"expire_holds": 0.5}),
        "MLC_LOG_LEVEL": "INFO",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "--database", database_url(database), "jobs", "serve"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: list[dict[str, Any]] = []
    try:
        lines = _lines(process.stderr)  # type: ignore[arg-type]
        sealer = ["seal_journal"] if database.is_postgres else []
        _wait_for(lines, seen, jobs=["expire_holds", *sealer, "deliver_webhooks"])
        _wait_for(lines, seen, job="expire_holds", status="ok", result="1")
        if database.is_postgres:
            _wait_for(lines, seen, job="seal_journal", status="ok")
        assert ledger.get_hold(hold.id).status == "expired"

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        _wait_for(lines, seen, message="scheduler stopped")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert ledger.seal_journal() == 0  # nothing was left unsealed
