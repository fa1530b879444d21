"""Signed checkpoints as the verifier checks them: signature, format, totals, forks.

A checkpoint counts only when a given key *of the log* signed it: an Ed25519 note key
(type 0x01) whose name is the checkpoint's origin, as tlog-checkpoint asks of a log's
signature. Witnesses' cosignatures (type 0x04) by given keys are checked and shown with
their time; a witness's cosignature alone does not make a checkpoint the log's.

Across several checkpoints of one log, two of the same size with different roots are a
fork (the log showed two histories), and a later one smaller than an earlier one a
rollback: an append-only log does neither.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from monnaie_locale.verify.checkpoint import Checkpoint, CheckpointError, parse_checkpoint
from monnaie_locale.verify.merkle import EMPTY_ROOT
from monnaie_locale.verify.note import (
    COSIGNATURE,
    ED25519,
    NoteError,
    NoteKey,
    cosignature_time,
    open_note,
)
from monnaie_locale.verify.report import Report

__all__ = [
    "Opened",
    "b64",
    "check_cover",
    "check_history",
    "check_liabilities_sum",
    "check_totals",
    "describe",
    "open_checkpoint",
]


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@dataclass(frozen=True)
class Opened:
    """A checkpoint whose log signature verified: the file it came from and what it says."""

    name: str
    checkpoint: Checkpoint
    cosigned: tuple[tuple[str, int], ...] = ()  # (witness, Unix time) for given witness keys

    @property
    def label(self) -> str:
        return f"{self.name} (size {self.checkpoint.size})"


def open_checkpoint(
    name: str, note: str | bytes, keys: Sequence[NoteKey], report: Report
) -> Opened | None:
    """Verify the note in file ``name``; None, with the problem reported, when it fails."""
    try:
        parsed, signers = open_note(note, keys)
    except NoteError as exc:
        report.problem(f"{name}: its signature does not hold: {exc.reason}")
        return None
    try:
        checkpoint = parse_checkpoint(parsed.text)
    except CheckpointError as exc:
        report.problem(f"{name}: signed, but not a checkpoint: {exc.reason}")
        return None
    log = [k for k in signers if k.kind == ED25519 and k.name == checkpoint.origin]
    if not log:
        names = ", ".join(k.name for k in signers)
        report.problem(
            f"{name}: no given key of the log {checkpoint.origin} signed it (signed by {names})"
        )
        return None
    if checkpoint.size == 0 and checkpoint.root != EMPTY_ROOT:
        report.problem(f"{name}: size 0, but its root is not the empty tree's")
        return None
    witnesses = {(k.name, k.key_id) for k in signers if k.kind == COSIGNATURE}
    cosigned = tuple(
        (sig.name, cosignature_time(sig))
        for sig in parsed.signatures
        if (sig.name, sig.key_id) in witnesses
    )
    keys_used = ", ".join(f"{k.name}+{k.key_id.hex()}" for k in log)
    report.say(f"{name}: signed by the log's key {keys_used}")
    for witness, moment in cosigned:
        report.say(f"{name}: cosigned by the witness {witness} at {_unix(moment)}")
    return Opened(name, checkpoint, cosigned)


def _unix(moment: int) -> str:
    try:
        return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError, OSError):
        return f"Unix time {moment}"


def describe(opened: Opened, report: Report) -> None:
    """Write what the checkpoint attests."""
    cp = opened.checkpoint
    report.say(f"  origin      {cp.origin}")
    report.say(f"  tree size   {cp.size} journal entries")
    report.say(f"  root        {b64(cp.root)}")
    report.say(f"  time        {cp.time.strftime('%Y-%m-%dT%H:%M:%SZ')}")
    report.say(f"  issued      {cp.issued} (minor units of {cp.unit})")
    report.say(f"  circulation {cp.circulation} = {cp.digital} digital + {cp.paper} on paper")
    for account, amount in cp.reserve.items():
        report.say(f"  reserve     {account} {amount} (euro cents)")
    report.say(f"  reserve     total {cp.reserve_total}")
    if cp.liabilities_root is not None:
        report.say(f"  liabilities root {b64(cp.liabilities_root)}, sum {cp.liabilities_sum}")
    for st in cp.statements:
        report.say(
            f"  statement   {st.account} closing {st.closing} on {st.day.isoformat()},"
            f" file SHA-256 {st.file_hash}"
        )


def check_totals(opened: Opened, report: Report) -> None:
    """Circulation within the reserve; the holders' sum tree adding up to the circulation."""
    check_cover(opened, report)
    check_liabilities_sum(opened, report)


def check_cover(opened: Opened, report: Report) -> None:
    """Every unit in circulation, digital or paper, backed by a euro of the reserve."""
    cp, name = opened.checkpoint, opened.name
    if cp.circulation > cp.reserve_total:
        report.problem(
            f"{name}: circulation {cp.circulation} exceeds the reserve {cp.reserve_total}"
            f" by {cp.circulation - cp.reserve_total}: not every unit is backed"
        )
    else:
        report.say(
            f"{name}: circulation {cp.circulation} <= reserve {cp.reserve_total}"
            f" (cover {cp.reserve_total - cp.circulation} over)"
        )


def check_liabilities_sum(opened: Opened, report: Report) -> None:
    """The holders' sum tree adding up to the digital circulation, when there is one."""
    cp, name = opened.checkpoint, opened.name
    if cp.liabilities_sum is not None:
        if cp.liabilities_sum != cp.digital:
            report.problem(
                f"{name}: the holders' sum tree adds up to {cp.liabilities_sum},"
                f" not to the digital circulation {cp.digital}"
            )
        else:
            report.say(f"{name}: the holders' sum tree adds up to the digital circulation")


def check_history(opened: Sequence[Opened], report: Report) -> None:
    """Forks and rollbacks among checkpoints of one origin."""
    by_origin: dict[str, list[Opened]] = {}
    for one in opened:
        by_origin.setdefault(one.checkpoint.origin, []).append(one)
    for origin, same in by_origin.items():
        _forks(origin, same, report)
        _rollbacks(origin, same, report)


def _forks(origin: str, same: Sequence[Opened], report: Report) -> None:
    first_at: dict[int, Opened] = {}
    for one in same:
        size = one.checkpoint.size
        seen = first_at.setdefault(size, one)
        if seen.checkpoint.root != one.checkpoint.root:
            report.problem(
                f"{origin} at size {size}: {seen.name} and {one.name} sign different roots"
                f" ({b64(seen.checkpoint.root)} and {b64(one.checkpoint.root)}):"
                " the log showed two histories",
                kind="FORK",
            )


def _rollbacks(origin: str, same: Sequence[Opened], report: Report) -> None:
    in_time = sorted(same, key=lambda one: one.checkpoint.time)
    largest: Opened | None = None
    for one in in_time:
        later = largest is not None and one.checkpoint.time > largest.checkpoint.time
        if later and largest is not None and one.checkpoint.size < largest.checkpoint.size:
            report.problem(
                f"{origin}: {one.name} (size {one.checkpoint.size}, made"
                f" {one.checkpoint.time:%Y-%m-%dT%H:%M:%SZ}) is smaller than {largest.name}"
                f" (size {largest.checkpoint.size}) made before it: the log went back",
                kind="ROLLBACK",
            )
        if largest is None or one.checkpoint.size > largest.checkpoint.size:
            largest = one
