"""Tables of the currency operations, on the ledger's own ``metadata``.

The ledger's tables hold the money; these hold the life of each operation around it: a
conversion order waiting for its bank transfer, a reconversion request and its payout batch,
the note stocks by denomination, the till counts, the bank statements imported. Every row
that corresponds to money moved names the ledger transaction (or batch) that moved it, so
an auditor can go from one to the other. Migration ``0003`` creates exactly these tables.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from monnaie_locale.store import tables_bank  # noqa: F401  (the bank accounts referred to)
from monnaie_locale.store.tables import Id, metadata
from monnaie_locale.store.tables_rules import rule_changes

__all__ = [
    "account_categories",
    "bank_lines",
    "bank_statements",
    "conversions",
    "membership_fees",
    "note_stocks",
    "office_closings",
    "reconversion_batches",
    "reconversions",
    "till_deposits",
]

Stamp = DateTime(timezone=True)

# A reconversion fee category other than the account's kind (a reduced rate, say).
account_categories = Table(
    "account_categories",
    metadata,
    Column("account_id", Id, ForeignKey("accounts.id"), primary_key=True, autoincrement=False),
    Column("category", String(40), nullable=False),
)

# Euros -> units. A bank-transfer order waits as "pending" until the money is seen on the
# statement; card and cash conversions are credited at once.
conversions = Table(
    "conversions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("account_id", Id, ForeignKey("accounts.id"), nullable=False),
    Column("method", String(10), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("bonus", BigInteger, nullable=False, server_default="0"),
    # Widened to 12 and 'reversed', 'charged_back' admitted by migration 0014.
    Column("status", String(12), nullable=False),
    Column("reference", String(40), unique=True),
    Column("payment_reference", String(120), unique=True),
    Column("office", String(40)),
    Column("bank_reference", Text),
    Column("transaction_batch", String(120)),
    Column("created_at", Stamp, nullable=False),
    Column("settled_at", Stamp),
    # The rule change whose bonus applied (monnaie_locale.rules); NULL: the settings'.
    Column("bonus_rule", Id, ForeignKey(rule_changes.c.id)),
    CheckConstraint("method IN ('transfer', 'card', 'cash')", name="method"),
    CheckConstraint(
        "status IN ('pending', 'credited', 'cancelled', 'reversed', 'charged_back')",
        name="status",
    ),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint("bonus >= 0", name="bonus_not_negative"),
    Index("ix_conversions_status", "status"),
)

reconversion_batches = Table(
    "reconversion_batches",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("status", String(10), nullable=False),
    Column("total_payout", BigInteger, nullable=False),
    Column("message_id", String(35)),
    Column("validated_by", Text, nullable=False),
    Column("created_at", Stamp, nullable=False),
    Column("exported_at", Stamp),
    Column("paid_at", Stamp),
    CheckConstraint("status IN ('validated', 'exported', 'paid')", name="status"),
)

# Units -> euros. The units are held on the account from the request until the payout is
# seen (posted) or the request cancelled (voided).
reconversions = Table(
    "reconversions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("account_id", Id, ForeignKey("accounts.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("fee", BigInteger, nullable=False),
    Column("payout", BigInteger, nullable=False),
    Column("category", String(40), nullable=False),
    Column("creditor_name", Text, nullable=False),
    Column("iban", String(34), nullable=False),
    Column("bic", String(11)),
    Column("hold_id", Id, ForeignKey("holds.id"), nullable=False, unique=True),
    Column("status", String(10), nullable=False),
    Column("batch_id", Id, ForeignKey("reconversion_batches.id")),
    Column("bank_reference", Text),
    Column("transaction_batch", String(120)),
    Column("created_at", Stamp, nullable=False),
    Column("settled_at", Stamp),
    # The rule change whose fee applied (monnaie_locale.rules); NULL: the settings'.
    Column("fee_rule", Id, ForeignKey(rule_changes.c.id)),
    CheckConstraint("status IN ('requested', 'batched', 'paid', 'cancelled')", name="status"),
    CheckConstraint("fee >= 0 AND payout > 0 AND fee + payout = amount", name="split"),
    Index("ix_reconversions_status", "status"),
    Index("ix_reconversions_batch_id", "batch_id"),
)

# Paper notes by place and denomination. Places: "vault", "office:<id>", "circulation"
# and "lost" (missing from a stock, presumed circulating, backed by the association).
note_stocks = Table(
    "note_stocks",
    metadata,
    Column("location", String(60), primary_key=True),
    Column("denomination", BigInteger, primary_key=True, autoincrement=False),
    Column("count", BigInteger, nullable=False),
    CheckConstraint("count >= 0", name="count_not_negative"),
)

# Cash taken from a till to the bank: in transit until the bank shows it.
till_deposits = Table(
    "till_deposits",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("office", String(40), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("status", String(12), nullable=False),
    Column("bank_reference", Text),
    Column("created_at", Stamp, nullable=False),
    Column("received_at", Stamp),
    CheckConstraint("status IN ('in_transit', 'received')", name="status"),
    CheckConstraint("amount > 0", name="amount_positive"),
)

office_closings = Table(
    "office_closings",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("office", String(40), nullable=False),
    Column("expected", BigInteger, nullable=False),
    Column("counted", BigInteger, nullable=False),
    Column("difference", BigInteger, nullable=False),
    Column("transaction_batch", String(120)),
    Column("closed_at", Stamp, nullable=False),
    CheckConstraint("counted >= 0", name="counted_not_negative"),
    CheckConstraint("difference = counted - expected", name="difference"),
    Index("ix_office_closings_office_closed_at", "office", "closed_at"),
)

# A statement of one of the association's bank accounts (``bank_accounts``; NULL for those
# imported before there were several). ``file_hash`` is the SHA-256 of the file it came in.
bank_statements = Table(
    "bank_statements",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("statement_id", Text, nullable=False),
    Column("account_iban", String(34)),
    Column("closing_balance", BigInteger),
    Column("closing_date", Date),
    Column("imported_at", Stamp, nullable=False),
    # No foreign key: SQLite cannot add one to a table others refer to (migration 0015).
    Column("bank_account_id", Id),
    Column("file_hash", String(64)),
    Column("opening_balance", BigInteger),
    Column("opening_date", Date),
    Index("ix_bank_statements_bank_account_id_statement_id", "bank_account_id", "statement_id"),
)

# One row per bank line ever imported: its line id makes a second import of the same
# account skip it. The dates are the bank's: when it booked the line, and its value date.
bank_lines = Table(
    "bank_lines",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("statement_row_id", Id, ForeignKey("bank_statements.id"), nullable=False),
    Column("line_id", String(80), nullable=False),
    Column("booking_date", Date, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("remittance", Text, nullable=False, server_default=""),
    Column("bank_reference", Text),
    Column("end_to_end_id", Text),
    Column("matched_kind", String(20)),
    Column("matched_id", BigInteger),
    Column("note", Text, nullable=False, server_default=""),
    Column("bank_account_id", Id, ForeignKey("bank_accounts.id")),
    Column("value_date", Date),
    UniqueConstraint("bank_account_id", "line_id", name="uq_bank_lines_bank_account_id_line_id"),
)

# One row per membership fee paid: an account pays a period once.
membership_fees = Table(
    "membership_fees",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("account_id", Id, ForeignKey("accounts.id"), nullable=False),
    Column("period", String(7), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(10), nullable=False),
    Column("transaction_batch", String(120), nullable=False),
    Column("paid_at", Stamp, nullable=False),
    UniqueConstraint("account_id", "period", name="uq_membership_fees_account_id_period"),
    CheckConstraint("amount > 0", name="amount_positive"),
)
