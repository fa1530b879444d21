"""``mlc`` as a scheduled job runs it: a real process, settings from the environment."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from monnaie_locale.auth import Role
from monnaie_locale.payments import SigningKey
from monnaie_locale.signing_keys import write_new_key
from monnaie_locale.store import Database, connect
from tests.cli.conftest import ADMIN, ROOT, add_user, database_url, run_process
from tests.engine import Engine
from tests.support import snapshot


def test_a_process_reads_the_database_and_language_from_the_environment(
    url: str, books: Engine
) -> None:
    env = {"MLC_DATABASE_URL": url, "MLC_LANG": "fr"}
    paid = run_process(["transfer", "alice", "bob", "1,50", "--key", "proc-1"], env=env)
    assert paid.returncode == 0, paid.stderr
    assert "1,50 de alice vers bob" in paid.stdout
    assert books.account("bob").balance == 300 + 150


def test_a_process_exits_3_when_the_ledger_refuses_and_changes_nothing(
    url: str, books: Engine, database: Database
) -> None:
    before = snapshot(database)
    refused = run_process(
        ["--database", url, "--lang", "en", "transfer", "bob", "alice", "500", "--key", "p"]
    )
    assert refused.returncode == 3
    assert "3.00 available" in refused.stderr
    assert snapshot(database) == before


def test_a_scheduled_verification_gets_json_and_exit_0(url: str, books: Engine) -> None:
    done = run_process(["--database", url, "audit", "verify", "--json"])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True


def test_a_process_reports_bad_usage_with_exit_2(url: str, books: Engine) -> None:
    done = run_process(["--database", url, "transfer", "alice"])
    assert done.returncode == 2


def test_the_installed_mlc_command_runs_a_whole_session(tmp_path: Path) -> None:
    mlc = Path(sys.executable).parent / "mlc"
    if not mlc.exists():
        pytest.skip(f"the mlc entry point is not installed beside {sys.executable}")
    url = f"sqlite:///{tmp_path / 'books.db'}"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(mlc), "--database", url, "--lang", "en", "--as", ADMIN, *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    assert run("db", "migrate").returncode == 0
    database = connect(url)
    add_user(database, ADMIN, Role.ADMIN)
    database.dispose()
    missing_currency = run("accounts", "create", "alice", "--kind", "member", "--currency", "MLC")
    assert missing_currency.returncode == 2
    assert "unknown currency" in missing_currency.stderr
    assert run("db", "backup", str(tmp_path / "copy.db")).returncode == 0
    assert run("audit", "verify").returncode == 0


def test_serving_sqlite_from_several_processes_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    done = run_process(["--database", url, "--lang", "en", "serve", "--workers", "2"])
    assert done.returncode == 2
    assert "SQLite is served by one process" in done.stderr
    assert "listening" not in done.stdout


@pytest.mark.postgres
def test_several_worker_processes_serve_postgresql(
    postgres_database: Database, tmp_path: Path
) -> None:
    url = database_url(postgres_database)
    port = free_port()
    # The workers all sign with the one key the settings name.
    key = tmp_path / "signing.pem"
    write_new_key(key, SigningKey.generate(), passphrase=None)
    command = ["serve", "--workers", "2", "--port", str(port)]
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "--database", url, *command],
        cwd=ROOT,
        env={**os.environ, "MLC_LOG_LEVEL": "WARNING", "MLC_SIGNING_KEY_FILE": str(key)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        ready = [answers(port) for _ in range(4)] if wait_ready(port, server) else []
        workers = workers_of(server.pid)
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert ready == [200, 200, 200, 200], errors.decode()
    assert len(workers) == 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(port: int) -> int:
    return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code


def wait_ready(port: int, server: subprocess.Popen[bytes]) -> bool:
    for _ in range(300):
        if server.poll() is not None:
            return False
        try:
            return answers(port) == 200
        except httpx.TransportError:
            time.sleep(0.1)
    return False


def workers_of(pid: int) -> list[int]:
    """The worker processes the server ``pid`` spawned (Linux; not its resource tracker)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = stat.read_text().rsplit(")", 1)[1].split()[1]
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if parent == str(pid) and b"spawn_main" in command:
            found.append(int(stat.parent.name))
    return found
