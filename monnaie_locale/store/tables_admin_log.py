"""The log of administrative acts: who changed the currency's set-up, and when.

One row per administrative act done (a user created, an account frozen, a rule changed;
see :mod:`monnaie_locale.admin_log`), written in the act's own transaction, so an act
refused or rolled back leaves none. A row names its actor (their subject, name and role
at the time), the act, what it was done to and a short JSON summary of its arguments,
never a secret. The table is append-only: nothing in the service updates or deletes it.
The migration ``0020_admin_log`` creates it.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, String, Table, Text

from monnaie_locale.store.tables import Id, metadata

__all__ = ["admin_acts"]

admin_acts = Table(
    "admin_acts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("done_at", DateTime(timezone=True), nullable=False),
    # The actor's subject ("user:12"), and their name and role when they acted: a user
    # renamed or given another role later does not rewrite what they did.
    Column("actor", String(60), nullable=False),
    Column("actor_name", String(200), nullable=False),
    Column("role", String(40), nullable=False),
    # The act, as "module.function" ("users.create_user"), and what it was done to.
    Column("act", String(80), nullable=False),
    Column("target", String(200), nullable=False, server_default=""),
    Column("summary", Text, nullable=False, server_default="{}"),
    Index("ix_admin_acts_actor_name", "actor_name"),
    Index("ix_admin_acts_act", "act"),
)
