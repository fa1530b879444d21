"""What the journal hashes and marks, and the key the marks are made with.

The hash. Each journal entry holds ``SHA-256(prev_hash + canonical content)``, the
content being the transaction's header and postings: anyone can recompute the chain from
the rows, which is what lets an auditor check it, and also what lets anyone who can write
to the database extend it. So the service also marks what it writes:

* a queue row (PostgreSQL) carries ``HMAC(key, "queue:" + content)``, written by the
  posting statement itself; the sealer seals no row whose stored transaction does not
  give the same mark;
* a journal entry carries ``HMAC(key, "entry:<seq>:<hash>")``.

The key. HMAC-SHA256 keyed by the deployment's journal key, derived from
``MLC_SECRET_KEY`` under a label of its own, so the secret is never used twice for
different things. The database never holds it: someone who can only write to the
database cannot make a mark. Every process that writes to the books (the service, ``mlc``)
must run with the deployment's secret; marks made under another key are reported by
verification as not the service's, and so are earlier marks once the secret changes
(nothing here lets a retired key keep verifying). Without settings, a process uses the
development key, as it uses the development secret, which production refuses.

The key rides on the engine as an execution option (see ``Database.journal_key``), so the
posting path, which only holds a connection, finds it without every use case passing it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection

from monnaie_locale.clock import as_utc
from monnaie_locale.config import DEVELOPMENT_SECRET

__all__ = [
    "DEVELOPMENT_KEY",
    "GENESIS",
    "OPTION",
    "HeaderValues",
    "PostingValues",
    "entry_content",
    "entry_hash",
    "entry_mark",
    "key_from_secret",
    "key_of",
    "queue_mark",
    "queue_mark_of_rows",
    "same_mark",
]

GENESIS = "0" * 64
OPTION = "mlc_journal_key"
_LABEL = b"monnaie-locale journal marks v1"


class HeaderValues(NamedTuple):
    """A transaction header's hashed fields, as written (same names as its columns)."""

    id: int
    kind: str
    memo: str
    reference: str | None
    created_at: datetime
    reverses_id: int | None
    batch: str | None
    idempotency_key: str | None
    operation_date: date | None = None


class PostingValues(NamedTuple):
    """A posting's hashed fields, as written (same names as its columns)."""

    id: int
    account_id: int
    currency: str
    amount: int
    balance_after: int


def _header(header: Any) -> list[Any]:
    fields = [
        header.id,
        header.kind,
        header.memo,
        header.reference,
        as_utc(header.created_at).isoformat(),
        header.reverses_id,
        header.batch,
        header.idempotency_key,
    ]
    # An operation date is hashed when there is one: undated transactions, those written
    # before dates existed included, keep the content (and the hash) they always had.
    on = getattr(header, "operation_date", None)
    if on is not None:
        fields.append(_day(on))
    return fields


def _day(on: Any) -> str:
    """A day as ISO text, whether the driver handed back a date or its text."""
    return on.isoformat() if isinstance(on, date) else str(on)


def _canonical(content: list[Any]) -> str:
    return json.dumps(content, separators=(",", ":"), ensure_ascii=False)


def entry_content(header: Any, posting_rows: Sequence[Any]) -> str:
    """The canonical text of one transaction, as the journal hashes it.

    A JSON array: the header's fields in :class:`HeaderValues` order (the operation date
    only when there is one), then the postings as ``[id, account id, currency, amount,
    balance after]``. Journal exports carry it as is, so an outsider recomputes the hash.
    """
    postings = [[p.id, p.account_id, p.currency, p.amount, p.balance_after] for p in posting_rows]
    return _canonical([*_header(header), postings])


def entry_hash(prev_hash: str, header: Any, posting_rows: Sequence[Any]) -> str:
    """The chained hash of one transaction, from its rows (or the values just written)."""
    canonical = entry_content(header, posting_rows)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def key_from_secret(secret: str) -> bytes:
    """The journal's key for the deployment secret ``secret``."""
    return hmac.digest(secret.encode(), _LABEL, "sha256")


DEVELOPMENT_KEY = key_from_secret(DEVELOPMENT_SECRET)


def key_of(conn: Connection) -> bytes:
    """The journal key of the database ``conn`` belongs to."""
    key = conn.get_execution_options().get(OPTION)
    return key if isinstance(key, bytes) else DEVELOPMENT_KEY


def _mark(key: bytes, message: str) -> str:
    return hmac.digest(key, message.encode(), "sha256").hex()


def queue_mark(key: bytes, header: Any, legs: Iterable[tuple[int, str, int, int]]) -> str:
    """The mark of a transaction written with its queue row.

    ``legs`` are its postings as (account id, currency, amount, balance after), in any
    order. Posting ids are left out: the statement that writes the queue row draws them.
    """
    return _mark(key, "queue:" + _canonical([*_header(header), sorted(legs)]))


def queue_mark_of_rows(key: bytes, header: Any, posting_rows: Iterable[Any]) -> str:
    """:func:`queue_mark` from stored posting rows."""
    legs = ((p.account_id, p.currency, p.amount, p.balance_after) for p in posting_rows)
    return queue_mark(key, header, legs)


def entry_mark(key: bytes, seq: int, digest: str) -> str:
    """The mark of journal entry ``seq`` whose hash is ``digest``."""
    return _mark(key, f"entry:{seq}:{digest}")


def same_mark(stored: str | None, expected: str) -> bool:
    """Whether a stored mark is the expected one, compared in constant time.

    As bytes: a stored value is whatever was written, non-ASCII text included.
    """
    return stored is not None and hmac.compare_digest(stored.encode(), expected.encode())
