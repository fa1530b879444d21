"""Set-up the checkout API tests share beyond the world: naming accounts by hand."""

from __future__ import annotations

from sqlalchemy import update

from monnaie_locale.store.tables import accounts
from tests.api.conftest import World

__all__ = ["name_account"]


def name_account(world: World, code: str, display_name: str | None) -> None:
    """Set a display name in the account table, as an administrator would."""
    world.database.write(
        lambda conn: conn.execute(
            update(accounts).where(accounts.c.code == code).values(display_name=display_name)
        )
    )
