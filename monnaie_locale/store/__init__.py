"""Storage: SQLAlchemy tables, the database connection and its unit of work, migrations."""

from monnaie_locale.store.database import Database, connect
from monnaie_locale.store.migrate import migrate

__all__ = ["Database", "connect", "migrate"]
