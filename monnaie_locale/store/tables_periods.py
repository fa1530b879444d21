"""Closed accounting periods: once a period is closed, nothing can be dated inside it.

One row per closing, each closing the books up to and including ``closed_through`` (a
day). Closings only move forward: the books are closed through the latest row's day.
The table is append-only, like the ledger's, and the database itself refuses a
transaction whose operation date falls on or before the last closed day (the migration
``0016_periods`` creates the table and those triggers). The operation date of a
transaction lives on the ledger's ``transactions`` table (``operation_date``, NULL for
"the day it was recorded", see :mod:`monnaie_locale.periods`).
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Integer, String, Table, Text

from monnaie_locale.store.tables import Id, metadata

__all__ = ["closed_periods"]

closed_periods = Table(
    "closed_periods",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("closed_through", Date, nullable=False, unique=True),
    # The year-end closing of an exercice (results carried to 12x) or an interim one.
    Column("year_end", Integer, nullable=False, server_default="0"),
    Column("closed_at", DateTime(timezone=True), nullable=False),
    Column("closed_by", String(200), nullable=False),
    Column("note", Text, nullable=False, server_default=""),
)
