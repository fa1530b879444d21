"""The bank statements a checkpoint's reserve rests on.

Each statement of a reserve bank account is recorded in the journal when it is imported
(:mod:`monnaie_locale.operations.reserve_statements`). A checkpoint carries, for each
reserve account, the latest one the checkpoint's tree holds: by closing day, then by the
order the journal recorded them. Only records already in the tree are taken, so each
statement line points at an entry whose inclusion the same checkpoint proves.
"""

from __future__ import annotations

from sqlalchemy import Connection

from monnaie_locale.operations.reserve_statements import latest_per_account, recorded
from monnaie_locale.transparency import tree
from monnaie_locale.verify.checkpoint import Statement

__all__ = ["attested"]


def attested(conn: Connection, *, size: int | None = None) -> tuple[Statement, ...]:
    """The latest statement recorded in the journal for each reserve account, among the
    first ``size`` journal entries (by default, those the tree holds now)."""
    if size is None:
        size = tree.head(conn).size
    return latest_per_account(recorded(conn, up_to=size))
