"""The association's bank accounts, and who matched which bank line to which transaction.

A deployment keeps its euros in a few bank accounts, each standing for one account of the
ledger: the guarantee fund's digital account (``reserve:digital``), the guarantee fund's
notes account (``reserve:notes``, where the offices' cash is paid in) and the operating
account (``association:operating``). ``bank_accounts`` names them, with their IBAN checked
when it is entered, so a statement is read against the account whose IBAN it carries and a
payout file is debited from the account the association configured.

``bank_line_transactions`` says which ledger transactions a bank line stands for: those its
automatic match booked, or the one a person chose. ``bank_line_changes`` keeps every match
and unmatch made by hand, with who and when; rows are only ever added to it.
Migration ``0015`` creates these tables and the bank columns of the statements' tables.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
)

from monnaie_locale.store.tables import Id, metadata

__all__ = ["bank_accounts", "bank_line_changes", "bank_line_transactions"]

Stamp = DateTime(timezone=True)

bank_accounts = Table(
    "bank_accounts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(60), nullable=False, unique=True),
    # One bank account per role: each stands for one ledger account, compared with it.
    Column("role", String(20), nullable=False, unique=True),
    Column("iban", String(34), nullable=False, unique=True),
    Column("bic", String(11)),
    Column("created_at", Stamp, nullable=False),
    Column("updated_at", Stamp, nullable=False),
    Column("updated_by", Text, nullable=False),
    CheckConstraint("role IN ('reserve_digital', 'reserve_notes', 'operating')", name="role"),
)

bank_line_transactions = Table(
    "bank_line_transactions",
    metadata,
    Column("bank_line_id", Id, ForeignKey("bank_lines.id"), primary_key=True),
    Column("transaction_id", Id, ForeignKey("transactions.id"), primary_key=True),
    Index("ix_bank_line_transactions_transaction_id", "transaction_id"),
)

bank_line_changes = Table(
    "bank_line_changes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("bank_line_id", Id, ForeignKey("bank_lines.id"), nullable=False),
    Column("action", String(10), nullable=False),
    Column("transaction_id", Id),
    Column("actor", Text, nullable=False),
    Column("changed_at", Stamp, nullable=False),
    CheckConstraint("action IN ('match', 'unmatch')", name="action"),
    Index("ix_bank_line_changes_bank_line_id", "bank_line_id"),
)
