"""Progress bars: on standard error when it is a terminal, and nowhere else.

Long work (verifying the journal, exports, imports) shows a bar to the person at the
terminal. A scheduled job pipes both streams: then standard error stays empty, and
standard output carries exactly the JSON or the file asked for, even when the bar shows.
"""

from __future__ import annotations

import contextlib
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from cli.context import ACTOR_ENV
from monnaie_locale.deployment import Deployment
from tests.cli.conftest import ADMIN, ROOT, Mlc, run_process
from tests.engine import Engine

pytest_plugins = ["tests.cli.test_operations_convert"]

# Environment variables that make rich call anything a terminal, or nothing.
QUIET = {"FORCE_COLOR": "", "TTY_COMPATIBLE": "", "TTY_INTERACTIVE": "", "TERM": "xterm"}


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in QUIET}
    return {**env, "COLUMNS": "120", "TERM": "xterm", **extra}


def run_on_a_terminal(args: list[str], **env: str) -> tuple[int, bytes, str]:
    """Run ``mlc ARGS`` with standard error on a pseudo-terminal and standard output piped.

    Returns the exit code, what reached standard output, and what the terminal showed.
    """
    controller, terminal = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "cli.main", *args],
        stdout=subprocess.PIPE,
        stderr=terminal,
        stdin=subprocess.DEVNULL,
        # As the administrator, like run_process: the commands act as a named user.
        env=clean_env(**{ACTOR_ENV: ADMIN, **env}),
        cwd=ROOT,
    ) as process:
        os.close(terminal)
        shown = b""
        # Read the terminal until the process closes it (Linux then answers EIO).
        with contextlib.suppress(OSError):
            while chunk := os.read(controller, 65536):
                shown += chunk
        stdout, _ = process.communicate(timeout=120)
    os.close(controller)
    return process.returncode, stdout, shown.decode(errors="replace")


@pytest.fixture
def journal_file(tmp_path: Path) -> Path:
    return tmp_path / "books.journal"


@pytest.mark.parametrize("force_color", [None, "1"])
def test_piped_runs_write_nothing_on_standard_error_and_pure_json_on_standard_output(
    url: str, books: Engine, journal_file: Path, force_color: str | None
) -> None:
    env = clean_env() if force_color is None else clean_env(FORCE_COLOR=force_color)

    for args in (
        ["audit", "verify", "--json"],
        ["export", "journal", str(journal_file), "--json"],
        ["export", "fec", str(journal_file.with_suffix(".fec")), "--json"],
    ):
        done = run_process(["--database", url, "--lang", "en", *args], env=env)
        assert done.returncode == 0, done.stderr
        assert done.stderr == "", args
        json.loads(done.stdout)


def test_a_piped_pdf_statement_is_the_pdf_alone(url: str, books: Engine) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "--database", url, "--as", ADMIN, "export",
         "statement", "alice", "--format", "pdf"],
        capture_output=True, env=clean_env(), cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    assert done.stdout.startswith(b"%PDF-")
    assert done.stdout.rstrip().endswith(b"%%EOF")


@pytest.mark.parametrize(
    ("args", "label"),
    [
        (["audit", "verify", "--json"], "Verifying the journal"),
        (["export", "journal", "{file}", "--json"], "Exporting"),
    ],
)
def test_a_terminal_sees_the_bar_while_standard_output_stays_pure_json(
    url: str, books: Engine, journal_file: Path, args: list[str], label: str
) -> None:
    args = [arg.replace("{file}", str(journal_file)) for arg in args]

    code, stdout, shown = run_on_a_terminal(["--database", url, "--lang", "en", *args])

    assert code == 0, shown
    assert label in shown
    json.loads(stdout)
    assert label.encode() not in stdout


def test_a_pdf_statement_shows_its_bar_on_the_terminal_and_only_the_pdf_on_stdout(
    url: str, books: Engine
) -> None:
    code, stdout, shown = run_on_a_terminal(
        ["--database", url, "--lang", "en", "export", "statement", "bob", "--format", "pdf"]
    )

    assert code == 0, shown
    assert "Exporting" in shown
    assert stdout.startswith(b"%PDF-")
    assert stdout.rstrip().endswith(b"%%EOF")
    assert b"Exporting" not in stdout


def test_a_bank_statement_import_shows_its_bar_on_a_terminal_only(
    mlc: Mlc, deployment: Deployment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = mlc.json("convert", "transfer-order", "alice", "50", "--key", "order-1")
    file = tmp_path / "releve.csv"
    file.write_bytes(
        "Date;Date de valeur;Libellé;Référence;Débit;Crédit\r\n"
        f"02/11/2026;02/11/2026;VIR SEPA CONV {order['reference']};R1;;50,00\r\n".encode("cp1252")
    )
    env = {"MLC_RESERVE_IBAN": os.environ["MLC_RESERVE_IBAN"]}
    args = ["--database", mlc.url, "--lang", "en", "reserve", "import-statement", str(file),
            "--format", "csv", "--json", "--dry-run"]  # fmt: skip

    piped = run_process(args, env=clean_env(**env))
    code, stdout, shown = run_on_a_terminal(args, **env)

    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == ""
    assert code == 0, shown
    assert "Importing the statement" in shown
    assert json.loads(stdout) == json.loads(piped.stdout)
