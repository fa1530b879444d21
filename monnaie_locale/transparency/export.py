"""The journal export: the file an outsider replays against the signed checkpoints.

``journal.jsonl`` is UTF-8, one JSON object per line. The first line is the header::

    {"format": "monnaie-locale-journal/1", "origin": "pay.example/eusko", "unit": "MLC",
     "exported_at": "2026-12-07T09:00:00.000000Z", "entries": 2,
     "accounts": [{"id": 1, "code": "issuance", "kind": "system", "currency": "MLC"}, ...]}

then one line per journal entry, in sequence order::

    {"seq": 1, "transaction_id": 7, "prev_hash": "<hex>", "hash": "<hex>",
     "sealed_at": "2026-12-07T08:59:58.123456Z", "content": "<canonical JSON text>"}

``content`` is the text the journal hashes (:func:`monnaie_locale.journal_content.entry_content`),
so ``hash == SHA-256(prev_hash + content)`` can be checked with nothing but the file, and
the entry hashes, as leaves, give the roots the checkpoints sign
(:mod:`monnaie_locale.verify.merkle`). ``content`` is null when the entry's transaction is
missing from the database: the file says what is there, and the check of that entry fails.
Instants are UTC, ``YYYY-MM-DDTHH:MM:SS.ffffffZ``. ``entries`` counts the entry lines.

The export reads one snapshot and writes as it reads, 2000 entries at a time: a journal of
a million entries costs the memory of a chunk.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import Connection, func, select

from monnaie_locale.clock import as_utc
from monnaie_locale.journal_content import entry_content
from monnaie_locale.journal_rows import postings_of
from monnaie_locale.store.tables import accounts, journal, transactions

__all__ = ["CHUNK", "FORMAT", "count_entries", "entry_line", "iso", "write_journal"]

FORMAT = "monnaie-locale-journal/1"
CHUNK = 2000


def iso(moment: datetime) -> str:
    """An instant as the export writes it: UTC, microseconds, a final ``Z``."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _accounts(conn: Connection) -> Iterator[dict[str, Any]]:
    after = 0
    while True:
        rows = conn.execute(
            select(accounts.c.id, accounts.c.code, accounts.c.kind, accounts.c.currency)
            .where(accounts.c.id > after)
            .order_by(accounts.c.id)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        for row in rows:
            yield {"id": row.id, "code": row.code, "kind": row.kind, "currency": row.currency}
        after = rows[-1].id


def _entries(conn: Connection, upto: int | None) -> Iterator[Sequence[Any]]:
    after = 0
    while True:
        query = select(journal).where(journal.c.seq > after).order_by(journal.c.seq).limit(CHUNK)
        if upto is not None:
            query = query.where(journal.c.seq <= upto)
        rows = conn.execute(query).all()
        if not rows:
            return
        yield rows
        after = rows[-1].seq


def entry_line(row: Any, header: Any, posting_rows: Sequence[Any]) -> dict[str, Any]:
    """One journal ``row`` as the export writes it (``header`` None: the transaction is gone)."""
    return {
        "seq": int(row.seq),
        "transaction_id": int(row.transaction_id),
        "prev_hash": row.prev_hash,
        "hash": row.hash,
        "sealed_at": iso(row.sealed_at),
        "content": None if header is None else entry_content(header, posting_rows),
    }


def _header(conn: Connection, out: TextIO, fields: dict[str, Any]) -> None:
    """The header line, its accounts streamed: the object is closed by hand."""
    opening = _dumps(fields)
    out.write(opening[:-1] + ',"accounts":[')
    for number, account in enumerate(_accounts(conn)):
        out.write(("," if number else "") + _dumps(account))
    out.write("]}\n")


def count_entries(conn: Connection, *, upto: int | None = None) -> int:
    """How many entries the journal holds (up to ``upto``, when given)."""
    counted = select(func.count()).select_from(journal)
    if upto is not None:
        counted = counted.where(journal.c.seq <= upto)
    return int(conn.execute(counted).scalar_one())


def write_journal(
    conn: Connection,
    out: TextIO,
    *,
    origin: str,
    unit: str,
    now: datetime,
    upto: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the journal (its entries up to ``upto``, when given) to ``out``; how many.

    ``conn`` should be one snapshot (``Database.reading``), so the header's count and
    accounts and the entries agree. ``progress`` hears the running count after each chunk.
    """
    count = count_entries(conn, upto=upto)
    fields = {
        "format": FORMAT,
        "origin": origin,
        "unit": unit,
        "exported_at": iso(now),
        "entries": count,
    }
    _header(conn, out, fields)
    written = 0
    for rows in _entries(conn, upto):
        ids = [int(row.transaction_id) for row in rows]
        headers = {
            h.id: h for h in conn.execute(select(transactions).where(transactions.c.id.in_(ids)))
        }
        grouped = postings_of(conn, ids)
        for row in rows:
            tid = int(row.transaction_id)
            out.write(_dumps(entry_line(row, headers.get(tid), grouped[tid])) + "\n")
        written += len(rows)
        if progress is not None:
            progress(written)
    return written
