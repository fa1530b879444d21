"""Consistency and inclusion proofs, as files, checked against signed checkpoints.

* Consistency (``{"first", "second", "proof": [base64]}``, ``GET
  /v1/transparency/proof/consistency``): the newer checkpoint's tree holds the older one's
  entries unchanged, RFC 9162 section 2.1.4.2.
* Inclusion (``{"seq", "size", "entry": {...}, "proof": [base64]}``, ``GET
  /v1/transparency/proof/inclusion``): the entry's hash is recomputed from its
  ``prev_hash`` and ``content``, and its leaf is on the path to the checkpoint's root at
  index ``seq - 1``, RFC 9162 section 2.1.3.2.
"""

from __future__ import annotations

from typing import Any

from monnaie_locale.verify.entries import Entry, content_problems, read_entry
from monnaie_locale.verify.files import as_int, decode_hashes, fields
from monnaie_locale.verify.merkle import leaf_hash, verify_consistency, verify_inclusion
from monnaie_locale.verify.report import Report
from monnaie_locale.verify.signed import Opened, b64

__all__ = ["check_consistency", "check_inclusion"]


def check_consistency(old: Opened, new: Opened, proof: Any, name: str, report: Report) -> None:
    """Whether ``new`` extends ``old``, by the consistency ``proof`` read from file ``name``."""
    a, b = old.checkpoint, new.checkpoint
    if a.origin != b.origin:
        report.problem(f"{old.name} and {new.name} are checkpoints of different logs")
        return
    if a.size > b.size:
        report.problem(f"{old.label} is larger than {new.label}: give the older one first")
        return
    if a.size == b.size:
        if a.root != b.root:
            report.problem(
                f"{a.origin} at size {a.size}: {old.name} and {new.name} sign different roots"
                f" ({b64(a.root)} and {b64(b.root)}): the log showed two histories",
                kind="FORK",
            )
        else:
            report.say(f"{old.label} and {new.label}: the same tree")
        return
    body = fields(proof, ("first", "second", "proof"))
    if body is None:
        report.problem(f"{name}: a consistency proof is {{'first', 'second', 'proof'}}")
        return
    first, second = as_int(body["first"]), as_int(body["second"])
    if (first, second) != (a.size, b.size):
        report.problem(
            f"{name}: the proof is from size {body['first']} to {body['second']},"
            f" the checkpoints are of sizes {a.size} and {b.size}"
        )
        return
    hashes = decode_hashes(body["proof"])
    if hashes is None:
        report.problem(f"{name}: its proof is a list of 32-byte hashes in base64")
        return
    if not verify_consistency(a.size, b.size, hashes, a.root, b.root):
        report.problem(
            f"{new.label} does not extend {old.label}: the consistency proof fails, the"
            f" entries up to {a.size} were changed or the log forked"
        )
        return
    report.say(f"{new.label} extends {old.label}: the first {a.size} entries are unchanged")


def check_inclusion(opened: Opened, proof: Any, name: str, report: Report) -> None:
    """Whether the entry in inclusion ``proof`` (file ``name``) is in the checkpoint's tree."""
    cp = opened.checkpoint
    body = fields(proof, ("seq", "size", "entry", "proof"))
    if body is None:
        report.problem(f"{name}: an inclusion proof is {{'seq', 'size', 'entry', 'proof'}}")
        return
    entry = read_entry(body["entry"])
    if not isinstance(entry, Entry):
        report.problem(f"{name}: its entry is malformed: {entry}")
        return
    seq, size = as_int(body["seq"]), as_int(body["size"])
    if seq != entry.seq:
        report.problem(f"{name}: the proof is for entry {body['seq']} but carries {entry.name}")
        return
    if size != cp.size:
        report.problem(
            f"{name}: the proof is for a tree of size {body['size']},"
            f" {opened.name} is of size {cp.size}"
        )
        return
    problems = content_problems(entry)
    for problem in problems:
        report.problem(problem)
    hashes = decode_hashes(body["proof"])
    if hashes is None:
        report.problem(f"{name}: its proof is a list of 32-byte hashes in base64")
        return
    if entry.seq > cp.size:
        report.problem(f"{entry.name} is past {opened.label}")
        return
    leaf = leaf_hash(entry.leaf_data)
    if not verify_inclusion(entry.seq - 1, cp.size, leaf, hashes, cp.root):
        report.problem(
            f"{entry.name} is not in {opened.label}: the inclusion proof fails for its hash"
        )
        return
    report.say(
        f"{entry.name} is in {opened.label}, as sealed at {entry.sealed_at:%Y-%m-%dT%H:%M:%SZ}"
    )
    if not problems and entry.content is not None:
        report.say(f"  content {entry.content}")
