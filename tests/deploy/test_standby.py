"""deploy/postgres/make-standby.sh and promote.sh on clusters of their own.

The standby receives what the primary commits; the primary's commits wait for it (a
commit with the standby stopped does not return); and once promoted it takes writes
without waiting for a standby of its own.
"""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from tests.deploy.clusters import (
    Cluster,
    cluster,
    dropping,
    free_port,
    script,
    unique_name,
    wait_for,
)


def _conninfo(made: Cluster) -> str:
    return f"host=127.0.0.1 port={made.port} user=postgres dbname=postgres"


def _commit_in_background(made: Cluster) -> tuple[int, threading.Thread, list[object]]:
    """Start an INSERT's commit on ``made`` in a thread; its backend pid, the thread and
    what it ended with (the notices, or the error)."""
    conn = psycopg.connect(_conninfo(made), autocommit=True)
    pid = conn.info.backend_pid
    outcome: list[object] = []
    conn.add_notice_handler(lambda notice: outcome.append(notice.message_primary))

    def commit() -> None:
        try:
            conn.execute("INSERT INTO payments VALUES (2, 'while the standby is down')")
        except psycopg.Error as exc:
            outcome.append(exc)
        finally:
            conn.close()

    thread = threading.Thread(target=commit, daemon=True)
    thread.start()
    return pid, thread, outcome


def test_a_synchronous_standby_that_promotes() -> None:
    with cluster("primary") as primary:
        name = unique_name("standby")
        with dropping(name):
            standby_port = free_port()
            script("make-standby.sh", primary.port, name, standby_port)
            standby = Cluster(name=name, version=primary.version, port=standby_port)

            assert primary.scalar("SHOW synchronous_standby_names") == name
            assert primary.scalar("SHOW synchronous_commit") == "on"
            # Its own setting stays empty: once promoted it must not wait for anyone.
            assert standby.scalar("SHOW synchronous_standby_names") == ""
            assert standby.scalar("SELECT pg_is_in_recovery()") is True
            assert standby.scalar("SHOW hot_standby_feedback") == "on"

            # Run again (say after a failure half-way), it makes the standby anew.
            script("make-standby.sh", primary.port, name, standby_port)
            assert standby.scalar("SELECT pg_is_in_recovery()") is True
            assert primary.scalar("SELECT count(*) FROM pg_replication_slots") == 1

            primary.scalar("CREATE TABLE payments (id int PRIMARY KEY, memo text)")
            primary.scalar("INSERT INTO payments VALUES (1, 'written on the primary')")
            # synchronous_commit=on waits for the standby's flush, not its replay.
            wait_for(
                lambda: _replayed(standby, "SELECT memo FROM payments WHERE id = 1"),
                "the row to reach the standby",
            )

            # The standby stopped, a commit on the primary waits for it.
            standby.ctl("stop")
            pid, thread, outcome = _commit_in_background(primary)
            wait_for(
                lambda: (
                    primary.scalar(f"SELECT wait_event FROM pg_stat_activity WHERE pid = {pid}")
                    == "SyncRep"
                ),
                "the commit to wait for the standby",
            )
            time.sleep(1)
            assert thread.is_alive(), outcome
            assert primary.scalar(f"SELECT pg_cancel_backend({pid})") is True
            thread.join(10)
            assert not thread.is_alive()
            # Cancelled, the commit is local only, and the server says so.
            assert any("synchronous replication" in str(item) for item in outcome), outcome

            # Back up, the standby catches up; then the primary goes and it takes over.
            standby.ctl("start")
            wait_for(
                lambda: _replayed(standby, "SELECT memo FROM payments WHERE id = 2"),
                "the standby to catch up",
            )
            primary.ctl("stop")
            script("promote.sh", name)
            assert standby.scalar("SELECT pg_is_in_recovery()") is False
            started = time.monotonic()
            standby.scalar("INSERT INTO payments VALUES (3, 'after the failover')")
            assert time.monotonic() - started < 5
            assert standby.scalar("SELECT count(*) FROM payments") == 3


def _replayed(standby: Cluster, query: str) -> bool:
    try:
        return standby.scalar(query) is not None
    except Exception:  # the table itself not replayed yet
        return False


def test_make_standby_explains_itself() -> None:
    assert "synchronous_standby_names" in script("make-standby.sh", "--help")
    assert "pg_is_in_recovery" in script("promote.sh", "--help")


@pytest.mark.parametrize("args", [[], ["5432"], ["5432", "Bad-Name", "6000"]])
def test_make_standby_refuses_bad_arguments(args: list[str]) -> None:
    with pytest.raises(AssertionError, match=r"exited 2|STANDBY_NAME"):
        script("make-standby.sh", *args)
