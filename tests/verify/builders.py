"""Files for the offline verifier, made in memory: a journal, its export, signed checkpoints.

Nothing here touches a database: the journal is a list of entries chained as the service
chains them (``SHA-256(prev_hash + content)``), its tree a
:class:`~monnaie_locale.verify.merkle.MemoryTree`, its checkpoints signed by a key made
for the test. The tests change the files as an attacker would and run the verifier on them.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from monnaie_locale.verify.checkpoint import Checkpoint, format_checkpoint
from monnaie_locale.verify.command import main
from monnaie_locale.verify.merkle import MemoryTree, consistency_proof, inclusion_proof, leaf_hash
from monnaie_locale.verify.note import NoteKey, format_note, sign_line

ORIGIN = "pay.example/eusko"
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def content_of(number: int, amount: int = 100) -> str:
    """A transfer's canonical content, as the journal hashes it."""
    header = [number, "transfer", "", None, f"2026-12-01T09:{number % 60:02d}:00+00:00"]
    postings = [[2 * number, 3, "MLC", -amount, 0], [2 * number + 1, 4, "MLC", amount, amount]]
    return json.dumps([*header, None, None, None, postings], separators=(",", ":"))


def chain(prev_hash: str, content: str) -> str:
    return hashlib.sha256((prev_hash + content).encode()).hexdigest()


@dataclass
class Journal:
    """A journal of ``entries`` (export lines, as dicts) and the key that signs its checkpoints."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    origin: str = ORIGIN

    @classmethod
    def of(cls, count: int) -> Journal:
        journal = cls()
        for _ in range(count):
            journal.append()
        return journal

    def append(self, content: str | None = None, *, sealed_at: datetime | None = None) -> None:
        seq = len(self.entries) + 1
        prev = self.entries[-1]["hash"] if self.entries else "0" * 64
        text = content_of(seq) if content is None else content
        when = START + timedelta(minutes=seq) if sealed_at is None else sealed_at
        self.entries.append(
            {
                "seq": seq,
                "transaction_id": 100 + seq,
                "prev_hash": prev,
                "hash": chain(prev, text),
                "sealed_at": when.strftime(STAMP),
                "content": text,
            }
        )

    def sealed_at(self, seq: int) -> datetime:
        return datetime.strptime(self.entries[seq - 1]["sealed_at"], STAMP).replace(tzinfo=UTC)

    @property
    def tree(self) -> MemoryTree:
        return MemoryTree([leaf_hash(bytes.fromhex(e["hash"])) for e in self.entries])

    @property
    def vkey(self) -> str:
        return NoteKey(self.origin, self.key.public_key()).vkey

    def checkpoint(self, size: int, *, when: datetime | None = None, **totals: Any) -> Checkpoint:
        """The checkpoint of the first ``size`` entries, made a little after the last."""
        made = when or (self.sealed_at(size) if size else START) + timedelta(seconds=30)
        values: dict[str, Any] = {
            "unit": "MLC",
            "issued": 1000,
            "digital": 900,
            "paper": 100,
            "reserve": {"reserve:digital": 1000},
        }
        values.update(totals)
        return Checkpoint(
            origin=self.origin, size=size, root=self.tree.root(size), time=made, **values
        )

    def note(self, size: int, **kwargs: Any) -> str:
        return self.sign(self.checkpoint(size, **kwargs))

    def sign(self, cp: Checkpoint) -> str:
        text = format_checkpoint(cp)
        return format_note(text, [sign_line(text, self.origin, self.key)])

    def export(self, *, entries: Sequence[dict[str, Any]] | None = None, **header: Any) -> str:
        lines = self.entries if entries is None else entries
        head = {
            "format": "monnaie-locale-journal/1",
            "origin": self.origin,
            "unit": "MLC",
            "exported_at": (START + timedelta(days=1)).strftime(STAMP),
            "entries": len(lines),
            "accounts": [],
        }
        head.update(header)
        return "".join(json.dumps(x) + "\n" for x in [head, *lines])

    def consistency(self, first: int, second: int) -> dict[str, Any]:
        proof = consistency_proof(self.tree, first, second)
        return {"first": first, "second": second, "proof": [b64(h) for h in proof]}

    def inclusion(self, seq: int, size: int) -> dict[str, Any]:
        proof = inclusion_proof(self.tree, seq - 1, size)
        entry = self.entries[seq - 1]
        return {"seq": seq, "size": size, "entry": entry, "proof": [b64(h) for h in proof]}

    def rechained(self) -> Journal:
        """The same contents chained anew, as an attacker who rewrites every hash after a change."""
        again = replace(self, entries=[])
        for entry in self.entries:
            again.append(entry["content"], sealed_at=self.sealed_at(entry["seq"]))
        return again


@dataclass
class Run:
    """A verifier run: its exit code and what it wrote."""

    code: int
    output: str

    def problems(self) -> list[str]:
        kinds = ("PROBLEM", "FORK", "ROLLBACK")
        return [line for line in self.output.splitlines() if line.startswith(kinds)]


class Files:
    """A folder of files for one test, and runs of the verifier on them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, name: str, content: str | dict[str, Any]) -> str:
        path = self.folder / name
        text = content if isinstance(content, str) else json.dumps(content)
        path.write_text(text, encoding="utf-8")
        return str(path)

    def verify(self, *argv: str) -> Run:
        out = io.StringIO()
        code = main(list(argv), out=out)
        return Run(code, out.getvalue())
