"""Auditing the books: the journal sealed and verified, and whether the service is ready.

====================  ====================================================================
Act                   Who may do it
====================  ====================================================================
journal_size          auditors, the association's operators, administrators
seal_queued           the same: sealing chains what is already committed, and moves nothing
verify_journal        the same
administrative_acts   the same: the log of administrative acts, who did each and when
====================  ====================================================================

:func:`ready` is no act: the process supervisor asks it, signed in as nobody.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Table, func, select

from monnaie_locale import admin_log, journal
from monnaie_locale.acting import Context, act
from monnaie_locale.auth.roles import REPORT_READERS
from monnaie_locale.store.database import Database
from monnaie_locale.store.tables import journal as journal_table
from monnaie_locale.store.tables import journal_queue
from monnaie_locale.store.tables_auth import users

__all__ = [
    "JournalSize",
    "administrative_acts",
    "journal_size",
    "ready",
    "seal_queued",
    "verify_journal",
]


@dataclass(frozen=True)
class JournalSize:
    """How much a verification has to walk: entries sealed, transactions still queued."""

    entries: int
    queued: int


@act(*REPORT_READERS)
def journal_size(ctx: Context) -> JournalSize:
    """The journal's entries and queued transactions, for a progress display."""

    def count(conn: Connection) -> JournalSize:
        def rows(table: Table) -> int:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

        return JournalSize(entries=rows(journal_table), queued=rows(journal_queue))

    return ctx.read(count)


@act(*REPORT_READERS)
def seal_queued(ctx: Context, *, progress: Callable[[int], None] | None = None) -> int:
    """Chain every transaction the service queued into the journal; the number sealed.

    On SQLite nothing is ever queued: each transaction is chained as it commits. A queued
    row without the service's mark of its content is never sealed (see
    :func:`monnaie_locale.journal.seal`); verification reports it.
    """
    return journal.seal_queue(ctx.database, clock=ctx.clock, progress=progress)


@act(*REPORT_READERS)
def verify_journal(
    ctx: Context, *, progress: journal.Progress | None = None
) -> journal.Verification:
    """Hashes, gap-free numbering, marks, head and every balance, on one snapshot."""
    return ctx.read(lambda conn: journal.verify(conn, progress=progress))


@act(*REPORT_READERS)
def administrative_acts(
    ctx: Context,
    *,
    after_id: int = 0,
    before_id: int | None = None,
    limit: int = 100,
    actor: str | None = None,
    act: str | None = None,
    newest_first: bool = False,
) -> list[admin_log.AdminAct]:
    """The administrative acts whose id lies between ``after_id`` and ``before_id``, oldest
    first (``newest_first``: newest first), by ``actor`` (a user's name or subject) and
    of ``act`` (``users.create_user``) when given; ``limit`` at most (500)."""
    return ctx.read(
        lambda conn: admin_log.list_acts(
            conn,
            after_id=after_id,
            before_id=before_id,
            limit=limit,
            actor=actor,
            act=act,
            newest_first=newest_first,
        )
    )


def ready(database: Database) -> None:
    """Raise unless the database answers and is migrated (its newest table is read)."""
    database.read(lambda conn: conn.execute(select(users.c.id).limit(1)).all())
