"""What a verification found, line by line, and the exit code it comes to.

Each check writes what holds as a plain line and each problem as a line of its own that
starts with its kind (``PROBLEM``, ``FORK``, ``ROLLBACK``) and names what it is about: the
file, the entry and its transaction, the leaf, the tree size. A problem that repeats
(every entry after a removed one, say) is written a hundred times at most, then counted:
a replay of a million entries keeps a bounded output as it keeps a bounded memory.

Exit codes: 0 when everything holds, 1 when something does not, 2 for bad usage (a file
that cannot be read, a key that does not parse, arguments argparse refuses).
"""

from __future__ import annotations

from collections import Counter
from typing import TextIO

__all__ = ["FAILED", "HOLDS", "USAGE", "Report", "UsageError"]

HOLDS, FAILED, USAGE = 0, 1, 2
SHOWN = 100  # lines of one repeated problem written before they are only counted


class UsageError(Exception):
    """The verification cannot start: the reason is for the person who ran it."""


class Report:
    """Lines written to ``out`` as checks run; the problems counted by kind and topic."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.problems = 0
        self._topics: Counter[str] = Counter()

    def say(self, line: str) -> None:
        """A fact or a check that holds."""
        self.out.write(line + "\n")

    def problem(self, line: str, *, kind: str = "PROBLEM", topic: str | None = None) -> None:
        """Something that does not hold; ``topic`` groups repeats of one problem."""
        self.problems += 1
        key = topic or line
        self._topics[key] += 1
        if self._topics[key] <= SHOWN:
            self.out.write(f"{kind} {line}\n")

    def close(self) -> int:
        """Write what was only counted and the verdict; the exit code."""
        for topic, count in self._topics.items():
            if count > SHOWN:
                self.out.write(f"PROBLEM ... and {count - SHOWN} more: {topic}\n")
        if self.problems:
            self.out.write(f"{self.problems} problem(s) found.\n")
            return FAILED
        self.out.write("Everything holds.\n")
        return HOLDS
