"""Witnesses' cosignatures of checkpoints, as stored and served.

Not built yet: no checkpoint has a cosignature.
"""

from __future__ import annotations

from sqlalchemy import Connection

__all__ = ["lines_for"]


def lines_for(conn: Connection, checkpoint_id: int) -> list[str]:
    """The cosignature lines of checkpoint ``checkpoint_id``, each ending with a newline."""
    return []
