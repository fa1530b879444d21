"""``mlc db``: migrations, a consistent SQLite backup, a verified restore, PostgreSQL's way."""

from __future__ import annotations

import shlex
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from cli.errors import ExitCode
from cli.main import app
from monnaie_locale.store import Database, connect
from tests.cli.conftest import WIDE, Mlc
from tests.conftest import POSTGRES_URL
from tests.engine import Engine
from tests.support import snapshot

# The file backup and restore are SQLite's; PostgreSQL has pg_dump.
sqlite_only = pytest.mark.parametrize("database", ["sqlite"], indirect=True)
postgres_only = pytest.mark.parametrize(
    "database", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
# What a pipe in a script looks like to the command: no terminal, 80 columns at most.
NARROW = {**WIDE, "COLUMNS": "80"}


def sqlite_file(database: Database) -> Path:
    assert database.engine.url.database is not None
    return Path(database.engine.url.database)


def balances(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as conn:
        return dict(conn.execute("SELECT code, balance FROM accounts").fetchall())


def test_migrate_creates_the_schema_in_a_new_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "new.db"
    mlc = Mlc(f"sqlite:///{path}", CliRunner())
    result = mlc("db", "migrate")
    assert result.exit_code == 0, result.output
    with closing(sqlite3.connect(path)) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert {"accounts", "postings", "journal"} <= tables


def test_migrate_is_safe_to_run_again(mlc: Mlc, books: Engine, database: Database) -> None:
    before = snapshot(database)
    result = mlc("db", "migrate")
    assert result.exit_code == 0, result.output
    assert snapshot(database) == before


def test_a_command_on_a_missing_sqlite_file_says_to_migrate(tmp_path: Path) -> None:
    path = tmp_path / "absent.db"
    result = Mlc(f"sqlite:///{path}", CliRunner())("accounts", "list")
    assert result.exit_code == 2
    assert "mlc db migrate" in result.stderr
    assert not path.exists()


def test_a_database_without_the_schema_says_to_migrate(tmp_path: Path) -> None:
    path = tmp_path / "bare.db"
    sqlite3.connect(path).close()
    result = Mlc(f"sqlite:///{path}", CliRunner())("accounts", "list")
    assert result.exit_code == 4
    assert "mlc db migrate" in result.stderr


@postgres_only
def test_a_postgresql_schema_without_the_tables_says_to_migrate(database: Database) -> None:
    bare = f"b_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {bare}"))
    try:
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={bare}"})
        mlc = Mlc(url.render_as_string(hide_password=False), CliRunner())
        english, french = mlc("accounts", "list"), mlc("accounts", "list", lang="fr")
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {bare} CASCADE"))
        admin.dispose()
    assert english.exit_code == french.exit_code == ExitCode.UNAVAILABLE
    assert "Run `mlc db migrate`" in english.stderr
    assert "Lancez « mlc db migrate »" in french.stderr


@pytest.mark.parametrize("command", [("accounts", "list"), ("db", "migrate")])
def test_an_unreachable_server_is_reported_with_what_to_check(command: tuple[str, ...]) -> None:
    mlc = Mlc("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2", CliRunner())
    result = mlc(*command)
    assert result.exit_code == ExitCode.UNAVAILABLE == 4
    assert "Cannot reach the database" in result.stderr
    assert "MLC_DATABASE_URL" in result.stderr
    assert "secret" not in result.stderr


@sqlite_only
def test_backup_copies_the_live_books(
    mlc: Mlc, books: Engine, database: Database, tmp_path: Path
) -> None:
    source = sqlite_file(database)
    target = tmp_path / "backup.db"
    result = mlc("db", "backup", str(target))
    assert result.exit_code == 0, result.output
    assert balances(target) == balances(source)


@sqlite_only
def test_backup_refuses_to_overwrite_a_file_unless_forced(
    mlc: Mlc, books: Engine, database: Database, tmp_path: Path
) -> None:
    sqlite_file(database)
    target = tmp_path / "backup.db"
    target.write_bytes(b"keep me")
    result = mlc("db", "backup", str(target))
    assert result.exit_code == 2
    assert "--force" in result.stderr
    assert target.read_bytes() == b"keep me"
    assert mlc("db", "backup", str(target), "--force").exit_code == 0
    assert "alice" in balances(target)


@postgres_only
def test_backup_on_postgresql_prints_the_pg_dump_command(
    mlc: Mlc, books: Engine, database: Database, tmp_path: Path
) -> None:
    result = mlc("db", "backup", str(tmp_path / "books.dump"))
    assert result.exit_code == 0, result.output
    assert "--format=custom" in result.stdout
    assert "pg_restore" in result.stdout
    assert not (tmp_path / "books.dump").exists()


@postgres_only
def test_backup_on_postgresql_prints_each_command_on_one_line_naming_the_database(
    url: str, books: Engine, tmp_path: Path
) -> None:
    # As a script runs it: standard output is a pipe, and nothing says how wide it is.
    result = CliRunner().invoke(
        app, ["--database", url, "db", "backup", str(tmp_path / "books.dump")], env=NARROW
    )
    assert result.exit_code == 0, result.output
    commands = [
        shlex.split(line) for line in result.stdout.splitlines() if line.lstrip().startswith("pg_")
    ]
    assert [command[0] for command in commands] == ["pg_dump", "pg_restore"]
    for command in commands:
        [target] = [arg[len("--dbname=") :] for arg in command if arg.startswith("--dbname=")]
        assert make_url(target).database == make_url(url).database
        assert make_url(target).query == make_url(url).query  # the test's own schema
    dump = tmp_path / "books.dump"
    assert f"--file={dump}" in commands[0]
    assert str(dump) in commands[1]


@sqlite_only
def test_restore_brings_back_the_books_into_an_empty_database(
    mlc: Mlc, books: Engine, database: Database, tmp_path: Path
) -> None:
    source = sqlite_file(database)
    copy = tmp_path / "backup.db"
    assert mlc("db", "backup", str(copy)).exit_code == 0
    fresh = tmp_path / "fresh.db"
    result = Mlc(f"sqlite:///{fresh}", CliRunner())("db", "restore", str(copy))
    assert result.exit_code == 0, result.output
    assert balances(fresh) == balances(source)


@sqlite_only
def test_restore_refuses_a_database_holding_data_unless_forced(
    mlc: Mlc, books: Engine, database: Database, tmp_path: Path
) -> None:
    sqlite_file(database)
    copy = tmp_path / "backup.db"
    assert mlc("db", "backup", str(copy)).exit_code == 0
    books.transfer("alice", "bob", 100, idempotency_key="after-backup")
    before = snapshot(database)
    result = mlc("db", "restore", str(copy))
    assert result.exit_code == 2
    assert "--force" in result.stderr
    assert snapshot(database) == before
    forced = mlc("db", "restore", str(copy), "--force")
    assert forced.exit_code == 0, forced.output
    assert books.account("bob").balance == 300


@sqlite_only
def test_restore_refuses_a_copy_whose_journal_is_broken(
    mlc: Mlc, books: Engine, database: Database, tmp_path: Path
) -> None:
    sqlite_file(database)
    copy = tmp_path / "backup.db"
    assert mlc("db", "backup", str(copy)).exit_code == 0
    with closing(sqlite3.connect(copy)) as conn:
        conn.execute("DROP TRIGGER journal_no_update")
        conn.execute("UPDATE journal SET hash = ? WHERE seq = 2", ("0" * 64,))
        conn.commit()
    fresh = tmp_path / "fresh.db"
    result = Mlc(f"sqlite:///{fresh}", CliRunner())("db", "restore", str(copy))
    assert result.exit_code == 1
    assert "sequence 2" in result.stderr
    assert not fresh.exists()


def test_restore_refuses_a_file_that_is_no_backup(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a database")
    target = tmp_path / "target.db"
    result = Mlc(f"sqlite:///{target}", CliRunner())("db", "restore", str(bogus))
    assert result.exit_code == 2
    assert not target.exists()


def test_restore_refuses_a_sqlite_file_without_the_ledger(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
    target = tmp_path / "target.db"
    result = Mlc(f"sqlite:///{target}", CliRunner())("db", "restore", str(other))
    assert result.exit_code == 2
    assert not target.exists()


@postgres_only
def test_restore_on_postgresql_points_to_pg_restore(
    mlc: Mlc, books: Engine, database: Database, tmp_path: Path
) -> None:
    copy = tmp_path / "x.db"
    copy.write_bytes(b"")
    before = snapshot(database)
    result = mlc("db", "restore", str(copy))
    assert result.exit_code == 2
    assert "pg_restore" in result.stderr
    assert snapshot(database) == before


@sqlite_only
def test_the_backup_is_a_single_file_readable_on_its_own(
    mlc: Mlc, books: Engine, database: Database, tmp_path: Path
) -> None:
    sqlite_file(database)
    copy = tmp_path / "backup.db"
    assert mlc("db", "backup", str(copy)).exit_code == 0
    assert not Path(f"{copy}-wal").exists()
    restored = connect(f"sqlite:///{copy}")
    try:
        count = restored.read(
            lambda conn: conn.execute(text("SELECT count(*) FROM journal")).scalar_one()
        )
        assert count == books.verify_journal().entries
    finally:
        restored.dispose()
