"""Core errors in the run's language, exit codes, and the help of every command.

The catalogues themselves are checked in tests/i18n.
"""

from __future__ import annotations

from typing import Any

import pytest
import typer
import typer.main
from typer.testing import CliRunner

from cli.errors import ExitCode, exit_code_for, explain
from cli.help_fr import french_help_for, help_keys
from cli.main import app, load_all
from cli.messages import Messages
from monnaie_locale.database_url import sqlite_path
from monnaie_locale.errors import (
    AccountNotEmpty,
    DatabaseUnavailable,
    HoldNotPending,
    InsufficientFunds,
    InvalidAmount,
    InvalidData,
    JournalBroken,
    SchemaMissing,
    UnknownAccount,
)
from monnaie_locale.operations.errors import NotesUnavailable


def test_core_errors_are_explained_in_french_with_amounts_in_decimals() -> None:
    text = explain(InsufficientFunds("alice", needed=1250, available=300), Messages("fr"))
    assert text == "Le compte alice ne peut pas payer 12,50 : 3,00 disponible(s)."


def test_an_error_shows_its_own_amounts_as_decimals_and_its_counts_as_counts() -> None:
    notes = explain(NotesUnavailable("office:centre:notes", 500, 3, 1), Messages("fr"))
    assert notes.startswith("office:centre:notes n'a que 1 billet(s) de 5,00, il en faut 3 :")
    closing = explain(AccountNotEmpty("alice", balance=1250, held=300), Messages("en"))
    assert closing.startswith("Account alice is not empty (12.50, 3.00 of it on hold):")


def test_a_holds_status_is_given_in_the_runs_words() -> None:
    assert "déjà annulée :" in explain(HoldNotPending(7, "voided"), Messages("fr"))
    assert "already posted:" in explain(HoldNotPending(7, "posted"), Messages("en"))


def test_core_errors_map_to_exit_codes() -> None:
    assert exit_code_for(InvalidAmount("x", "no")) is ExitCode.BAD_INPUT
    assert exit_code_for(UnknownAccount("x")) is ExitCode.BAD_INPUT
    assert exit_code_for(InsufficientFunds("a", needed=1, available=0)) is ExitCode.REFUSED
    assert exit_code_for(JournalBroken(3, "bad")) is ExitCode.DISCREPANCY
    assert exit_code_for(DatabaseUnavailable("refused")) is ExitCode.UNAVAILABLE
    assert exit_code_for(SchemaMissing("no such table: accounts")) is ExitCode.UNAVAILABLE
    assert exit_code_for(InvalidData("integer out of range")) is ExitCode.BAD_INPUT


def test_a_database_error_is_explained_with_what_the_run_knows() -> None:
    text = explain(DatabaseUnavailable("refused"), Messages("en"), url="sqlite:///x.db")
    assert text == (
        "Cannot reach the database (sqlite:///x.db): refused. Check --database or MLC_DATABASE_URL."
    )


def test_sqlite_paths_are_read_from_urls() -> None:
    assert str(sqlite_path("sqlite:///var/x.db")) == "var/x.db"
    assert str(sqlite_path("sqlite:////abs/x.db")) == "/abs/x.db"
    assert sqlite_path("sqlite://") is None
    assert sqlite_path("postgresql://u@h/db") is None


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and every group of commands, as the words that name it."""
    found = []
    for name, command in getattr(group, "commands", {}).items():
        found += [(*prefix, name), *_commands(command, (*prefix, name))]
    return found


def _whole_tree() -> Any:
    return load_all(typer.main.get_command(app))  # type: ignore[arg-type]


@pytest.mark.parametrize("command", _commands(_whole_tree()), ids=" ".join)
@pytest.mark.parametrize(("lang", "example"), [("en", "Example: mlc "), ("fr", "Exemple : mlc ")])
def test_every_command_has_help_with_an_example(
    command: tuple[str, ...], lang: str, example: str
) -> None:
    result = CliRunner().invoke(app, ["--lang", lang, *command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert example in result.stdout, result.stdout


def test_every_command_option_and_argument_has_french_help() -> None:
    root = _whole_tree()
    missing = [full for full, shared, _ in help_keys(root) if not french_help_for(full, shared)]
    assert missing == []


def test_french_help_is_shown_when_the_run_speaks_french() -> None:
    result = CliRunner().invoke(
        app, ["--lang", "fr", "accounts", "import", "--help"], env={"COLUMNS": "200"}
    )
    assert "Vérifie chaque ligne sans rien écrire." in result.stdout
    english = CliRunner().invoke(
        app, ["--lang", "en", "accounts", "import", "--help"], env={"COLUMNS": "200"}
    )
    assert "Check every line, write nothing." in english.stdout


def test_the_help_flag_is_said_in_the_language_of_the_run() -> None:
    for command in (["notes"], ["notes", "sell"], ["transfer"]):
        french = CliRunner().invoke(app, ["--lang", "fr", *command, "--help"])
        english = CliRunner().invoke(app, ["--lang", "en", *command, "--help"])
        assert "Affiche cette aide." in french.stdout, command
        assert "Show this message and exit." in english.stdout, command
