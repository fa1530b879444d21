"""How commands show results: rich tables for people, JSON for scripts, progress bars.

JSON goes straight to standard output, unwrapped and uncoloured, so ``| jq`` always
works; amounts in JSON are integers of minor units (cents), as everywhere in the ledger.
Progress bars write to standard error and vanish when it is not a terminal, so they
never pollute an export written to standard output.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from monnaie_locale.money import format_amount

__all__ = ["Bar", "limit_text", "print_command", "print_json", "progress_bar"]


def print_command(console: Console, command: list[str]) -> None:
    """A command line to copy or run, on one line even on a terminal: the terminal folds it
    for the eye, and a copy of it is still one command."""
    console.print("  " + shlex.join(command), soft_wrap=True, markup=False, highlight=False)


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def limit_text(limit: int | None, *, decimal_separator: str, none: str) -> str:
    return none if limit is None else format_amount(limit, decimal_separator=decimal_separator)


class Bar:
    """One task on a progress display: ``advance_to(done)`` after each chunk of work.

    Without a display (standard error is not a terminal) every call does nothing.
    """

    def __init__(self, progress: Progress | None, task: TaskID | None) -> None:
        self._progress = progress
        self._task = task

    def advance_to(self, done: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=done)

    def advance(self, step: int = 1) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, step)

    def total(self, total: int | None) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, total=total)


@contextmanager
def progress_bar(console: Console, description: str, *, total: int | None) -> Iterator[Bar]:
    """A progress bar on ``console`` (standard error), cleared when done.

    Only on a terminal: into a pipe or a log file rich would still write a blank line.
    Standard output is left alone (no redirection), so what a command writes there while
    the bar runs, an export to a pipe for instance, reaches it unchanged.
    """
    if not _on_terminal(console):
        yield Bar(None, None)
        return
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
    ) as progress:
        yield Bar(progress, progress.add_task(description, total=total))


def _on_terminal(console: Console) -> bool:
    """Whether ``console`` writes to a terminal, really: FORCE_COLOR makes rich say so of a
    pipe, where a bar would fill a log file."""
    isatty = getattr(console.file, "isatty", None)
    return console.is_terminal and isatty is not None and bool(isatty())
