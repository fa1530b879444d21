"""The root command: a table of commands, each module imported only when its command runs."""

from __future__ import annotations

import subprocess
import sys

import typer.main
from typer.testing import CliRunner

from cli.main import COMMANDS, ReportingGroup, app, load_all
from tests.cli.conftest import ROOT


def _whole_tree() -> ReportingGroup:
    group = typer.main.get_command(app)
    assert isinstance(group, ReportingGroup)
    return load_all(group)


def test_the_table_names_exactly_the_commands_the_modules_register() -> None:
    assert set(_whole_tree().commands) == set(COMMANDS)


def test_the_table_gives_each_command_its_own_first_line_of_help() -> None:
    tree = _whole_tree()
    for name, (_module, line) in COMMANDS.items():
        own = (tree.commands[name].help or "").strip().splitlines()[0]
        assert own == line, name


def test_the_root_help_lists_every_command_without_importing_any() -> None:
    probe = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from cli.main import app\n"
        "result = CliRunner().invoke(app, ['--help'], env={'COLUMNS': '200'})\n"
        "assert result.exit_code == 0, result.output\n"
        "print(result.stdout)\n"
        "heavy = ('sqlalchemy', 'cli.commands', 'monnaie_locale.store', 'fastapi')\n"
        "print('LOADED', sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout
    assert "LOADED []" in shown
    for name in COMMANDS:
        assert f" {name} " in shown, name


def test_an_unknown_command_is_bad_usage() -> None:
    result = CliRunner().invoke(app, ["--database", "sqlite://", "frobnicate"])
    assert result.exit_code == 2


def test_an_unsupported_language_is_bad_usage() -> None:
    result = CliRunner().invoke(app, ["--lang", "de", "audit", "verify"])
    assert result.exit_code == 2
