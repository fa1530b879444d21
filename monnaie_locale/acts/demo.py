"""The demonstration deployment, set up on request: an act of set-up, with no actor.

``mlc serve --demo`` runs it before serving; what the demonstration holds is
:mod:`monnaie_locale.demo`'s to say. Its users sign in with passwords printed for anyone
to read, an administrator among them, so it is only ever added where no real person can
be reached through them.

==================  ======================================================================
Act                 Who may do it
==================  ======================================================================
set_up_demo         whoever runs the service, without an actor (as :func:`~monnaie_locale.
                    acts.users.set_up`): never in production; only on a database with no
                    administrator but the demonstration's own, so a deployment of real
                    people never gains an administrator with a published password. On
                    the demonstration's own database it changes nothing.
==================  ======================================================================
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, select

from monnaie_locale import demo
from monnaie_locale.auth.errors import AdministratorExists
from monnaie_locale.auth.roles import Role
from monnaie_locale.clock import Clock, utc_now
from monnaie_locale.config import Settings
from monnaie_locale.store.database import Database
from monnaie_locale.store.tables_auth import users

__all__ = ["set_up_demo"]


def set_up_demo(
    database: Database, settings: Settings, *, key_folder: Path, clock: Clock = utc_now
) -> Settings:
    """Create (or complete) the demonstration deployment in one commit; the settings it
    is served with: ``settings`` with the demonstration's office and reserve, signing with
    its key, made in ``key_folder`` on first use.

    Refused, changing nothing, with :class:`~monnaie_locale.demo.DemoInProduction` in
    production and with :class:`AdministratorExists` where another administrator exists.
    """
    if settings.is_production:
        raise demo.DemoInProduction()
    served = demo.demo_settings(settings)

    def work(conn: Connection) -> None:
        other_administrator = conn.execute(
            select(users.c.id)
            .where(users.c.role == str(Role.ADMIN), users.c.username != demo.DEMO_ADMIN)
            .limit(1)
        ).first()
        if other_administrator is not None:
            raise AdministratorExists()
        demo.seed_demo(conn, served, clock=clock)

    database.write(work)
    return demo.with_demo_signing_key(served, key_folder)
