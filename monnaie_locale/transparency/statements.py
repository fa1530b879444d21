"""The bank statements a checkpoint's reserve rests on.

Not built yet: :func:`attested` gives none.
"""

from __future__ import annotations

from sqlalchemy import Connection

from monnaie_locale.verify.checkpoint import Statement

__all__ = ["attested"]


def attested(conn: Connection) -> tuple[Statement, ...]:
    """The latest statement recorded in the journal for each reserve account."""
    return ()
