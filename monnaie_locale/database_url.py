"""What a database URL says, for whoever has to name or find the database it points to.

SQLAlchemy reads the URLs (its :func:`~sqlalchemy.engine.make_url`), so that every part of
the project understands a URL the way the connection will.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

__all__ = ["safe_url", "sqlite_path"]


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for another engine or an in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def safe_url(url: str) -> str:
    """The URL with its password masked, fit to print in a message."""
    return make_url(url).render_as_string(hide_password=True)
