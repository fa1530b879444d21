"""Witnesses' cosignatures of checkpoints, as stored and served.

Each is kept as the signature line the witness sent, verified when it was received
(:func:`monnaie_locale.transparency.witnesses.accept_cosignature`). Served after the
service's own line, in the order they arrived, they make the checkpoint one signed note
that verifies with the service's key and each witness's.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from monnaie_locale.store.tables_transparency import cosignatures

__all__ = ["lines_for"]


def lines_for(conn: Connection, checkpoint_id: int) -> list[str]:
    """The cosignature lines of checkpoint ``checkpoint_id``, each ending with a newline."""
    rows = conn.execute(
        select(cosignatures.c.line)
        .where(cosignatures.c.checkpoint_id == checkpoint_id)
        .order_by(cosignatures.c.id)
    ).scalars()
    return list(rows)
