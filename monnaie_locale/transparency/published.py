"""Checkpoints as the service serves them: the signed note with the witnesses' cosignatures.

A witness's cosignature is one more signature line of the same note
(c2sp.org/tlog-cosignature), so the served note is the service's note with the
cosignature lines appended after its own line: one valid signed note, which a client
verifies with the service's key alone or with the witnesses' too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from monnaie_locale.clock import as_utc
from monnaie_locale.store.tables_transparency import checkpoints as checkpoint_rows
from monnaie_locale.transparency import checkpoints, cosignatures
from monnaie_locale.transparency.checkpoints import StoredCheckpoint
from monnaie_locale.transparency.errors import NoCheckpoint

__all__ = ["MAX_LIMIT", "Listed", "Published", "by_id", "latest", "listed"]

MAX_LIMIT = 100


@dataclass(frozen=True)
class Published:
    """A checkpoint as served: what it says, and its note with every cosignature."""

    stored: StoredCheckpoint
    note: str
    cosignatures: int


@dataclass(frozen=True)
class Listed:
    """A line of the list of checkpoints."""

    id: int
    tree_size: int
    made_at: datetime
    cosignatures: int


def _published(conn: Connection, stored: StoredCheckpoint) -> Published:
    lines = cosignatures.lines_for(conn, stored.id)
    return Published(stored, stored.note + "".join(lines), len(lines))


def latest(conn: Connection) -> Published:
    """The newest checkpoint; :class:`NoCheckpoint` before the first."""
    stored = checkpoints.latest(conn)
    if stored is None:
        raise NoCheckpoint()
    return _published(conn, stored)


def by_id(conn: Connection, checkpoint_id: int) -> Published:
    stored = checkpoints.by_id(conn, checkpoint_id)
    if stored is None:
        raise NoCheckpoint(checkpoint_id)
    return _published(conn, stored)


def listed(conn: Connection, *, limit: int = 20, before_id: int | None = None) -> list[Listed]:
    """The checkpoints, newest first, ``limit`` at most (:data:`MAX_LIMIT`)."""
    query = select(
        checkpoint_rows.c.id, checkpoint_rows.c.tree_size, checkpoint_rows.c.made_at
    ).order_by(checkpoint_rows.c.id.desc())
    if before_id is not None:
        query = query.where(checkpoint_rows.c.id < before_id)
    rows = conn.execute(query.limit(max(1, min(limit, MAX_LIMIT)))).all()
    return [
        Listed(
            int(row.id),
            int(row.tree_size),
            as_utc(row.made_at),
            len(cosignatures.lines_for(conn, int(row.id))),
        )
        for row in rows
    ]
