"""After the primary dies and its standby is promoted, the service's connections follow.

One :class:`~monnaie_locale.store.database.Database` on a URL naming both servers with
``target_session_attrs=read-write``: its pooled connections to the dead primary are
dropped; while no server takes writes, a write fails with ``DatabaseUnavailable`` instead
of waiting; once the standby is promoted, writes go to it. The long-lived connections
come back too: the checkout pages' ``LISTEN`` and the scheduler's jobs.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import pytest
from sqlalchemy import Connection, text

from monnaie_locale.checkout.notify import PostgresNotifier
from monnaie_locale.clock import utc_now
from monnaie_locale.errors import DatabaseUnavailable
from monnaie_locale.jobs import Job, JobRun, Scheduler
from monnaie_locale.store.database import Database, connect
from monnaie_locale.store.tables_jobs import jobs as jobs_table
from tests.deploy.clusters import Cluster, cluster, dropping, free_port, script, unique_name

T = TypeVar("T")


@dataclass
class Pair:
    """A primary, its synchronous standby, and a Database naming both."""

    primary: Cluster
    standby_name: str
    standby_port: int
    database: Database

    def fail_over(self) -> None:
        """The primary's postmaster killed, the standby promoted."""
        self.kill_primary()
        script("promote.sh", self.standby_name)

    def kill_primary(self) -> None:
        postmaster = self.primary.pid
        assert postmaster is not None
        os.kill(postmaster, signal.SIGKILL)


@pytest.fixture
def pair() -> Iterator[Pair]:
    with cluster("primary") as primary:
        standby_name, standby_port = unique_name("standby"), free_port()
        with dropping(standby_name):
            engine = primary.engine()
            with engine.begin() as conn:
                jobs_table.create(conn)
            engine.dispose()
            script("make-standby.sh", primary.port, standby_name, standby_port)
            database = connect(
                f"postgresql://postgres@127.0.0.1:{primary.port},127.0.0.1:{standby_port}"
                "/postgres?target_session_attrs=read-write"
            )
            try:
                yield Pair(primary, standby_name, standby_port, database)
            finally:
                database.dispose()


def _port(conn: Connection) -> int:
    return int(conn.execute(text("SELECT inet_server_port()")).scalar_one())


def _backend(conn: Connection) -> int:
    return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _within(seconds: float, call: Callable[[], T]) -> T:
    """``call()``'s result, or a failure if it has not returned within ``seconds``."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"still waiting after {seconds} s"
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]  # type: ignore[return-value]


def test_the_pool_drops_the_dead_primary_and_writes_go_to_the_promoted_standby(
    pair: Pair,
) -> None:
    database = pair.database
    # Several pooled connections to the primary, all of them broken by its death.
    held = [database.engine.connect() for _ in range(4)]
    assert {_port(conn) for conn in held} == {pair.primary.port}
    backends = [_backend(conn) for conn in held]
    for conn in held:
        conn.close()

    pair.kill_primary()
    # A backend outlives its postmaster for a moment, and could still answer.
    _wait(lambda: not any(_alive(pid) for pid in backends), "the primary's backends to end")
    # No server takes writes: refused, not waited for (the standby is read-only).
    with pytest.raises(DatabaseUnavailable):
        _within(30, lambda: database.write(_port))
    with pytest.raises(DatabaseUnavailable):
        _within(30, lambda: database.read(_port))

    script("promote.sh", pair.standby_name)
    # Every later write, on any pooled connection, reaches the new primary.
    ports = {_within(30, lambda: database.write(_port)) for _ in range(8)}
    assert ports == {pair.standby_port}
    assert _within(30, lambda: database.read(_port)) == pair.standby_port


def test_a_write_on_a_connection_broken_before_commit_is_retried_on_the_new_primary(
    pair: Pair,
) -> None:
    database = pair.database
    assert database.write(_port) == pair.primary.port  # one connection now pooled
    pair.fail_over()
    # The pooled connection is found broken on its first statement: nothing was
    # committed, so the write runs again on a fresh connection, to the new primary.
    assert _within(30, lambda: database.write(_port)) == pair.standby_port


def test_a_commit_cut_short_is_reported_not_run_again(pair: Pair) -> None:
    """Broken during COMMIT, a write may or may not have committed: the caller decides
    (the service answers 503, the client retries with its key); it is never run twice."""
    database = pair.database
    database.write(lambda conn: conn.execute(text("CREATE TABLE paid (id int PRIMARY KEY)")))
    standby = Cluster(pair.standby_name, pair.primary.version, pair.standby_port)
    standby.ctl("stop")  # the primary's commits now wait for it (SyncRep)
    attempts: list[int] = []

    def pay(conn: Connection) -> int:
        attempts.append(_backend(conn))
        conn.execute(text("INSERT INTO paid VALUES (1)"))
        return len(attempts)

    outcome: list[object] = []
    thread = threading.Thread(target=lambda: outcome.append(_attempt(database, pay)))
    thread.start()
    _wait(lambda: bool(attempts) and _waits_for_standby(pair.primary, attempts[0]), "SyncRep")
    pair.kill_primary()
    thread.join(30)
    assert not thread.is_alive()
    assert [type(item) for item in outcome] == [DatabaseUnavailable]
    assert len(attempts) == 1

    standby.ctl("start")
    script("promote.sh", pair.standby_name)
    # The commit never reached the standby: the caller's retry commits it, once.
    assert _within(30, lambda: database.write(pay)) == 2
    paid = database.read(lambda conn: conn.execute(text("SELECT count(*) FROM paid")).scalar())
    assert paid == 1


def _attempt(database: Database, use_case: Callable[[Connection], int]) -> object:
    try:
        return database.write(use_case)
    except DatabaseUnavailable as exc:
        return exc


def _waits_for_standby(primary: Cluster, pid: int) -> bool:
    event = primary.scalar(f"SELECT wait_event FROM pg_stat_activity WHERE pid = {pid}")
    return event == "SyncRep"


def test_the_checkout_listener_and_the_jobs_resume_on_the_new_primary(pair: Pair) -> None:
    database = pair.database
    notifier = PostgresNotifier.for_database(database, poll_seconds=0.2, retry_seconds=0.2)
    runs: list[JobRun] = []
    ticks = Job("tick", 0.2, lambda _database, _clock: "ticked")
    scheduler = Scheduler(database, [ticks], clock=utc_now, on_run=runs.append)
    scheduler.start()
    try:
        assert notifier.wait_listening(timeout=30)
        _wait(lambda: any(run.status == "ok" for run in runs), "a first run of the job")
        with notifier.subscribe(42) as subscription:
            pair.fail_over()
            promoted = len(runs)

            def notified() -> bool:
                standby = Cluster(pair.standby_name, pair.primary.version, pair.standby_port)
                standby.scalar("NOTIFY checkout, '42'")
                return subscription.wait(timeout=0.5)

            # Woken once on reconnecting (what was sent meanwhile is lost), then by
            # notifications sent on the new primary.
            _wait(notified, "a notification sent on the new primary")
            subscription.wait(timeout=0)
            _wait(notified, "a second notification sent on the new primary")
            _wait(
                lambda: any(run.status == "ok" for run in runs[promoted:]),
                "a run of the job on the new primary",
            )
        last = database.read(
            lambda conn: conn.execute(
                text("SELECT last_status, inet_server_port() FROM jobs WHERE name = 'tick'")
            ).one()
        )
        assert tuple(last) in {("ok", pair.standby_port), ("running", pair.standby_port)}
    finally:
        scheduler.stop()
        notifier.close()


def _wait(check: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"gave up after {seconds} s waiting for {what}"
        time.sleep(0.1)
