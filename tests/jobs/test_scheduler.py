"""The scheduler in the background: what production relies on with no call from anyone.

Runs wait for a condition with a deadline, never for a fixed time, and nothing asserts
how long a run took.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from apscheduler.events import EVENT_JOB_MAX_INSTANCES
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from api.app import create_app
from monnaie_locale.config import Settings
from monnaie_locale.jobs import Job, JobRun, Scheduler, find_job, standard_jobs
from monnaie_locale.model import AccountKind, HoldStatus
from monnaie_locale.store import Database
from monnaie_locale.store.tables import journal_queue
from tests.conftest import MLC, SteppingClock
from tests.engine import Engine
from tests.jobs.test_jobs import Counting

DEADLINE_SECONDS = 20.0


def eventually(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting, after {DEADLINE_SECONDS} s, for {what}")
        time.sleep(0.05)


def second_worker(database: Database) -> Database:
    """Another connection pool on the same PostgreSQL schema, as another process has."""
    schema = database.read(lambda conn: conn.execute(text("SELECT current_schema()")).scalar())
    engine = create_engine(
        database.engine.url, connect_args={"options": f"-c search_path={schema}"}
    )
    return Database(engine)


@pytest.fixture
def members(postgres_database: Database, clock: SteppingClock) -> Engine:
    ledger = Engine(postgres_database, clock=clock)
    ledger.add_currency(MLC)
    ledger.open_account("issuance", kind=AccountKind.SYSTEM, currency="MLC", lower_limit=None)
    ledger.open_account("alice", kind=AccountKind.MEMBER, currency="MLC")
    ledger.open_account("bakery", kind=AccountKind.BUSINESS, currency="MLC")
    ledger.transfer("issuance", "alice", 5000, idempotency_key="fund")
    return ledger


@pytest.mark.postgres
def test_two_schedulers_on_one_postgresql_database_run_each_period_once(
    postgres_database: Database, clock: SteppingClock
) -> None:
    other = second_worker(postgres_database)
    bodies = {"expire_holds": Counting(), "deliver_webhooks": Counting()}
    jobs = [Job(name, 0.1, body) for name, body in bodies.items()]
    runs: list[JobRun] = []
    workers = [
        Scheduler(database, jobs, clock=clock, on_run=runs.append)
        for database in (postgres_database, other)
    ]
    for worker in workers:
        worker.start()
    try:
        eventually(
            lambda: all(body.calls >= 10 for body in bodies.values()), "ten runs of each job"
        )
    finally:
        for worker in workers:
            worker.stop()
        other.dispose()

    for name, body in bodies.items():
        ran = [run.period for run in runs if run.job == name and run.status == "ok"]
        assert len(ran) == len(set(ran)) == body.calls, name
    assert any(run.status == "skipped" for run in runs)


@pytest.mark.postgres
def test_an_expired_hold_releases_its_funds_in_the_running_service(
    members: Engine, clock: SteppingClock
) -> None:
    database = members.database
    settings = Settings(job_intervals={"expire_holds": 0.1}, webhook_poll_seconds=3600)
    with TestClient(create_app(settings, database=database, clock=clock)):
        hold = members.place_hold(
            "alice", "bakery", 1200, idempotency_key="h", expires_at=clock() + timedelta(minutes=5)
        )
        assert members.account("alice").held == 1200
        clock.advance(timedelta(minutes=10))

        eventually(lambda: members.account("alice").held == 0, "the hold's amount released")

    assert members.get_hold(hold.id).status is HoldStatus.EXPIRED
    assert members.account("alice").balance == 5000


@pytest.mark.postgres
def test_stopping_the_scheduler_seals_what_was_committed_before(
    members: Engine, clock: SteppingClock
) -> None:
    database = members.database
    Engine(database, clock=clock, auto_seal=False).transfer(
        "alice", "bakery", 100, idempotency_key="pay"
    )
    queued = lambda: database.read(  # noqa: E731
        lambda conn: conn.execute(text(f"SELECT count(*) FROM {journal_queue.name}")).scalar()
    )
    assert queued() == 1
    sealing = find_job(standard_jobs(database, intervals={"seal_journal": 3600}), "seal_journal")
    scheduler = Scheduler(database, [sealing], clock=clock)
    scheduler.start()

    scheduler.stop()

    assert queued() == 0
    assert members.verify_journal().ok


def test_job_runs_are_counted_in_the_metrics(database: Database, clock: SteppingClock) -> None:
    settings = Settings(job_intervals={"expire_holds": 0.1}, webhook_poll_seconds=3600)
    app = create_app(settings, database=database, clock=clock)
    # From the loopback interface, to which /metrics is served.
    with TestClient(app, client=("127.0.0.1", 40000)) as client:

        def counted() -> bool:
            text = client.get("/metrics").text
            return 'mlc_job_runs_total{job="expire_holds",status="ok"}' in text

        eventually(counted, "a run of expire_holds in /metrics")
        exposition = client.get("/metrics").text

    assert 'mlc_job_duration_seconds_count{job="expire_holds"}' in exposition
    assert 'mlc_job_last_run_timestamp_seconds{job="expire_holds"}' in exposition


def test_a_service_with_jobs_turned_off_runs_none(database: Database, clock: SteppingClock) -> None:
    settings = Settings(
        jobs_enabled=False, job_intervals={"expire_holds": 0.01}, webhook_poll_seconds=3600
    )
    app = create_app(settings, database=database, clock=clock)
    with TestClient(app, client=("127.0.0.1", 40000)) as client:
        # Time for dozens of runs, had any been scheduled.
        time.sleep(0.3)
        exposition = client.get("/metrics").text

    assert "# TYPE mlc_job_runs_total counter" in exposition
    assert "mlc_job_runs_total{" not in exposition


def test_a_tick_skipped_while_the_last_run_is_under_way_logs_nothing(
    database: Database, clock: SteppingClock, caplog: pytest.LogCaptureFixture
) -> None:
    # A job slower than its interval: the runs it misses are skipped by design, and
    # under load that happens five times a second; the log must not fill with them.
    release, entered = threading.Event(), threading.Event()

    def slow(_database: Database, _clock: object) -> None:
        entered.set()
        release.wait(DEADLINE_SECONDS)

    skipped: list[object] = []
    scheduler = Scheduler(database, [Job("slow", 0.05, slow)], clock=clock)
    scheduler._scheduler.add_listener(skipped.append, EVENT_JOB_MAX_INSTANCES)
    caplog.set_level(logging.WARNING)
    scheduler.start()
    try:
        eventually(entered.is_set, "the slow job's first run")
        eventually(lambda: len(skipped) >= 3, "three ticks skipped while it runs")
    finally:
        release.set()
        scheduler.stop()
    assert not [r for r in caplog.records if "running instances" in r.getMessage()]
    # Other warnings of the scheduler still get through.
    logging.getLogger("apscheduler.scheduler").warning("Run time of job was missed")
    assert any("was missed" in r.getMessage() for r in caplog.records)
