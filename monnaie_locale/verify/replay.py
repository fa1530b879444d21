"""Replaying a journal export against the signed checkpoints a witness kept.

The export (``journal.jsonl``, see :mod:`monnaie_locale.transparency.export`) is read one
line at a time; memory holds one entry, the Merkle tree's right edge
(:class:`~monnaie_locale.verify.merkle.CompactRange`, a hash per level) and the
checkpoints: a million entries take no more than ten.

For each entry, in order:

* its hash is ``SHA-256(prev_hash + content)`` and its postings sum to zero by currency
  (a changed posting shows here, named with its transaction);
* it follows the one before: the next ``seq`` (a gap names the missing entries) and the
  previous hash (the chain);
* its ``sealed_at`` does not go back, nor past the export's time;
* against the checkpoints: the root of the entries so far equals the root each
  checkpoint of that size signed (a difference names the entries between the last
  checkpoint that matched and this one); an entry a checkpoint holds was sealed before
  that checkpoint was made; an entry past a checkpoint was sealed after it was made. An
  entry sealed well before a checkpoint that leaves it out is one the service would not
  sign: the service keeps signing checkpoints at the last entry it sealed itself, so an
  entry written in the database by someone else stays out of every later checkpoint.

Times are compared with :data:`GRACE`: the service stamps a checkpoint with the moment its
tree last read the journal, and a transaction that commits just after may carry an
earlier stamp, as may two writers that read the clock before taking the write lock.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TextIO

from monnaie_locale.verify.entries import (
    GENESIS,
    Entry,
    content_problems,
    parse_instant,
    read_entry,
)
from monnaie_locale.verify.files import as_int
from monnaie_locale.verify.merkle import CompactRange, leaf_hash
from monnaie_locale.verify.report import Report, UsageError
from monnaie_locale.verify.signed import Opened

__all__ = ["FORMAT", "GRACE", "replay_export"]

FORMAT = "monnaie-locale-journal/1"
GRACE = timedelta(seconds=60)
_TIME = "%Y-%m-%dT%H:%M:%SZ"


def replay_export(path: str, checkpoints: Sequence[Opened], report: Report) -> None:
    """Replay the export at ``path`` against ``checkpoints`` (already verified)."""
    try:
        stream = open(path, encoding="utf-8")  # noqa: SIM115 - closed below, read in a loop
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    with stream:
        try:
            _replay(path, stream, checkpoints, report)
        except UnicodeDecodeError:
            report.problem(f"{path}: not UTF-8 text")


def _replay(path: str, stream: TextIO, checkpoints: Sequence[Opened], report: Report) -> None:
    header = _header(path, stream.readline(), report)
    if header is None:
        return
    origin, exported_at, announced = header
    ours = []
    for one in checkpoints:
        if one.checkpoint.origin != origin:
            report.problem(
                f"{one.name} is a checkpoint of {one.checkpoint.origin}, the export is of {origin}"
            )
        else:
            ours.append(one)
    replay = _Replay(path, ours, exported_at, report)
    for number, line in enumerate(stream, start=2):
        replay.line(number, line)
    replay.finish(announced)


def _header(path: str, line: str, report: Report) -> tuple[str, datetime, int] | None:
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        report.problem(f"{path}: line 1 is not a {FORMAT} header")
        return None
    origin, entries = value.get("origin"), as_int(value.get("entries"))
    exported_at = parse_instant(value.get("exported_at"))
    if not isinstance(origin, str) or exported_at is None or entries is None:
        report.problem(f"{path}: its header lacks the origin, exported_at or entries")
        return None
    report.say(f"{path}: the journal of {origin}, exported at {exported_at:{_TIME}}")
    return origin, exported_at, entries


class _Replay:
    """The state carried from one entry to the next."""

    def __init__(
        self, path: str, checkpoints: Sequence[Opened], exported_at: datetime, report: Report
    ) -> None:
        self.path, self.report, self.exported_at = path, report, exported_at
        self.expected, self.prev_hash, self.count = 1, GENESIS, 0
        self.last: Entry | None = None
        self.tree = CompactRange()
        self.broken: str | None = None  # why the tree stopped: roots past it are unknown
        self.matched: Opened | None = None
        # Sizes the checkpoints signed, smallest first, with the checkpoints at each.
        by_size = sorted(checkpoints, key=lambda one: one.checkpoint.size)
        self.targets = by_size
        self.next_target = 0
        # For "an entry past a checkpoint": the latest checkpoint among those below it.
        self.below = 0
        self.latest_below: Opened | None = None
        # For "an entry in a checkpoint": the earliest checkpoint among those holding it.
        self.earliest_from: list[Opened] = []
        for one in reversed(by_size):
            best = self.earliest_from[-1] if self.earliest_from else one
            self.earliest_from.append(one if one.checkpoint.time <= best.checkpoint.time else best)
        self.earliest_from.reverse()
        self._compare()  # checkpoints of size 0, before any entry

    def line(self, number: int, line: str) -> None:
        try:
            value: Any = json.loads(line)
        except json.JSONDecodeError:
            self.report.problem(f"{self.path} line {number}: not JSON", topic="lines not JSON")
            return
        entry = read_entry(value)
        if not isinstance(entry, Entry):
            self.report.problem(f"{self.path} line {number}: not a journal entry: {entry}")
            return
        if entry.seq < self.expected:
            self.report.problem(
                f"{entry.name}: comes after entry {self.expected - 1}: the export's order"
                " goes back or repeats an entry"
            )
            return
        self._sequence(entry)
        for problem in content_problems(entry):
            self.report.problem(problem, topic=problem.split(": ", 1)[1])
        self._times(entry)
        if self.broken is None:
            self.tree.append(leaf_hash(entry.leaf_data))
            self._compare()
        self.prev_hash, self.expected, self.last = entry.hash, entry.seq + 1, entry
        self.count += 1

    def _sequence(self, entry: Entry) -> None:
        if entry.seq > self.expected:
            missing = (
                f"entry {self.expected}"
                if entry.seq == self.expected + 1
                else f"entries {self.expected} to {entry.seq - 1}"
            )
            self.report.problem(
                f"{missing} missing: the export jumps from entry {self.expected - 1}"
                f" to {entry.name}"
            )
            if self.broken is None:
                self.broken = f"{missing} missing from the export"
            return
        if entry.prev_hash != self.prev_hash:
            after = (
                "the first entry's prev_hash is not the genesis"
                if entry.seq == 1
                else (f"its prev_hash is not the hash of entry {entry.seq - 1}")
            )
            self.report.problem(f"{entry.name}: {after}: the chain breaks")

    def _times(self, entry: Entry) -> None:
        report, at = self.report, entry.sealed_at
        if self.last is not None and at < self.last.sealed_at - GRACE:
            report.problem(
                f"{entry.name}: sealed at {at:{_TIME}}, before {self.last.name}"
                f" sealed at {self.last.sealed_at:{_TIME}}: its time goes back",
                topic="sealed_at going back",
            )
        if at > self.exported_at + GRACE:
            report.problem(
                f"{entry.name}: sealed at {at:{_TIME}}, after the export was made",
                topic="sealed_at after the export",
            )
        while (
            self.below < len(self.targets) and self.targets[self.below].checkpoint.size < entry.seq
        ):
            one = self.targets[self.below]
            if self.latest_below is None or one.checkpoint.time > self.latest_below.checkpoint.time:
                self.latest_below = one
            self.below += 1
        past = self.latest_below
        if past is not None and at < past.checkpoint.time - GRACE:
            report.problem(
                f"{entry.name}: in the journal before checkpoint {past.label} was made"
                f" ({past.checkpoint.time:{_TIME}}) but not in it: not sealed by the service"
                f" (its sealed_at says {at:{_TIME}})",
                topic="in the journal before a checkpoint but not in it",
            )
        if self.below < len(self.targets):
            holding = self.earliest_from[self.below]
            if at > holding.checkpoint.time + GRACE:
                report.problem(
                    f"{entry.name}: in checkpoint {holding.label}, made at"
                    f" {holding.checkpoint.time:{_TIME}}, yet its sealed_at says {at:{_TIME}}:"
                    " its time was changed",
                    topic="sealed after a checkpoint that holds it",
                )

    def _compare(self) -> None:
        """Compare the root with each checkpoint of the tree's size."""
        while (
            self.next_target < len(self.targets)
            and self.targets[self.next_target].checkpoint.size == self.tree.size
        ):
            one = self.targets[self.next_target]
            self.next_target += 1
            if self.tree.root() == one.checkpoint.root:
                self.matched = one
                self.report.say(
                    f"{self.path}: the entries up to {self.tree.size} give the root of {one.label}"
                )
                continue
            start = 1 if self.matched is None else self.matched.checkpoint.size + 1
            since = "" if self.matched is None else f" (the export matches {self.matched.label})"
            self.report.problem(
                f"{one.label}: the export's entries 1 to {self.tree.size} do not give the root it"
                f" signed: entries {start} to {self.tree.size} differ from what it signed{since}"
            )

    def finish(self, announced: int) -> None:
        report, last = self.report, self.expected - 1
        if announced != self.count:
            report.problem(
                f"{self.path}: its header announces {announced} entries, it holds {self.count}"
            )
        for one in self.targets[self.next_target :]:
            size = one.checkpoint.size
            if size > last:
                missing = f"entry {size}" if size == last + 1 else f"entries {last + 1} to {size}"
                report.problem(f"{one.label}: the export ends at entry {last}: {missing} missing")
            else:
                report.problem(f"{one.label}: its root cannot be recomputed: {self.broken}")
        report.say(f"{self.path}: {self.count} entries replayed, the last is entry {last}")
