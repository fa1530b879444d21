"""Database work from coroutine routes, without a worker thread where none is needed.

FastAPI runs a plain function route on a worker thread. On the payment path the hop to
that thread cost more than the payment itself, so the few coroutine routes on that path
call the database through these two functions instead:

* a write joins the group the event loop gathers once its ready tasks have run
  (:meth:`GroupCommitter.write_async
  <monnaie_locale.store.group_commit.GroupCommitter.write_async>`): committed inline on
  SQLite, handed to a worker thread on PostgreSQL.
* on SQLite a read runs inline: it reads a local file, and in WAL mode a reader never
  waits for a writer. On PostgreSQL a read is a network round trip and runs on a worker
  thread. The credential check, one statement, runs the same way through
  :meth:`Database.look_up <monnaie_locale.store.database.Database.look_up>`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from monnaie_locale.store.database import Database

__all__ = ["look_up", "read", "write"]

T = TypeVar("T")


async def read(database: Database, query: Callable[[Connection], T]) -> T:
    """The result of ``query`` run by :meth:`Database.read`, the one way to read."""
    if database.is_sqlite:
        return database.read(query)
    return await run_in_threadpool(database.read, query)


async def look_up(database: Database, query: Callable[[Connection], T]) -> T:
    """The result of ``query``, one statement, run by :meth:`Database.look_up`."""
    if database.is_sqlite:
        return database.look_up(query)
    return await run_in_threadpool(database.look_up, query)


async def write(database: Database, use_case: Callable[[Connection], T]) -> T:
    """The result of ``use_case`` once its write transaction has committed."""
    if database.committer is not None:
        return await database.write_in_loop(use_case)
    return await run_in_threadpool(database.write, use_case)
