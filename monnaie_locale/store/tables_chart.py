"""The association's own rules of its chart of accounts, tried before the built-in chart.

One row per rule, keyed by its pattern and currency (``""``: any currency); see
:mod:`monnaie_locale.chart` and :mod:`monnaie_locale.exports.account_map`. The migration
``0013_chart_of_accounts`` creates the table.
"""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Column, DateTime, String, Table, false

from monnaie_locale.store.tables import metadata

__all__ = ["chart_rules"]

chart_rules = Table(
    "chart_rules",
    metadata,
    Column("pattern", String(120), primary_key=True),
    # "" for a rule of any currency: a primary key cannot hold NULL.
    Column("currency", String(10), primary_key=True, server_default=""),
    Column("number", String(20), nullable=False),
    Column("label", String(120), nullable=False),
    Column("auxiliary", Boolean, nullable=False, server_default=false()),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(120), nullable=False),
    CheckConstraint("length(number) >= 3", name="number"),
)
