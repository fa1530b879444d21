"""``mlc`` as a scheduled job runs it: a real process, settings from the environment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from monnaie_locale.ledger import Ledger
from monnaie_locale.store import Database
from tests.cli.conftest import run_process
from tests.support import snapshot


def test_a_process_reads_the_database_and_language_from_the_environment(
    url: str, books: Ledger
) -> None:
    env = {"MLC_DATABASE_URL": url, "MLC_LANG": "fr"}
    paid = run_process(["transfer", "alice", "bob", "1,50", "--key", "proc-1"], env=env)
    assert paid.returncode == 0, paid.stderr
    assert "1,50 de alice vers bob" in paid.stdout
    assert books.account("bob").balance == 300 + 150


def test_a_process_exits_3_when_the_ledger_refuses_and_changes_nothing(
    url: str, books: Ledger, database: Database
) -> None:
    before = snapshot(database)
    refused = run_process(
        ["--database", url, "--lang", "en", "transfer", "bob", "alice", "500", "--key", "p"]
    )
    assert refused.returncode == 3
    assert "3.00 available" in refused.stderr
    assert snapshot(database) == before


def test_a_scheduled_verification_gets_json_and_exit_0(url: str, books: Ledger) -> None:
    done = run_process(["--database", url, "audit", "verify", "--json"])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True


def test_a_process_reports_bad_usage_with_exit_2(url: str, books: Ledger) -> None:
    done = run_process(["--database", url, "transfer", "alice"])
    assert done.returncode == 2


def test_the_installed_mlc_command_runs_a_whole_session(tmp_path: Path) -> None:
    mlc = Path(sys.executable).parent / "mlc"
    if not mlc.exists():
        pytest.skip(f"the mlc entry point is not installed beside {sys.executable}")
    url = f"sqlite:///{tmp_path / 'books.db'}"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(mlc), "--database", url, "--lang", "en", *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    assert run("db", "migrate").returncode == 0
    missing_currency = run("accounts", "create", "alice", "--kind", "member", "--currency", "MLC")
    assert missing_currency.returncode == 2
    assert "unknown currency" in missing_currency.stderr
    assert run("db", "backup", str(tmp_path / "copy.db")).returncode == 0
    assert run("audit", "verify").returncode == 0
