"""``mlc serve``: the demonstration it prints, the settings its workers read, how it stops,
and the limits it and its deployment files set."""

from __future__ import annotations

import configparser
import io
import os
import re
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from api.checkout_runtime import build_keyring
from cli.commands.serve import _print_demo
from cli.context import RunContext
from cli.messages import Messages
from cli.serving import SHUTDOWN_GRACE_SECONDS, uvicorn_options, worker_environment
from monnaie_locale import demo
from monnaie_locale.config import Settings, load_settings
from monnaie_locale.store import Database
from tests.cli.conftest import ROOT, database_url
from tests.cli.test_process import free_port, wait_ready

DEPLOY = ROOT / "deploy"


@contextmanager
def serving(
    url: str,
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    open_files: int | None = None,
) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """``mlc serve`` in a real process on a free port, ready; stopped at the end.

    ``open_files`` lowers the soft limit of open files it starts with.
    """

    def limit_open_files() -> None:
        _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, hard))

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "--database", url, "serve", "--port", str(port), *args],
        cwd=cwd,
        env={**os.environ, "MLC_LOG_LEVEL": "WARNING", "MLC_LANG": "en", **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its workers too can be stopped as one group
        preexec_fn=None if open_files is None else limit_open_files,
    )
    try:
        if not wait_ready(port, server):
            stop(server)
            pytest.fail(f"mlc serve did not start: {server.communicate()[1]}")
        yield server, port
    finally:
        stop(server)


def stop(server: subprocess.Popen[str]) -> None:
    """Stop the server and its workers, by force if they do not stop when asked."""
    if server.poll() is None:
        server.terminate()
    try:
        server.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.communicate()


def sign_in(port: int, username: str) -> dict[str, str]:
    password = next(user.password for user in demo.DEMO_USERS if user.username == username)
    answer = httpx.post(
        f"http://127.0.0.1:{port}/v1/auth/login",
        json={"username": username, "password": password},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_serve_stops_at_once_on_sigterm_ending_an_open_event_stream(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    with serving(url, "--demo", cwd=tmp_path) as (server, port):
        till = sign_in(port, "caisse")
        with httpx.stream(
            "GET",
            f"http://127.0.0.1:{port}/v1/checkout/events",
            params={"account": "business:boulangerie"},
            headers=till,
            # Shorter than the stream's keep-alive: a stream left open fails the read.
            timeout=10,
        ) as stream:
            lines = stream.iter_lines()
            assert next(lines).startswith("retry:")
            server.send_signal(signal.SIGTERM)
            # The stream ends, whole (a cut one raises), and the process exits.
            assert [line for line in lines if line] == []
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)


def test_the_demo_sign_ins_are_printed_whole_into_a_pipe(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    with serving(url, "--demo", cwd=tmp_path, env={"COLUMNS": "80"}) as (server, _port):
        server.terminate()
        printed, _ = server.communicate(timeout=30)
    for user in demo.DEMO_USERS:
        [line] = [line for line in printed.splitlines() if f" {user.username} " in line]
        assert user.password in line
        for account in user.accounts:
            assert account in printed


def test_the_demo_sign_ins_stay_whole_on_an_80_column_terminal() -> None:
    screen = io.StringIO()
    terminal = Console(file=screen, width=80, force_terminal=True, emoji=False)
    run = RunContext(database_url="sqlite://", messages=Messages("en"), out=terminal)
    _print_demo(run, host="127.0.0.1", port=8000)
    text = re.sub(r"\x1b\[[0-9;]*m", "", screen.getvalue())
    assert max(len(line) for line in text.splitlines()) <= 80
    for user in demo.DEMO_USERS:
        [line] = [line for line in text.splitlines() if f" {user.username} " in line]
        assert user.password in line


def test_demo_workers_read_the_settings_and_the_signing_key_the_parent_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [name for name in os.environ if name.startswith("MLC_")]:
        monkeypatch.delenv(name)
    inherited = load_settings()
    served = demo.with_demo_signing_key(
        demo.demo_settings(inherited.model_copy(update={"database_url": "postgresql://h/db"})),
        tmp_path / "var",
    )
    for name, value in worker_environment(inherited, served).items():
        monkeypatch.setenv(name, value)
    # Each worker process loads the settings, then its key ring, on its own.
    first, second = load_settings(), load_settings()
    assert first == served
    signing = {build_keyring(first).active.key_id, build_keyring(second).active.key_id}
    assert signing == {build_keyring(served).active.key_id}


def test_the_demo_signs_with_the_same_key_after_a_restart(tmp_path: Path) -> None:
    once = demo.with_demo_signing_key(Settings(), tmp_path)
    again = demo.with_demo_signing_key(Settings(), tmp_path)
    assert build_keyring(once).active.key_id == build_keyring(again).active.key_id


@pytest.mark.postgres
def test_several_workers_without_a_signing_key_are_refused(
    postgres_database: Database, tmp_path: Path
) -> None:
    url = database_url(postgres_database)
    # No MLC_ setting at all: development, no signing key.
    env = {name: value for name, value in os.environ.items() if not name.startswith("MLC_")}
    command = ["--lang", "en", "--database", url, "serve", "--workers", "2"]
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", *command],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "MLC_SIGNING_KEY_FILE" in done.stderr
    assert "listening" not in done.stdout


@pytest.mark.postgres
def test_demo_payments_succeed_whichever_of_two_workers_serves_them(
    postgres_database: Database, tmp_path: Path
) -> None:
    url = database_url(postgres_database)
    with serving(url, "--demo", "--workers", "2", cwd=tmp_path) as (_server, port):
        shop, payer = sign_in(port, "boulangerie"), sign_in(port, "alice")
        answers = []
        for n in range(6):
            issued = httpx.post(
                f"http://127.0.0.1:{port}/v1/checkout/requests",
                json={"account": "business:boulangerie", "amount": "1.00", "ttl_seconds": 600},
                headers={**shop, "Idempotency-Key": f"issue-{n}"},
                timeout=30,
            )
            assert issued.status_code == 201, issued.text
            paid = httpx.post(
                f"http://127.0.0.1:{port}/v1/checkout/pay",
                json={"request": issued.json()["url"]},
                headers={**payer, "Idempotency-Key": f"pay-{n}"},
                timeout=30,
            )
            answers.append((paid.status_code, paid.json().get("code")))
    assert answers == [(201, None)] * 6


def test_serve_bounds_connections_idle_time_and_the_stop() -> None:
    options = uvicorn_options(Settings(max_connections=500), host="127.0.0.1", port=8000)
    assert options["limit_concurrency"] == 500
    assert 0 < options["timeout_keep_alive"] <= 10
    assert options["timeout_graceful_shutdown"] == SHUTDOWN_GRACE_SECONDS


def test_serve_runs_the_fast_loop_and_parser_and_logs_each_request_once() -> None:
    options = uvicorn_options(Settings(), host="127.0.0.1", port=8000)
    assert (options["loop"], options["http"]) == ("uvloop", "httptools")
    # The service's own access log has the line, with its request id.
    assert options["access_log"] is False


def test_a_serving_process_may_open_as_many_files_as_the_system_allows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'books.db'}"
    with serving(url, cwd=tmp_path, open_files=256) as (server, _port):
        limits = Path(f"/proc/{server.pid}/limits").read_text()
    [line] = [line for line in limits.splitlines() if line.startswith("Max open files")]
    soft, hard = line.split()[3:5]
    assert soft == hard


def unit_file() -> configparser.SectionProxy:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "monnaie-locale@.service")
    return unit["Service"]


def test_the_systemd_unit_lets_many_connections_open_without_starving_the_files() -> None:
    service = unit_file()
    assert int(service["LimitNOFILE"]) >= 4 * Settings().max_connections


def test_the_systemd_unit_waits_for_the_graceful_stop_and_no_longer() -> None:
    service = unit_file()
    assert int(service["TimeoutStopSec"]) > SHUTDOWN_GRACE_SECONDS
    assert service["KillSignal"] == "SIGTERM"
    # The uvicorn supervisor stops its workers itself; systemd kills what is left.
    assert service["KillMode"] == "mixed"


def test_the_proxy_example_closes_connections_that_never_finish_their_headers() -> None:
    nginx = (DEPLOY / "nginx" / "proxy.conf").read_text()
    timeout = re.search(r"^\s*client_header_timeout\s+(\d+)s;", nginx, re.MULTILINE)
    assert timeout is not None and int(timeout.group(1)) <= 15
    # Without buffering off, a till's event stream would wait in the proxy's buffers.
    assert "proxy_buffering off;" in nginx
