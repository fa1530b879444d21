"""Scheduled jobs: the work a running service does on its own, once per period.

Four jobs keep the books moving without anyone asking:

* ``expire_holds`` (every minute): a hold past its expiry releases the amount it held
  (:func:`monnaie_locale.ledger.holds.expire_holds`);
* ``seal_journal`` (PostgreSQL only, five times a second): transactions queued at commit
  are chained into the journal (see :mod:`monnaie_locale.journal`), so a request never
  waits for it; one last pass runs when the scheduler stops, so nothing committed before
  the stop stays unsealed;
* ``deliver_webhooks`` (every ``MLC_WEBHOOK_POLL_SECONDS``): due webhooks are sent
  (:func:`monnaie_locale.checkout.deliver_due`), with no transaction open during a request;
* ``checkpoint`` (every minute, where the process has the deployment's signing key): the
  journal's Merkle tree takes the entries sealed since, and a checkpoint is signed when
  one is due (:mod:`monnaie_locale.transparency.publishing`).

One run per period, whatever the number of processes. Time is cut into periods of a
job's interval, counted from the Unix epoch. Every serving process runs the same
schedule, and before running a period it *claims* it in the ``jobs`` table
(:mod:`monnaie_locale.store.tables_jobs`)::

    UPDATE jobs SET last_period = :p WHERE name = :n AND last_period < :p

One process at most changes the row: on PostgreSQL a second ``UPDATE`` waits for the
first to commit and then finds its condition false; SQLite has one writer at a time. The
claim commits before the job runs, so a process that dies mid-run loses that period
only; every job is written to be run again safely (an expired hold is not expired twice,
a sealed transaction is not sealed twice, a claimed delivery is not sent twice).

:class:`Scheduler` runs the jobs in background threads (APScheduler's
``BackgroundScheduler``); ``mlc jobs run`` runs one now, under the same claim.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from monnaie_locale import journal
from monnaie_locale.checkout import Send, deliver_due
from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.errors import Conflict, NotFound
from monnaie_locale.ledger.holds import expire_holds
from monnaie_locale.store.database import Database
from monnaie_locale.store.tables_jobs import jobs as jobs_table
from monnaie_locale.transparency.publishing import Publishing

__all__ = [
    "DEFAULT_INTERVALS",
    "Job",
    "JobPeriodTaken",
    "JobRun",
    "JobState",
    "Scheduler",
    "UnknownJob",
    "claim",
    "find_job",
    "job_states",
    "period_of",
    "run_job",
    "run_now",
    "standard_jobs",
]

log = logging.getLogger(__name__)

# Seconds between two periods of each job.
DEFAULT_INTERVALS: Mapping[str, float] = {
    "expire_holds": 60.0,
    "seal_journal": 0.2,
    "deliver_webhooks": 5.0,
    "checkpoint": 60.0,
}
# What a failed run keeps of its error: enough to act on, never a whole traceback.
_MAX_ERROR = 500

Status = Literal["ok", "failed", "skipped"]


class UnknownJob(NotFound):
    """Raised when a job is named that this deployment does not run."""

    code = "unknown_job"

    def __init__(self, name: str, known: Sequence[str]) -> None:
        super().__init__(f"no job named {name}; the jobs are {', '.join(known)}")
        self.name = name
        self.known = ", ".join(known)


class JobPeriodTaken(Conflict):
    """Raised when a job's current period was already claimed, by a server or a command."""

    code = "job_period_taken"

    def __init__(self, name: str, period: int) -> None:
        super().__init__(f"job {name} already ran in its current period ({period})")
        self.name = name
        self.period = period


class _ExpectedSkip(logging.Filter):
    """Drops APScheduler's warning that a run was skipped while the last one runs.

    That is what ``max_instances=1`` is for: under load the sealing job may take longer
    than its interval, and each skipped tick, five a second, would log a warning.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in str(record.msg)


_EXPECTED_SKIPS = _ExpectedSkip()


@dataclass(frozen=True)
class Job:
    """A piece of work run every ``interval`` seconds; ``run`` returns what it did."""

    name: str
    interval: float
    run: Callable[[Database, Clock], object]
    # Run once more, unclaimed, when the scheduler stops.
    final_pass: bool = False


@dataclass(frozen=True)
class JobRun:
    """One period of a job, as this process saw it (``skipped``: another process ran it)."""

    job: str
    period: int
    status: Status
    seconds: float = 0.0
    result: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class JobState:
    """A job's row: the period that ran last, and how it ended."""

    name: str
    last_period: int
    last_started_at: datetime | None
    last_finished_at: datetime | None
    last_status: str | None
    last_error: str | None
    last_result: str | None


def _expire(database: Database, clock: Clock) -> int:
    return len(database.write(lambda conn: expire_holds(conn, now=clock())))


def _seal(database: Database, clock: Clock) -> int:
    return journal.seal_queue(database, clock=clock)


def standard_jobs(
    database: Database,
    *,
    send: Send | None = None,
    intervals: Mapping[str, float] | None = None,
    publishing: Publishing | None = None,
) -> list[Job]:
    """The jobs a service runs on ``database``; ``send`` posts webhooks (none: not sent),
    ``publishing`` signs checkpoints (none: the tree and its checkpoints wait).

    ``intervals`` overrides :data:`DEFAULT_INTERVALS` by job name.
    """
    chosen = {**DEFAULT_INTERVALS, **(intervals or {})}
    unknown = sorted(set(chosen) - set(DEFAULT_INTERVALS))
    if unknown:
        raise ValueError(
            f"no job named {', '.join(unknown)}: the jobs are {list(DEFAULT_INTERVALS)}"
        )
    found = [Job("expire_holds", chosen["expire_holds"], _expire)]
    if database.is_postgres:  # SQLite seals inside each transaction
        found.append(Job("seal_journal", chosen["seal_journal"], _seal, final_pass=True))
    if send is not None:

        def deliver(database: Database, clock: Clock) -> int:
            return len(deliver_due(database, send=send, clock=clock))

        found.append(Job("deliver_webhooks", chosen["deliver_webhooks"], deliver))
    if publishing is not None:
        found.append(Job("checkpoint", chosen["checkpoint"], publishing))
    return found


def find_job(jobs: Iterable[Job], name: str) -> Job:
    listed = list(jobs)
    for job in listed:
        if job.name == name:
            return job
    raise UnknownJob(name, [job.name for job in listed])


def period_of(job: Job, moment: float) -> int:
    """The period of ``job`` that ``moment`` (Unix seconds) falls in.

    Counted in whole milliseconds: in floating point ``1.0 // 0.2`` is 4.
    """
    return int(moment * 1000) // max(1, round(job.interval * 1000))


# Claims and records ---------------------------------------------------------------


def _insert(conn: Connection) -> Any:
    return postgres_insert if conn.dialect.name == "postgresql" else sqlite_insert


def claim(conn: Connection, name: str, period: int, *, now: datetime) -> bool:
    """Take ``period`` of job ``name`` for this caller; False when it was taken already."""
    conn.execute(
        _insert(conn)(jobs_table).values(name=name, last_period=-1).on_conflict_do_nothing()
    )
    taken = conn.execute(
        update(jobs_table)
        .where(jobs_table.c.name == name, jobs_table.c.last_period < period)
        .values(last_period=period, last_started_at=now, last_status="running")
    )
    return taken.rowcount == 1


def _record(conn: Connection, run: JobRun, *, now: datetime) -> None:
    # Only the period's own row: a slow run must not overwrite a later period's record.
    conn.execute(
        update(jobs_table)
        .where(jobs_table.c.name == run.job, jobs_table.c.last_period == run.period)
        .values(
            last_finished_at=now,
            last_status=run.status,
            last_error=run.error,
            last_result=run.result,
        )
    )


def run_job(database: Database, job: Job, *, clock: Clock, period: int) -> JobRun:
    """Claim ``period`` of ``job`` and run it; a failure is recorded and returned, not raised."""
    if not database.write(lambda conn: claim(conn, job.name, period, now=clock())):
        return JobRun(job.name, period, "skipped")
    started = time.perf_counter()
    try:
        result = job.run(database, clock)
    except Exception as exc:  # a job's failure is its record's, not the scheduler's
        log.exception("job %s failed in period %d", job.name, period)
        error = f"{type(exc).__name__}: {exc}"[:_MAX_ERROR]
        run = JobRun(job.name, period, "failed", time.perf_counter() - started, error=error)
    else:
        run = JobRun(job.name, period, "ok", time.perf_counter() - started, result=str(result))
    database.write(lambda conn: _record(conn, run, now=clock()))
    return run


def run_now(
    database: Database, job: Job, *, clock: Clock, wall: Callable[[], float] = time.time
) -> JobRun:
    """Run the current period of ``job`` here, unless a process ran it already."""
    period = period_of(job, wall())
    run = run_job(database, job, clock=clock, period=period)
    if run.status == "skipped":
        raise JobPeriodTaken(job.name, period)
    return run


def job_states(database: Database) -> dict[str, JobState]:
    """Every job's row, by name (a job never run has none)."""
    rows = database.read(lambda conn: conn.execute(select(jobs_table)).all())
    return {
        row.name: JobState(
            name=row.name,
            last_period=row.last_period,
            last_started_at=_stamp(row.last_started_at),
            last_finished_at=_stamp(row.last_finished_at),
            last_status=row.last_status,
            last_error=row.last_error,
            last_result=row.last_result,
        )
        for row in rows
    }


def _stamp(value: datetime | None) -> datetime | None:
    return as_utc(value) if value is not None else None


# The scheduler ---------------------------------------------------------------------


class Scheduler:
    """Runs ``jobs`` in background threads, each period at most once across processes.

    ``on_run`` hears of every period this process ran or found taken (the service counts
    them in its metrics); ``on_stop`` is called once the runs are over (to close what the
    jobs used). Periods come from ``wall``, the machine's time, shared by every
    process; the jobs themselves read ``clock``, the ledger's time.
    """

    def __init__(
        self,
        database: Database,
        jobs: Sequence[Job],
        *,
        clock: Clock,
        on_run: Callable[[JobRun], None] | None = None,
        on_stop: Callable[[], None] | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.database = database
        self.jobs = list(jobs)
        self._clock = clock
        self._on_run = on_run
        self._on_stop = on_stop
        self._wall = wall
        # coalesce: a run late for several periods runs once; max_instances: a slow run is
        # never joined by the next one of the same job in this process.
        self._scheduler = BackgroundScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1}
        )
        # Five runs a second would otherwise each log two lines at INFO.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        logging.getLogger("apscheduler.scheduler").addFilter(_EXPECTED_SKIPS)

    def start(self) -> None:
        for job in self.jobs:
            self._scheduler.add_job(
                self.tick, "interval", seconds=job.interval, args=(job,), id=job.name
            )
        self._scheduler.start()

    def stop(self) -> None:
        """Wait for the runs under way, then make the final passes of the jobs that want one."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        try:
            for job in self.jobs:
                if job.final_pass:
                    job.run(self.database, self._clock)
        finally:
            if self._on_stop is not None:
                self._on_stop()

    def tick(self, job: Job) -> JobRun:
        """Run the current period of ``job`` if no process has; what came of it."""
        run = run_job(self.database, job, clock=self._clock, period=period_of(job, self._wall()))
        if self._on_run is not None:
            self._on_run(run)
        return run
