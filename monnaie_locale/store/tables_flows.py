"""Tables of the association's other money flows, on the ledger's own ``metadata``.

* ``account_closures``: a holder account closed because its holder left or died, how its
  balance was settled (refunded to the holder or the heirs, or given to the association)
  and the ledger batch that moved it;
* ``note_write_offs``: a series of paper notes declared lost for good (stolen, destroyed by
  accident) and written off: the units destroyed, one row per series;
* ``conversion_reversals``: a conversion taken back (reversed, or charged back by the card
  network): the units taken back from the account, the part the association bore, the
  ledger batch.

Migration ``0014`` creates exactly these tables.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    String,
    Table,
    Text,
)

from monnaie_locale.store.tables import Id, metadata

__all__ = ["account_closures", "conversion_reversals", "note_write_offs"]

Stamp = DateTime(timezone=True)

account_closures = Table(
    "account_closures",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("account_id", Id, ForeignKey("accounts.id"), nullable=False, unique=True),
    Column("reason", String(10), nullable=False),
    Column("settlement", String(10), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("paid_to", Text, nullable=False, server_default=""),
    Column("transaction_batch", String(120)),
    Column("closed_at", Stamp, nullable=False),
    CheckConstraint("reason IN ('left', 'deceased')", name="reason"),
    CheckConstraint("settlement IN ('refund', 'donate')", name="settlement"),
    CheckConstraint("amount >= 0", name="amount_not_negative"),
)

note_write_offs = Table(
    "note_write_offs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("series", String(80), nullable=False, unique=True),
    Column("location", String(60), nullable=False),
    Column("reason", String(10), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("notes", Text, nullable=False),
    Column("transaction_batch", String(120), nullable=False),
    Column("written_off_at", Stamp, nullable=False),
    CheckConstraint("reason IN ('stolen', 'destroyed')", name="reason"),
    CheckConstraint("amount > 0", name="amount_positive"),
)

conversion_reversals = Table(
    "conversion_reversals",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("conversion_id", Id, ForeignKey("conversions.id"), nullable=False, unique=True),
    Column("kind", String(12), nullable=False),
    Column("taken_back", BigInteger, nullable=False),
    Column("borne", BigInteger, nullable=False),
    Column("transaction_batch", String(120), nullable=False),
    Column("reversed_at", Stamp, nullable=False),
    CheckConstraint("kind IN ('reversed', 'charged_back')", name="kind"),
    CheckConstraint("taken_back >= 0 AND borne >= 0", name="amounts_not_negative"),
)
