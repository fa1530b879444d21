"""Idempotency keys: a retried call returns the first result and moves nothing again.

The key row is the first thing a money-moving call writes. A concurrent duplicate
blocks on the key's unique index until the first call ends; if the first committed, the
duplicate finds its row and returns its result; if it rolled back, the duplicate goes on
as a first call. A key reused with a different request is refused: comparing a digest
of the request (its fingerprint) tells the two apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from monnaie_locale.errors import IdempotencyConflict, InvalidRequest
from monnaie_locale.ledger.fast_sql import FastCursor
from monnaie_locale.store.tables import idempotency_keys

__all__ = [
    "Claim",
    "claim_key",
    "claim_values",
    "claim_with_id",
    "claimed",
    "digest",
    "first_call",
    "record_result",
]

MAX_KEY_LENGTH = 200


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Claim:
    """The outcome of claiming a key: either ours now, or the reference of the first result."""

    fresh: bool
    result_ref: str


def claim_key(
    conn: Connection, key: str, *, fingerprint: str, now: datetime, result_ref: str = ""
) -> Claim:
    """Record ``key`` for the request with ``fingerprint`` and planned ``result_ref``.

    When the result's id is only known later, leave ``result_ref`` empty and call
    :func:`record_result` in the same transaction.

    Returns a fresh claim when the key is new; the first call's result reference when the
    key was used for the same request; raises :class:`IdempotencyConflict` otherwise.
    """
    _check_key(key)
    fingerprint_digest = digest(fingerprint)
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    inserted = conn.execute(
        dialect_insert(idempotency_keys)
        .values(key=key, fingerprint=fingerprint_digest, result_ref=result_ref, created_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(idempotency_keys.c.key)
    ).first()
    if inserted is not None:
        return Claim(fresh=True, result_ref=result_ref)
    return first_call(conn, key, fingerprint_digest)


def _check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidRequest(f"an idempotency key is 1 to {MAX_KEY_LENGTH} characters")


def first_call(conn: Connection, key: str, fingerprint_digest: str) -> Claim:
    """The claim of a key already recorded: its result, if the request is the same."""
    row = conn.execute(
        select(idempotency_keys.c.fingerprint, idempotency_keys.c.result_ref).where(
            idempotency_keys.c.key == key
        )
    ).one()
    if row.fingerprint != fingerprint_digest:
        raise IdempotencyConflict(key)
    return Claim(fresh=False, result_ref=row.result_ref)


def claim_with_id(
    cursor: FastCursor, key: str, *, fingerprint: str, now: datetime, kind: str
) -> tuple[Claim, int]:
    """:func:`claim_key` on the fast path, drawing the new transaction id with it.

    The result reference is ``"<kind>:<id>"``; the id comes from the sequence on
    PostgreSQL, as max + 1 on SQLite, inside the key's insert. The id returned with a
    claim that is not fresh is meaningless (0).
    """
    values = claim_values(cursor, key, fingerprint=fingerprint, now=now, kind=kind)
    inserted = cursor.run(cursor.sql.claim, values).fetchone()
    if inserted is None:
        return first_call(cursor.connection, key, str(values["fingerprint"])), 0
    return claimed(inserted)


def claim_values(
    cursor: FastCursor, key: str, *, fingerprint: str, now: datetime, kind: str
) -> dict[str, object]:
    """The values of the fast path's claim statement (``cursor.sql.claim``), the key checked.

    For a caller that sends the claim along with other statements: a row back is
    :func:`claimed`; none, and the key's first call (:func:`first_call`, under
    ``values["fingerprint"]``) says what became of it.
    """
    _check_key(key)
    return {
        "key": key,
        "fingerprint": digest(fingerprint),
        "prefix": f"{kind}:",
        "created_at": cursor.sql.stamp(now),
    }


def claimed(row: Sequence[object]) -> tuple[Claim, int]:
    """A fresh claim from the claim statement's row, and the transaction id it drew."""
    result_ref = str(row[0])
    return Claim(fresh=True, result_ref=result_ref), int(result_ref.partition(":")[2])


def record_result(conn: Connection, key: str, result_ref: str) -> None:
    """Attach the result of a fresh claim, once it is known."""
    conn.execute(
        update(idempotency_keys).where(idempotency_keys.c.key == key).values(result_ref=result_ref)
    )
