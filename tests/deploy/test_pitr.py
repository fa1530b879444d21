"""Point-in-time recovery with deploy/postgres's scripts, on the ledger itself.

A cluster archives its WAL (archive-wal.sh); a base backup is taken (base-backup.sh);
payment A, the time noted, payment B; restored to that time (restore-to.sh), the books
hold exactly A, not B, and the journal verifies.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, select

from monnaie_locale.model import AccountKind
from monnaie_locale.store import Database, connect, migrate
from monnaie_locale.store.tables import transactions
from tests.conftest import MLC
from tests.deploy.clusters import (
    SCRIPTS,
    Cluster,
    cluster,
    dropping,
    free_port,
    run,
    script,
    unique_name,
    wait_for,
)
from tests.engine import Engine


@pytest.fixture
def folder() -> Iterator[Path]:
    """A folder the postgres user can reach (pytest's tmp_path is root's alone)."""
    path = Path(tempfile.mkdtemp(prefix="mlct_pitr_"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _ledger(made: Cluster) -> Database:
    return connect(make_url(made.url).set(database="ledger").render_as_string(False))


def test_restore_to_a_time_between_two_payments(folder: Path) -> None:
    archive = folder / "archive"
    archive.mkdir()
    shutil.chown(archive, "postgres", "postgres")
    archiving = {
        "archive_mode": "on",
        "archive_command": f"{SCRIPTS / 'archive-wal.sh'} {archive} %p %f",
    }
    with cluster("pitr", options=archiving) as primary:
        primary.scalar("CREATE DATABASE ledger")
        database = _ledger(primary)
        try:
            migrate(database)
            ledger = Engine(database)
            ledger.add_currency(MLC)
            ledger.open_account(
                "issuance", kind=AccountKind.SYSTEM, currency="MLC", lower_limit=None
            )
            for member in ("alice", "bob"):
                ledger.open_account(member, kind=AccountKind.MEMBER, currency="MLC")
                ledger.transfer("issuance", member, 10_000, idempotency_key=f"fund-{member}")

            script("base-backup.sh", primary.port, folder / "backup")

            a = ledger.transfer("alice", "bob", 1_500, idempotency_key="payment-a")
            # The next whole second after A: the scripts take a time to the second.
            target = str(
                primary.scalar(
                    "SELECT to_char((date_trunc('second', clock_timestamp()) + interval '1 s')"
                    " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00'"
                )
            )
            wait_for(
                lambda: (
                    primary.scalar(
                        f"SELECT clock_timestamp() > '{target}'::timestamptz + interval '0.2 s'"
                    )
                    is True
                ),
                "the clock to pass the target",
            )
            # B is also the commit after the target that replay needs to stop at.
            b = ledger.transfer("bob", "alice", 700, idempotency_key="payment-b")
        finally:
            database.dispose()
        segment = primary.scalar("SELECT pg_walfile_name(pg_switch_wal())")
        wait_for(lambda: (archive / str(segment)).exists(), "the last segment to be archived")

    name = unique_name("restored")
    with dropping(name):
        port = free_port()
        script("restore-to.sh", folder / "backup", archive, name, port, target)
        restored = Cluster(name=name, version=primary.version, port=port)
        assert restored.scalar("SELECT pg_is_in_recovery()") is False
        database = _ledger(restored)
        try:
            ids = database.read(lambda conn: set(conn.execute(select(transactions.c.id)).scalars()))
            assert a.id in ids
            assert b.id not in ids
            books = Engine(database)
            assert books.account("alice").balance == 10_000 - 1_500
            assert books.account("bob").balance == 10_000 + 1_500
            verification = books.verify_journal()
            assert verification.ok, verification.discrepancies
            assert verification.entries == len(ids)
            # Out of recovery, it takes payments again.
            books.transfer("bob", "alice", 100, idempotency_key="after-restore")
        finally:
            database.dispose()


def test_restore_refuses_a_malformed_time(folder: Path) -> None:
    (folder / "backup" / "data").mkdir(parents=True)
    (folder / "backup" / "data" / "PG_VERSION").write_text("15\n")
    with pytest.raises(AssertionError, match="YYYY-MM-DD HH:MM:SS"):
        script("restore-to.sh", folder / "backup", folder, unique_name(), free_port(), "noon")


def test_base_backup_refuses_a_cluster_without_archive(
    fresh_cluster: Cluster, folder: Path
) -> None:
    with pytest.raises(AssertionError, match="archive_mode"):
        script("base-backup.sh", fresh_cluster.port, folder / "backup")


def test_archive_never_overwrites(folder: Path) -> None:
    segment, other = folder / "segment", folder / "other"
    segment.write_bytes(b"wal")
    other.write_bytes(b"different")
    archive = folder / "archive"
    archive.mkdir()
    archived = [str(SCRIPTS / "archive-wal.sh"), str(archive)]
    run([*archived, str(segment), "000000010000000000000001"])
    run([*archived, str(segment), "000000010000000000000001"])  # a retry: same content
    with pytest.raises(AssertionError, match="not overwritten"):
        run([*archived, str(other), "000000010000000000000001"])
    assert (archive / "000000010000000000000001").read_bytes() == b"wal"
