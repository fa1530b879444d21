"""The root command: optional command groups appear as soon as their module exists."""

from __future__ import annotations

import importlib.util

from typer.testing import CliRunner

from cli.main import OPTIONAL_GROUPS, app


def _top_level_names() -> set[str]:
    commands = {c.name or c.callback.__name__ for c in app.registered_commands if c.callback}
    groups = {g.name for g in app.registered_groups if g.name}
    return commands | groups


def test_each_optional_group_is_mounted_exactly_when_its_module_exists() -> None:
    names = _top_level_names()
    for module in OPTIONAL_GROUPS:
        word = module.rsplit(".", 1)[1]
        assert (word in names) == (importlib.util.find_spec(module) is not None), module


def test_the_ledger_commands_are_always_there() -> None:
    assert {"db", "accounts", "transfer", "reverse", "audit", "export"} <= _top_level_names()


def test_an_unknown_command_is_bad_usage() -> None:
    result = CliRunner().invoke(app, ["--database", "sqlite://", "frobnicate"])
    assert result.exit_code == 2


def test_an_unsupported_language_is_bad_usage() -> None:
    result = CliRunner().invoke(app, ["--lang", "de", "audit", "verify"])
    assert result.exit_code == 2
