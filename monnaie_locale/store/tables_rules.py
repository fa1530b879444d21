"""The table of the currency's rules: every change of a rule, never updated or deleted.

A rule is named by its family and, for the families priced per account kind or category,
its target (``reconversion_fee`` of ``business``). A change records the rule's new value,
the day from which it applies, who changed it and when; the rules in force on a day are
the latest change of each rule dated on or before it (see :mod:`monnaie_locale.rules`).
Correcting a rule is a new change: the database refuses updates and deletions, so the
history read back is the one that applied. The migration ``0012_currency_rules`` creates
the table.

Values, by family:

* ``number``: basis points (``conversion_bonus``, ``reconversion_fee``) or minor units
  (``membership_fee``, ``max_balance``, ``max_conversion``); ``NULL`` removes a
  membership fee or a limit;
* ``flag``: ``members_may_reconvert``, ``authorities_may_reconvert``;
* ``period``: ``year`` or ``month``, with a membership fee.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Index,
    String,
    Table,
)

from monnaie_locale.store.tables import Id, metadata

Stamp = DateTime(timezone=True)

__all__ = ["RULE_FAMILIES", "rule_changes"]

RULE_FAMILIES = (
    "conversion_bonus",
    "reconversion_fee",
    "members_may_reconvert",
    "authorities_may_reconvert",
    "membership_fee",
    "max_balance",
    "max_conversion",
)

rule_changes = Table(
    "rule_changes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("family", String(40), nullable=False),
    # The kind or category the rule prices; '' for the rules of the whole currency.
    Column("target", String(40), nullable=False, server_default=""),
    Column("number", BigInteger),
    Column("flag", Boolean),
    Column("period", String(5)),
    Column("effective_from", Date, nullable=False),
    Column("changed_by", String(200), nullable=False),
    Column("changed_at", Stamp, nullable=False),
    CheckConstraint(
        "family IN (" + ", ".join(f"'{f}'" for f in RULE_FAMILIES) + ")", name="family"
    ),
    CheckConstraint("number IS NULL OR number >= 0", name="number_not_negative"),
    CheckConstraint("period IS NULL OR period IN ('year', 'month')", name="period"),
    Index("ix_rule_changes_family_target_effective_from", "family", "target", "effective_from"),
)
