"""The table of scheduled jobs: one row per job, saying which period last ran it and how.

Each serving process runs the same schedule (see :mod:`monnaie_locale.jobs`). Time is cut
into periods of a job's interval; a process runs a period only after moving
``last_period`` forward to it with a conditional ``UPDATE``, which one process at most
can do, so a period runs once however many processes serve. The migration ``0011_jobs``
creates the table.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, DateTime, String, Table, Text

from monnaie_locale.store.tables import metadata

__all__ = ["JOB_STATUSES", "jobs"]

JOB_STATUSES = ("running", "ok", "failed")

jobs = Table(
    "jobs",
    metadata,
    Column("name", String(60), primary_key=True),
    # Periods are counted from the Unix epoch in steps of the job's interval; -1: never.
    Column("last_period", BigInteger, nullable=False, server_default="-1"),
    Column("last_started_at", DateTime(timezone=True)),
    Column("last_finished_at", DateTime(timezone=True)),
    Column("last_status", String(10)),
    Column("last_error", Text),
    Column("last_result", Text),
    CheckConstraint(
        "last_status IN (" + ", ".join(f"'{s}'" for s in JOB_STATUSES) + ")", name="status"
    ),
)
