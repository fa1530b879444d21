"""Backups of the books: a consistent copy of a live SQLite file, and PostgreSQL's way.

SQLite. Copying the file with ``cp`` while the service writes can catch a page half
updated, or miss what still sits in the write-ahead log. SQLite's online backup API
(:meth:`sqlite3.Connection.backup`) copies page by page under the database's own locks
and restarts when a writer changes a copied page, so the copy is always one committed
state. The copy goes to a temporary file beside the target and is renamed at the end:
a target either is a whole backup or is not there.

Restoring uses the same API the other way round, into the target database itself, so a
running reader never sees a half-written file. The copy is verified (journal hashes,
sequence, balances) before anything is overwritten, and the target again afterwards.

PostgreSQL. The consistent online backup is ``pg_dump`` (one snapshot, writers not
blocked); :func:`postgres_commands` gives the commands to run, since the tool belongs
to the server's installation, not to this package.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from monnaie_locale import journal
from monnaie_locale.database_url import hosts_in_query
from monnaie_locale.store.database import connect

__all__ = [
    "PostgresCommands",
    "backup_sqlite",
    "is_empty",
    "postgres_commands",
    "restore_sqlite",
    "verify_copy",
]

Progress = Callable[[int, int], None]  # pages copied, total pages
PAGES_PER_STEP = 256
_SQLITE_HEADER = b"SQLite format 3\x00"


def backup_sqlite(
    source: Path, target: Path, *, progress: Progress | None = None, overwrite: bool = False
) -> int:
    """Copy the live database ``source`` to ``target``; return the copy's size in bytes.

    The source is opened read-write although only read: a read-only connection cannot
    join a database in write-ahead-log mode that no other process has open.
    """
    if not source.exists():
        raise FileNotFoundError(source)
    if target.exists() and not overwrite:
        raise FileExistsError(target)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with (
            closing(sqlite3.connect(source)) as src,
            closing(sqlite3.connect(partial)) as dst,
        ):
            src.backup(dst, pages=PAGES_PER_STEP, progress=_pages(progress))
            # A backup is one self-contained file: no write-ahead log beside it.
            dst.execute("PRAGMA journal_mode=DELETE")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def is_sqlite_file(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER


def is_empty(path: Path) -> bool:
    """True if ``path`` is missing, or a database whose tables hold no row.

    The migrations' own bookkeeping does not count: a freshly migrated database is empty.
    """
    if not path.exists() or path.stat().st_size == 0:
        return True
    with closing(sqlite3.connect(path)) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'"
            )
        ]
        return not any(
            conn.execute(f'SELECT 1 FROM "{table}" LIMIT 1').fetchone() for table in tables
        )


def verify_copy(path: Path, *, journal_key: bytes) -> journal.Verification:
    """Verify the journal, its marks under ``journal_key``, and balances of the copy at ``path``."""
    database = connect(f"sqlite:///{path}", journal_key=journal_key)
    try:
        return database.read(lambda conn: journal.verify(conn))
    finally:
        database.dispose()


def restore_sqlite(backup: Path, target: Path, *, progress: Progress | None = None) -> None:
    """Replace the content of the database ``target`` with the copy in ``backup``.

    The caller decides first whether ``target`` may be overwritten (see :func:`is_empty`)
    and verifies ``backup`` (see :func:`verify_copy`).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        closing(sqlite3.connect(backup)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst, pages=PAGES_PER_STEP, progress=_pages(progress))


def _pages(progress: Progress | None) -> Callable[[int, int, int], object] | None:
    if progress is None:
        return None

    def report(_status: int, remaining: int, total: int) -> None:
        progress(total - remaining, total)

    return report


@dataclass(frozen=True, slots=True)
class PostgresCommands:
    """The documented PostgreSQL backup and restore, as argument lists."""

    backup: list[str]
    restore: list[str]


def postgres_commands(url: str, target: Path) -> PostgresCommands:
    """``pg_dump`` and ``pg_restore`` for the database at ``url``, with ``target`` as file.

    The custom format is compressed and lets ``pg_restore`` restore one table or run in
    parallel. The password is left out: pg_dump reads it from ``~/.pgpass`` or
    ``PGPASSWORD``, not from a command line other users could read.

    The database comes first: a command cut short after it still names the right one,
    where without it pg_dump would dump the default database and succeed.
    """
    # libpq's list of servers (h1:5433,h2:5434) spelt as make_url reads it; pg_dump too.
    # URL.set leaves a part alone when given None: _replace is SQLAlchemy's way to drop one.
    parsed = make_url(hosts_in_query(url)).set(drivername="postgresql")._replace(password=None)
    database = f"--dbname={parsed.render_as_string(hide_password=False)}"
    return PostgresCommands(
        backup=["pg_dump", database, "--format=custom", f"--file={target}"],
        restore=["pg_restore", database, "--exit-on-error", "--single-transaction", str(target)],
    )
