"""The demonstration's set-up: never in production, never beside a real administrator,
and a refusal adds nothing (no account, no user, no key file); run again on its own
database, it changes nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, select

from monnaie_locale import demo
from monnaie_locale.acts.demo import set_up_demo
from monnaie_locale.auth import Role, create_user
from monnaie_locale.auth.errors import AdministratorExists
from monnaie_locale.clock import utc_now
from monnaie_locale.config import Settings
from monnaie_locale.store import Database
from monnaie_locale.store.tables_auth import users
from tests.support import refused, snapshot


def usernames(conn: Connection) -> list[str]:
    return list(conn.execute(select(users.c.username).order_by(users.c.username)).scalars())


def test_no_demonstration_in_production(database: Database, tmp_path: Path) -> None:
    production = Settings().model_copy(update={"environment": "production"})

    refused(
        database,
        demo.DemoInProduction,
        lambda: set_up_demo(database, production, key_folder=tmp_path),
    )

    assert database.read(usernames) == []
    assert not (tmp_path / demo.DEMO_KEY_FILE).exists()


def test_no_demonstration_beside_a_real_administrator(database: Database, tmp_path: Path) -> None:
    database.write(
        lambda conn: create_user(
            conn, "marie", password="not used here", role=Role.ADMIN, now=utc_now()
        )
    )

    refused(
        database,
        AdministratorExists,
        lambda: set_up_demo(database, Settings(), key_folder=tmp_path),
    )

    assert database.read(usernames) == ["marie"]
    assert not (tmp_path / demo.DEMO_KEY_FILE).exists()


def test_the_demonstration_is_set_up_once_and_again_changes_nothing(
    database: Database, tmp_path: Path
) -> None:
    served = set_up_demo(database, Settings(), key_folder=tmp_path)
    assert served.signing_key_file == (tmp_path / demo.DEMO_KEY_FILE).absolute()
    assert database.read(usernames) == sorted(user.username for user in demo.DEMO_USERS)
    before, key = snapshot(database), served.signing_key_file.read_bytes()

    again = set_up_demo(database, Settings(), key_folder=tmp_path)

    assert snapshot(database) == before
    assert again.signing_key_file is not None and again.signing_key_file.read_bytes() == key
