"""The currency's public directory: the businesses' profiles and the exchange offices' places.

A business account may have one profile (what it sells, in which town, where), shown to
anyone while it is listed and the account active; an exchange office may have one place
(where it is, when it opens). Both are plain facts a holder or the association keeps up
to date, so, unlike the ledger's tables, their rows are updated in place. The migration
``0018_directory`` creates them.

``search_key`` holds the profile's shown name, category and town, lower case and without
accents (see :func:`monnaie_locale.directory.normalise`): a search for "epicerie" finds
"Épicerie" on SQLite as on PostgreSQL, with a plain ``LIKE``. ``town_key`` and
``category_key`` are the town and the category so written, for the filters.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, String, Table, Text, true

from monnaie_locale.store.tables import Id, metadata

__all__ = ["business_profiles", "office_places"]

Stamp = DateTime(timezone=True)

business_profiles = Table(
    "business_profiles",
    metadata,
    Column("account_id", Id, ForeignKey("accounts.id"), primary_key=True, autoincrement=False),
    Column("category", String(60), nullable=False),
    Column("town", String(80), nullable=False),
    Column("description", String(280)),
    Column("address", String(120)),
    Column("listed", Boolean, nullable=False, server_default=true()),
    Column("search_key", Text, nullable=False),
    Column("town_key", String(80), nullable=False),
    Column("category_key", String(60), nullable=False),
    Column("updated_at", Stamp, nullable=False),
    Column("updated_by", Text, nullable=False),
    Index("ix_business_profiles_town_key", "town_key"),
)

office_places = Table(
    "office_places",
    metadata,
    # The office's id, as the deployment names it (its till is office:<id>:till).
    Column("office", String(40), primary_key=True),
    # The name shown; NULL shows the office's id.
    Column("name", String(120)),
    Column("address", String(120), nullable=False),
    Column("town", String(80), nullable=False),
    # When it opens, as people write it: "lun.–ven. 9h–12h, 14h–18h ; sam. 9h–12h".
    Column("hours", String(200), nullable=False),
    Column("updated_at", Stamp, nullable=False),
    Column("updated_by", Text, nullable=False),
)
