"""Scheduled jobs: a period is claimed by one caller, run once, and its outcome recorded.

On both engines, with periods given explicitly so nothing depends on the time a test
takes. The background runs themselves are in ``test_scheduler.py``.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from monnaie_locale.clock import Clock
from monnaie_locale.jobs import (
    Job,
    JobPeriodTaken,
    Scheduler,
    UnknownJob,
    claim,
    find_job,
    job_states,
    period_of,
    run_job,
    run_now,
    standard_jobs,
)
from monnaie_locale.model import AccountKind, HoldStatus
from monnaie_locale.store import Database
from tests.conftest import SteppingClock
from tests.engine import Engine


class Counting:
    """A job body that counts its runs (from any thread) and returns the count."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, _database: Database, _clock: Clock) -> int:
        with self._lock:
            self.calls += 1
            return self.calls


def test_of_two_claims_of_one_period_only_the_first_wins(
    database: Database, clock: SteppingClock
) -> None:
    first = database.write(lambda conn: claim(conn, "expire_holds", 7, now=clock()))
    second = database.write(lambda conn: claim(conn, "expire_holds", 7, now=clock()))

    assert (first, second) == (True, False)
    assert job_states(database)["expire_holds"].last_period == 7


def test_a_later_period_can_be_claimed_and_an_earlier_one_never(
    database: Database, clock: SteppingClock
) -> None:
    database.write(lambda conn: claim(conn, "expire_holds", 7, now=clock()))

    assert database.write(lambda conn: claim(conn, "expire_holds", 6, now=clock())) is False
    assert database.write(lambda conn: claim(conn, "expire_holds", 8, now=clock())) is True


def test_claims_of_one_job_leave_the_other_jobs_free(
    database: Database, clock: SteppingClock
) -> None:
    database.write(lambda conn: claim(conn, "expire_holds", 7, now=clock()))

    assert database.write(lambda conn: claim(conn, "deliver_webhooks", 7, now=clock())) is True


def test_a_period_runs_once_and_its_result_is_recorded(
    database: Database, clock: SteppingClock
) -> None:
    body = Counting()
    job = Job("expire_holds", 60, body)

    first = run_job(database, job, clock=clock, period=3)
    again = run_job(database, job, clock=clock, period=3)

    assert (first.status, first.result, again.status) == ("ok", "1", "skipped")
    assert body.calls == 1
    state = job_states(database)["expire_holds"]
    assert (state.last_period, state.last_status, state.last_result) == (3, "ok", "1")
    assert state.last_error is None
    assert state.last_started_at is not None and state.last_finished_at is not None
    assert state.last_started_at < state.last_finished_at


def test_a_failed_run_is_recorded_and_the_next_period_runs_again(
    database: Database, clock: SteppingClock
) -> None:
    def broken(_database: Database, _clock: Clock) -> int:
        raise RuntimeError("the bank is closed")

    failed = run_job(database, Job("expire_holds", 60, broken), clock=clock, period=3)
    state = job_states(database)["expire_holds"]

    assert failed.status == "failed"
    assert (state.last_status, state.last_error) == ("failed", "RuntimeError: the bank is closed")
    assert run_job(database, Job("expire_holds", 60, Counting()), clock=clock, period=4).status == (
        "ok"
    )
    assert job_states(database)["expire_holds"].last_error is None


def test_two_schedulers_on_one_database_run_a_period_once(
    database: Database, clock: SteppingClock
) -> None:
    body = Counting()
    job = Job("expire_holds", 60, body)
    seen = []
    workers = [
        Scheduler(database, [job], clock=clock, on_run=seen.append, wall=lambda: 600.0)
        for _ in range(2)
    ]

    for worker in workers:
        worker.tick(job)

    assert sorted(run.status for run in seen) == ["ok", "skipped"]
    assert {run.period for run in seen} == {10}
    assert body.calls == 1


def test_running_a_job_now_is_refused_when_its_period_already_ran(
    database: Database, clock: SteppingClock
) -> None:
    body = Counting()
    job = Job("expire_holds", 60, body)
    run_now(database, job, clock=clock, wall=lambda: 600.0)

    with pytest.raises(JobPeriodTaken) as refused:
        run_now(database, job, clock=clock, wall=lambda: 659.0)

    assert (refused.value.code, refused.value.period) == ("job_period_taken", 10)
    assert body.calls == 1
    assert run_now(database, job, clock=clock, wall=lambda: 660.0).period == 11


def test_periods_are_counted_from_the_epoch_in_steps_of_the_interval() -> None:
    job = Job("expire_holds", 0.2, Counting())

    assert [period_of(job, moment) for moment in (0.0, 0.19, 0.2, 1.0)] == [0, 0, 1, 5]


def test_the_journal_is_sealed_by_a_job_on_postgresql_only(database: Database) -> None:
    names = [job.name for job in standard_jobs(database)]

    assert names == (["expire_holds", "seal_journal"] if database.is_postgres else ["expire_holds"])
    assert "deliver_webhooks" in [
        job.name for job in standard_jobs(database, send=lambda url, body, headers: 204)
    ]


def test_a_job_is_found_by_name_and_an_unknown_name_is_refused(database: Database) -> None:
    jobs = standard_jobs(database)

    assert find_job(jobs, "expire_holds").interval == 60
    with pytest.raises(UnknownJob) as refused:
        find_job(jobs, "payroll")
    assert refused.value.code == "unknown_job"
    with pytest.raises(ValueError, match="payroll"):
        standard_jobs(database, intervals={"payroll": 1})


def test_the_expire_holds_job_releases_what_expired_holds_held(
    ledger: Engine, clock: SteppingClock
) -> None:
    ledger.open_account("alice", kind=AccountKind.MEMBER, currency="MLC")
    ledger.open_account("bakery", kind=AccountKind.BUSINESS, currency="MLC")
    ledger.transfer("issuance", "alice", 5000, idempotency_key="fund")
    hold = ledger.place_hold(
        "alice", "bakery", 1200, idempotency_key="h", expires_at=clock() + timedelta(minutes=5)
    )
    job = find_job(standard_jobs(ledger.database), "expire_holds")
    clock.advance(timedelta(minutes=10))

    run = run_job(ledger.database, job, clock=clock, period=1)

    assert run.result == "1"
    assert ledger.account("alice").held == 0
    assert ledger.get_hold(hold.id).status is HoldStatus.EXPIRED
