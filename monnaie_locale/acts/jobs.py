"""The service's scheduled jobs: each listed with its last run, and one run now by hand.

The jobs are those a serving process runs on the same database (see
:mod:`monnaie_locale.jobs`): ``send`` posts the webhooks, ``intervals`` overrides their
periods and ``publishing`` (the log's keys and cadence) lets the checkpoint job sign,
all from the service's settings, which the caller reads. A run by hand claims
the current period as a server does, so it is refused when a server ran that period.

==================  ======================================================================
Act                 Who may do it
==================  ======================================================================
list_jobs           administrators: how the service's own work went is theirs to watch
run_job             administrators: a run moves books (expired holds released, the
                    journal sealed) and sends webhooks on no one's behalf
==================  ======================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from monnaie_locale import jobs
from monnaie_locale.acting import Context, act
from monnaie_locale.auth.roles import ADMINS
from monnaie_locale.checkout import Send
from monnaie_locale.transparency.publishing import Cadence, Publisher, Publishing

__all__ = ["ListedJob", "list_jobs", "run_job"]


@dataclass(frozen=True)
class ListedJob:
    """A job the service runs, and its row (None: never run on this database)."""

    job: jobs.Job
    state: jobs.JobState | None


def _publishing(
    ctx: Context, publisher: Publisher | None, cadence: Cadence | None
) -> Publishing | None:
    if publisher is None:
        return None
    return Publishing(ctx.deployment, publisher, cadence or Cadence())


@act(*ADMINS)
def list_jobs(
    ctx: Context,
    *,
    send: Send | None = None,
    intervals: Mapping[str, float] | None = None,
    publisher: Publisher | None = None,
    cadence: Cadence | None = None,
) -> list[ListedJob]:
    """Every job the service runs on this database, in order, with how its last run ended."""
    service_jobs = jobs.standard_jobs(
        ctx.database,
        send=send,
        intervals=intervals,
        publishing=_publishing(ctx, publisher, cadence),
    )
    states = jobs.job_states(ctx.database)
    return [ListedJob(job, states.get(job.name)) for job in service_jobs]


@act(*ADMINS)
def run_job(
    ctx: Context,
    name: str,
    *,
    send: Send | None = None,
    intervals: Mapping[str, float] | None = None,
    publisher: Publisher | None = None,
    cadence: Cadence | None = None,
) -> jobs.JobRun:
    """Run job ``name``'s current period now; a failed run is recorded and returned.

    Refused with :class:`~monnaie_locale.jobs.UnknownJob` for a job the service does not
    run, and with :class:`~monnaie_locale.jobs.JobPeriodTaken` when the period ran already.
    """
    service_jobs = jobs.standard_jobs(
        ctx.database,
        send=send,
        intervals=intervals,
        publishing=_publishing(ctx, publisher, cadence),
    )
    job = jobs.find_job(service_jobs, name)
    return jobs.run_now(ctx.database, job, clock=ctx.clock)
