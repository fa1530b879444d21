"""The systemd units of deploy/: workers without the jobs, the scheduler with them.

The workers (``monnaie-locale@PORT``) run ``mlc serve`` with the scheduled jobs off; one
scheduler unit runs ``mlc jobs serve``; the target groups them. ``systemd-analyze
verify`` checks the files where it is installed.
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
MLC = "/opt/monnaie-locale/.venv/bin/mlc"


def unit(name: str) -> configparser.ConfigParser:
    parsed = configparser.ConfigParser(strict=False, interpolation=None)
    parsed.optionxform = str  # type: ignore[assignment,method-assign]
    parsed.read(DEPLOY / name)
    return parsed


def test_the_workers_run_without_the_jobs_and_the_scheduler_with_them() -> None:
    worker, scheduler = unit("monnaie-locale@.service"), unit("monnaie-locale-scheduler.service")
    assert worker["Service"]["Environment"] == "MLC_JOBS_ENABLED=false"
    assert worker["Service"]["ExecStart"].endswith("mlc serve --host 127.0.0.1 --port %i")
    assert scheduler["Service"]["ExecStart"] == f"{MLC} jobs serve"
    assert "Environment" not in scheduler["Service"]  # the jobs are on by default
    for parsed in (worker, scheduler):
        assert parsed["Service"]["EnvironmentFile"] == "/etc/monnaie-locale/env"
        assert parsed["Unit"]["PartOf"] == "monnaie-locale.target"
        assert parsed["Install"]["WantedBy"] == "monnaie-locale.target"
        assert parsed["Service"]["KillSignal"] == "SIGTERM"


def test_the_env_file_leaves_the_jobs_to_the_units() -> None:
    # A variable of EnvironmentFile= overrides the unit's Environment=: set there, it
    # would turn the jobs back on in every worker.
    example = (DEPLOY / "production.env.example").read_text().splitlines()
    assert not [line for line in example if line.startswith("MLC_JOBS_ENABLED")]


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    for name in ("monnaie-locale@.service", "monnaie-locale-scheduler.service"):
        # The installed command is not on a test machine: any executable stands for it.
        text = (DEPLOY / name).read_text().replace(MLC, sys.executable)
        (tmp_path / name.replace("@.", "@8001.")).write_text(text)
    shutil.copy(DEPLOY / "monnaie-locale.target", tmp_path)
    checked = subprocess.run(
        [
            analyze,
            "verify",
            "--man=no",
            "./monnaie-locale@8001.service",
            "./monnaie-locale-scheduler.service",
            "./monnaie-locale.target",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr == ""
