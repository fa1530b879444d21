"""The journal: a gap-free, hash-chained sequence of every committed transaction.

Each entry ``seq`` holds ``hash = SHA-256(prev_hash + canonical content)``, where the
content is the transaction's header and postings (see
:mod:`monnaie_locale.journal_content`). Changing one byte of a stored transaction or
posting, removing one, or reordering them breaks the chain from there on.

Why seal after commit. Chaining inside each transfer would make every transfer wait for
the previous one's hash: a single global lock on the hot path, so on PostgreSQL
transfers on unrelated accounts would stop running in parallel. Instead a transfer only
appends its id to ``journal_queue`` (no shared row is touched), and :func:`seal` later
takes the queue in id order under a PostgreSQL advisory lock and numbers and chains the
entries. The numbering is gap-free because only the sealer assigns it, in one
transaction with the entries. A transaction is thus in the books at commit and in the
journal a moment later; :func:`verify` counts the ones still waiting, and checks that
each is really there.

SQLite has a single writer: the write lock is global already, so chaining costs no
parallelism there, and the posting engine (``monnaie_locale.ledger.posting``) seals each
transaction inside its own database transaction, saving the queue's row and a second
commit. The SQLite service never queues: a queue row there is a finding, not work.

Forgeries at the end. Anyone who can write to the database can also compute SHA-256: a
balanced transfer typed in SQL breaks no database rule, and a chain extended by the
published algorithm verifies. So the service marks what it writes with a key the
database never holds (see :mod:`monnaie_locale.journal_content`): the queue row of a
transfer carries the mark of its content, and :func:`seal` seals no row whose mark does
not match the stored transaction; each entry carries its own mark, so one appended in
SQL is reported by its sequence. ``journal_head`` records the last entry, moved by a
trigger with each entry added; :func:`verify` compares it with the journal's end, and
checks every balance against the sum of its postings, so removing the newest
transactions shows unless the remover also undoes their balance updates and rewinds the
head.

Entries sealed before marks existed carry none; the head's ``marked_from`` says where
marks begin, and once one entry carries a valid mark every later one must.

What verification cannot see without checkpoints signed and kept outside the database:
the newest transactions removed with their balance updates undone and the head rewound;
a forger who drops the database's triggers and erases every mark, so that the journal
looks as it did before marks existed; anything done by someone who holds the
deployment's secret as well as write access (the service's own host). Without dropping
a trigger, nothing can be added at the journal's end unseen. Publishing signed
checkpoints of the head is the full answer.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, delete, insert, text

from monnaie_locale.clock import Clock
from monnaie_locale.journal_content import (
    GENESIS,
    HeaderValues,
    PostingValues,
    entry_hash,
    entry_mark,
    key_of,
)
from monnaie_locale.journal_rows import Queued, examine, last_entry, queue_pages
from monnaie_locale.journal_verify import Discrepancy, Progress, Verification, verify
from monnaie_locale.ledger.fast_sql import FastCursor
from monnaie_locale.store.database import Database
from monnaie_locale.store.tables import journal, journal_queue

__all__ = [
    "GENESIS",
    "Discrepancy",
    "HeaderValues",
    "PostingValues",
    "Progress",
    "Verification",
    "entry_hash",
    "seal",
    "seal_queue",
    "verify",
]

log = logging.getLogger(__name__)

_SEALER_LOCK = 0x6D6C636A  # an arbitrary advisory-lock id for the sealer ("mlcj")
SEAL_CHUNK = 1000
_SKIPPED_LOG_EVERY = 60.0  # seconds between two warnings about skipped rows
_last_skipped_log: dict[str, float] = {}


def seal(conn: Connection, *, now: datetime, limit: int = SEAL_CHUNK, wait: bool = False) -> int:
    """Chain up to ``limit`` queued transactions into the journal; return how many.

    Only what the service queued is sealed: a row whose mark does not match its stored
    transaction (written in SQL, changed since, or queued under another key), or whose
    transaction is missing or sealed already, stays in the queue for :func:`verify` to
    report, and is logged. If another sealer holds the lock, waits for it when ``wait``
    is true, and otherwise returns 0 at once (the other sealer, or the next pass, takes
    these too).
    """
    if conn.dialect.name == "postgresql":
        # Keyed by schema too: ledgers in other schemas of one database seal on their own.
        lock = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
        got = conn.execute(
            text(f"SELECT {lock}(:k, hashtext(current_schema()))::text"), {"k": _SEALER_LOCK}
        ).scalar()
        if got == "false":
            return 0
    key = key_of(conn)
    taken: list[Queued] = []
    skipped: list[Queued] = []
    for page in queue_pages(conn, limit):
        for queued in examine(conn, key, page):
            (taken if queued.problem is None else skipped).append(queued)
        if len(taken) >= limit or len(page) < limit:
            break
    if skipped:
        _log_skipped(conn, skipped)
    taken = taken[:limit]
    if not taken:
        return 0
    seq, prev = last_entry(conn)
    entries = []
    for queued in taken:
        seq += 1
        digest = entry_hash(prev, queued.header, queued.postings)
        entries.append(
            {
                "seq": seq,
                "transaction_id": queued.transaction_id,
                "prev_hash": prev,
                "hash": digest,
                "sealed_at": now,
                "mac": entry_mark(key, seq, digest),
            }
        )
        prev = digest
    ids = [queued.transaction_id for queued in taken]
    if conn.dialect.name == "postgresql":
        _write_entries_postgres(conn, entries, ids)
    else:
        # One statement: the head's trigger moves it once, to the last entry.
        conn.execute(insert(journal).values(entries))
        conn.execute(delete(journal_queue).where(journal_queue.c.transaction_id.in_(ids)))
    return len(entries)


# The entries as one array per column: one statement whatever their number (the head's
# statement trigger moves it once, to the last entry), its text always the same, so the
# server prepares it once; a multi-row VALUES was compiled anew for each count of rows,
# which cost more than the hashing. Same for the queue rows' removal. The arrays go in
# binary, as the posting path's do (see monnaie_locale.ledger.fast_sql).
_INSERT_ENTRIES = (
    f"INSERT INTO {journal.name} (seq, transaction_id, prev_hash, hash, sealed_at, mac) "
    "SELECT * FROM unnest(%(seq)b::bigint[], %(transaction_id)b::bigint[], "
    "%(prev_hash)b::varchar[], %(hash)b::varchar[], %(sealed_at)b::timestamptz[], "
    "%(mac)b::varchar[])"
)
_DELETE_QUEUED = f"DELETE FROM {journal_queue.name} WHERE transaction_id = ANY(%(ids)b::bigint[])"


def _write_entries_postgres(
    conn: Connection, entries: list[dict[str, object]], ids: list[int]
) -> None:
    cursor = FastCursor(conn)
    try:
        columns = {name: [entry[name] for entry in entries] for name in entries[0]}
        cursor.run_sql(_INSERT_ENTRIES, columns)
        cursor.run_sql(_DELETE_QUEUED, {"ids": ids})
    finally:
        cursor.close()


def seal_queue(
    database: Database, *, clock: Clock, progress: Callable[[int], None] | None = None
) -> int:
    """Seal the whole queue, one chunk per write transaction; the number sealed.

    Waits for a sealer already at work rather than stopping short: what was committed
    before the call is chained when it returns. ``progress`` hears the running total.
    """
    sealed = 0
    while True:
        step = database.write(lambda conn: seal(conn, now=clock(), wait=True))
        sealed += step
        if step and progress is not None:
            progress(sealed)
        # Short of a full chunk, that pass read the queue to its end (after taking the
        # sealers' lock): no need for another transaction to find it empty.
        if step < SEAL_CHUNK:
            return sealed


def _log_skipped(conn: Connection, skipped: list[Queued]) -> None:
    # The sealer passes several times a second and the rows stay: say it once a minute.
    where = str(conn.engine.url)
    now = time.monotonic()
    if now - _last_skipped_log.get(where, -_SKIPPED_LOG_EVERY) < _SKIPPED_LOG_EVERY:
        return
    _last_skipped_log[where] = now
    log.warning(
        "the journal sealer skips %d queued rows the service did not queue; first: %s",
        len(skipped),
        skipped[0].problem,
    )
