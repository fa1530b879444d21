"""The service through PgBouncer in transaction mode, as deploy/pgbouncer/pgbouncer.ini
sets it up.

A PgBouncer of the test's own (its ini, its port, trust authentication, a pool of two
server connections for many clients) stands in front of the test PostgreSQL database,
whose scratch schema it sets on each server connection (``connect_query``). Through it:
the schema is migrated, payments from many threads commit and the journal verifies;
without ``?prepare_threshold=none`` on the URL, psycopg's prepared statements collide on
the shared server connections; and a till's event stream, listening on a direct
connection (``MLC_DATABASE_LISTEN_URL``), gets a payment made through the pool.

PgBouncer is a Debian package; without it the test is skipped, except in CI.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, event, make_url, text

from api.app import create_app
from monnaie_locale.clock import utc_now
from monnaie_locale.config import Settings
from monnaie_locale.model import AccountKind
from monnaie_locale.store import Database, connect, migrate
from tests import conftest
from tests.deploy.shop_support import open_shop, pay
from tests.e2e.support import live_server
from tests.engine import Engine
from tests.support import standard_ledger

THREADS, PAYMENTS = 8, 160


@dataclass(frozen=True)
class Pool:
    """The URLs of the scratch schema: through PgBouncer (``pooled``) and direct."""

    pooled: str
    direct: str
    schema: str


def _pgbouncer_or_skip() -> str:
    found = shutil.which("pgbouncer") or shutil.which("/usr/sbin/pgbouncer")
    if found is None:
        message = "pgbouncer is needed (Debian package pgbouncer)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    if conftest._postgres_problem:
        pytest.skip(f"PostgreSQL unreachable: {conftest._postgres_problem}")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def pgbouncer_ini(folder: Path, *, port: int, schema: str) -> str:
    """The shipped ini with this test's server, schema, port, files and authentication,
    and a pool of two server connections, so that clients share them."""
    server = make_url(conftest.POSTGRES_URL)
    ini = (Path(__file__).resolve().parents[2] / "deploy/pgbouncer/pgbouncer.ini").read_text()
    target = (
        f"host={server.host} port={server.port or 5432} dbname={server.database} "
        f"connect_query='SET search_path = {schema}'"
    )
    changes = {
        "ledger": target,
        "listen_port": str(port),
        "unix_socket_dir": "",
        "logfile": None,  # to standard error
        "pidfile": None,
        "auth_type": "trust",
        "auth_file": str(folder / "userlist.txt"),
        "default_pool_size": "2",
    }
    for key, value in changes.items():
        line = re.compile(rf"^{key} = .*$", re.MULTILINE)
        assert len(line.findall(ini)) == 1, f"{key} should be set once in the shipped ini"
        ini = line.sub("" if value is None else f"{key} = {value}".rstrip(), ini)
    assert re.search(r"^pool_mode = transaction$", ini, re.MULTILINE)
    return ini


@pytest.fixture
def pool() -> Iterator[Pool]:
    binary = _pgbouncer_or_skip()
    schema = f"pgb_{uuid.uuid4().hex[:12]}"
    admin = create_engine(conftest.POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    # PgBouncer refuses to run as root: it runs as postgres (or nobody), which must read
    # its files, so they are not in pytest's private folders.
    folder = Path(tempfile.mkdtemp(prefix="mlc-pgbouncer-"))
    folder.chmod(0o755)
    port = _free_port()
    user = make_url(conftest.POSTGRES_URL).username or "postgres"
    (folder / "userlist.txt").write_text(f'"{user}" ""\n')
    (folder / "pgbouncer.ini").write_text(pgbouncer_ini(folder, port=port, schema=schema))
    command = [binary, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:
        runs_as = "postgres" if _user_exists("postgres") else "nobody"
        command[1:1] = ["-u", runs_as]
    log = (folder / "pgbouncer.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_listening(port, process, folder / "pgbouncer.log")
        server = make_url(conftest.POSTGRES_URL)
        pooled = server.set(drivername="postgresql", port=port, database="ledger")
        yield Pool(
            pooled=pooled.render_as_string(hide_password=False) + "?prepare_threshold=none",
            direct=server.set(drivername="postgresql").render_as_string(hide_password=False),
            schema=schema,
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _wait_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"pgbouncer did not start: {log.read_text()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail("pgbouncer did not listen within 10 s")


def _pay_from_threads(database: Database) -> tuple[Engine, list[str]]:
    """PAYMENTS transfers from THREADS threads; the ledger, and the errors as text."""
    ledger = standard_ledger(database, clock=utc_now)
    ledger.open_account("alice", kind=AccountKind.MEMBER, currency="MLC")
    ledger.open_account("bob", kind=AccountKind.MEMBER, currency="MLC")
    ledger.transfer("issuance", "alice", PAYMENTS, idempotency_key="fund")
    errors: list[str] = []

    def one(i: int) -> None:
        try:
            ledger.transfer("alice", "bob", 1, idempotency_key=f"pay-{i}")
        except Exception as exc:  # collected: the test says which
            errors.append(f"{type(exc).__name__}: {exc}")

    with ThreadPoolExecutor(THREADS) as threads:
        list(threads.map(one, range(PAYMENTS)))
    return ledger, errors


def test_payments_commit_through_pgbouncer_in_transaction_mode(pool: Pool) -> None:
    database = connect(pool.pooled)
    try:
        migrate(database)  # `mlc db migrate` through the pool: one transaction
        ledger, errors = _pay_from_threads(database)
        assert errors == []
        assert ledger.account("bob").balance == PAYMENTS
        # Payments are sealed after their commit, under an advisory lock held for the
        # sealing transaction only (a sealer finding it taken leaves its entry to the next,
        # or to the scheduler's pass, made here): the journal chains them all.
        ledger.seal_journal()
        verification = ledger.verify_journal()
        assert verification.ok and verification.unsealed == 0
    finally:
        database.dispose()


def test_prepared_statements_collide_through_pgbouncer_unless_turned_off(pool: Pool) -> None:
    database = connect(pool.pooled.removesuffix("?prepare_threshold=none"))
    try:
        migrate(database)
        _, errors = _pay_from_threads(database)
    finally:
        database.dispose()
    # Each client connection names its prepared statements _pg3_0, _pg3_1...: on a server
    # connection another client used, the name is taken, or missing (and the transaction
    # it was in fails with it).
    assert any("prepared statement" in error for error in errors), errors[:3]


def test_a_tills_stream_hears_a_payment_made_through_pgbouncer(pool: Pool) -> None:
    database = connect(pool.pooled)
    migrate(database)
    shop = open_shop(database)
    settings = Settings(
        database_url=pool.pooled,
        # The LISTEN needs a session of its own: straight to PostgreSQL.
        database_listen_url=pool.direct,
        webhook_poll_seconds=3600,
    )
    app = create_app(settings, database=database)
    try:
        with live_server(app) as base, httpx.Client(base_url=base, timeout=10) as client:
            paid: list[dict[str, object]] = []
            with client.stream(
                "GET",
                "/v1/checkout/events",
                params={"account": "bakery"},
                headers=shop.auth("till"),
            ) as response:
                data = None
                for line in response.iter_lines():
                    if line.startswith("retry:"):
                        paid.append(pay(client, shop, "3.10"))
                    if line.startswith("data:"):
                        data = json.loads(line.removeprefix("data:"))
                        break
            assert data == paid[0]["receipt"]
    finally:
        database.dispose()


def test_the_url_says_none_or_a_number_of_runs_before_preparing() -> None:
    database = connect("postgresql://ledger@127.0.0.1:6432/ledger?prepare_threshold=none")
    given: dict[str, object] = {}

    @event.listens_for(database.engine, "do_connect")
    def _seen(_dialect: object, _record: object, _args: object, params: dict[str, object]) -> None:
        given.update(params)
        raise _Seen  # what psycopg would be given is all this test needs

    try:
        with pytest.raises(Exception, match="seen"):
            database.engine.connect()
    finally:
        database.dispose()
    assert given["prepare_threshold"] is None
    assert "prepare_threshold" not in database.engine.url.query  # libpq has no such option
    with pytest.raises(ValueError, match="prepare_threshold"):
        connect("postgresql://ledger@127.0.0.1:6432/ledger?prepare_threshold=never")


class _Seen(Exception):
    def __str__(self) -> str:
        return "seen"
