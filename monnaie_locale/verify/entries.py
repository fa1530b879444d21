"""Journal entries as exports and inclusion proofs carry them, and what one entry proves alone.

An entry is ``{"seq", "transaction_id", "prev_hash", "hash", "sealed_at", "content"}``:
``content`` is the canonical JSON text of the transaction the journal hashed (its header's
fields, then its postings as ``[id, account id, currency, amount, balance after]``), and
``hash`` is ``SHA-256(prev_hash + content)`` in lowercase hex. The entry's hash is the
Merkle tree's leaf data: leaf ``seq - 1`` is ``leaf_hash(bytes.fromhex(hash))``.

Alone, an entry shows whether its content is still what was hashed, and whether its
postings sum to zero in each currency, as the ledger's rules require of every transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from monnaie_locale.verify.files import as_int

__all__ = ["GENESIS", "Entry", "chained_hash", "content_problems", "parse_instant", "read_entry"]

GENESIS = "0" * 64  # the first entry's prev_hash
_HEX64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class Entry:
    """One journal entry, its fields checked for shape."""

    seq: int
    transaction_id: int
    prev_hash: str
    hash: str
    sealed_at: datetime
    content: str | None

    @property
    def name(self) -> str:
        return f"entry {self.seq} (transaction {self.transaction_id})"

    @property
    def leaf_data(self) -> bytes:
        return bytes.fromhex(self.hash)


def parse_instant(value: object) -> datetime | None:
    """An ISO 8601 instant with its offset (``...Z``), in UTC; None otherwise."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return None if moment.tzinfo is None else moment.astimezone(UTC)


def read_entry(value: object) -> Entry | str:
    """The entry ``value`` holds, or why it is not one."""
    if not isinstance(value, dict):
        return "not a JSON object"
    seq, tid = as_int(value.get("seq")), as_int(value.get("transaction_id"))
    if seq is None or seq < 1 or tid is None:
        return "its seq and transaction_id are whole numbers, seq from 1"
    for name in ("prev_hash", "hash"):
        if not isinstance(value.get(name), str) or not _HEX64.fullmatch(value[name]):
            return f"its {name} is 64 lowercase hex digits"
    sealed_at = parse_instant(value.get("sealed_at"))
    if sealed_at is None:
        return "its sealed_at is an ISO 8601 instant with its offset"
    content = value.get("content")
    if content is not None and not isinstance(content, str):
        return "its content is a JSON string or null"
    return Entry(seq, tid, value["prev_hash"], value["hash"], sealed_at, content)


def chained_hash(prev_hash: str, content: str) -> str:
    """The hash the journal gives ``content`` after an entry whose hash is ``prev_hash``."""
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


def content_problems(entry: Entry) -> list[str]:
    """What in ``entry`` alone does not hold: its hash, its content's shape, its balance."""
    if entry.content is None:
        return [f"{entry.name}: its transaction is missing from the books that were exported"]
    found = []
    if chained_hash(entry.prev_hash, entry.content) != entry.hash:
        found.append(
            f"{entry.name}: its hash is not SHA-256(prev_hash + content):"
            " the transaction was changed after it was sealed"
        )
    unbalanced = _unbalanced(entry.content)
    if unbalanced is not None:
        found.append(f"{entry.name}: {unbalanced}")
    return found


def _unbalanced(content: str) -> str | None:
    """Why the content's postings do not balance, or None when they sum to zero."""
    try:
        fields = json.loads(content)
    except json.JSONDecodeError:
        return "its content is not JSON"
    if not isinstance(fields, list) or not fields or not isinstance(fields[-1], list):
        return "its content is not a transaction's header and postings"
    sums: Counter[str] = Counter()
    for posting in fields[-1]:
        if (
            not isinstance(posting, list)
            or len(posting) != 5
            or not isinstance(posting[2], str)
            or as_int(posting[3]) is None
        ):
            return "its content holds a posting that is not [id, account, currency, amount, after]"
        sums[posting[2]] += posting[3]
    off = {currency: total for currency, total in sums.items() if total}
    if off:
        shown = ", ".join(f"{total:+d} {currency}" for currency, total in sorted(off.items()))
        return f"its postings do not sum to zero ({shown})"
    return None
