"""Database URLs naming a primary and its standbys reach the driver as libpq expects them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from monnaie_locale.backup import postgres_commands
from monnaie_locale.checkout.notify import PostgresNotifier
from monnaie_locale.database_url import (
    CONNECT_TIMEOUT_SECONDS,
    engine_url,
    safe_url,
    sqlite_path,
)
from monnaie_locale.store.database import Database, connect

SERVERS = {"host": "10.0.0.1,10.0.0.2", "port": "5433,5434"}


def _driver_params(url: str) -> dict[str, object]:
    """What the engine built on ``url`` would hand psycopg's connect (no connection made)."""
    engine = create_engine(engine_url(url))
    try:
        _, params = engine.dialect.create_connect_args(engine.url)
    finally:
        engine.dispose()
    return {name: value for name, value in params.items() if name != "context"}


@pytest.mark.parametrize(
    "url",
    [
        # libpq's own spelling, as psql and pg_dump take it
        "postgresql://app@10.0.0.1:5433,10.0.0.2:5434/ledger?target_session_attrs=read-write",
        "postgres://app@10.0.0.1:5433,10.0.0.2:5434/ledger?target_session_attrs=read-write",
        # SQLAlchemy's two spellings
        "postgresql+psycopg://app@/ledger?host=10.0.0.1:5433&host=10.0.0.2:5434"
        "&target_session_attrs=read-write",
        "postgresql+psycopg://app@/ledger?host=10.0.0.1,10.0.0.2&port=5433,5434"
        "&target_session_attrs=read-write",
    ],
)
def test_every_spelling_of_several_servers_reaches_the_driver_alike(url: str) -> None:
    assert _driver_params(url) == {
        **SERVERS,
        "user": "app",
        "dbname": "ledger",
        "target_session_attrs": "read-write",
        "connect_timeout": str(CONNECT_TIMEOUT_SECONDS),
    }


def test_a_server_without_a_port_gets_the_default_one_and_ipv6_keeps_its_address() -> None:
    params = _driver_params("postgresql://app@[::1]:5433,db.example/ledger")
    assert params["host"] == "::1,db.example"
    assert params["port"] == "5433,"  # empty: libpq's default port


def test_a_password_with_reserved_characters_survives_the_translation() -> None:
    params = _driver_params("postgresql://app:p%40ss%2Fw@h1:5433,h2:5434/ledger")
    assert params["password"] == "p@ss/w"


def test_a_connect_timeout_given_is_kept_and_one_missing_is_added() -> None:
    assert _driver_params("postgresql://app@h1/ledger?connect_timeout=10")["connect_timeout"] == (
        "10"
    )
    single = _driver_params("postgresql://app@h1:5433/ledger")
    assert single["connect_timeout"] == str(CONNECT_TIMEOUT_SECONDS)
    assert (single["host"], single["port"]) == ("h1", 5433)


def test_other_urls_pass_unchanged() -> None:
    for url in ("sqlite:///var/x.db", "sqlite://", "mysql://u@h/db"):
        assert engine_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app@h1:port,h2/ledger",
        "postgresql://app@,h2/ledger",
        "postgresql://app@[::1,h2/db",
    ],
)
def test_a_misspelt_list_of_servers_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        engine_url(url)


def test_messages_and_paths_read_a_libpq_list_of_servers() -> None:
    url = "postgresql://app:secret@h1:5433,h2:5434/ledger"
    assert "secret" not in safe_url(url)
    assert "h1" in safe_url(url) and "5434" in safe_url(url)
    assert sqlite_path(url) is None


def test_the_checkout_listener_connects_to_the_servers_the_engine_does() -> None:
    database = connect("postgresql://app@h1:5433,h2:5434/ledger?target_session_attrs=read-write")
    try:
        conninfo = _conninfo_of(database)
    finally:
        database.dispose()
    parsed = dict(part.split("=", 1) for part in conninfo.split())
    assert parsed["host"] == "h1,h2"
    assert parsed["port"] == "5433,5434"
    assert parsed["target_session_attrs"] == "read-write"
    assert parsed["connect_timeout"] == str(CONNECT_TIMEOUT_SECONDS)


def _conninfo_of(database: Database) -> str:
    """The connection string PostgresNotifier.for_database would listen with."""
    seen: list[str] = []

    class Recording(PostgresNotifier):
        def __init__(self, conninfo: str, **_: float) -> None:
            seen.append(conninfo)

    Recording.for_database(database)
    return seen[0]


def test_pg_dump_gets_the_list_of_servers_and_never_the_password() -> None:
    commands = postgres_commands(
        "postgresql://app:secret@h1:5433,h2:5434/ledger?target_session_attrs=read-write",
        Path("books.dump"),
    )
    for command in (commands.backup, commands.restore):
        assert not any("secret" in part for part in command)
        [target] = [part.removeprefix("--dbname=") for part in command if "--dbname=" in part]
        parsed = make_url(target)
        assert parsed.query["host"] == "h1,h2" and parsed.query["port"] == "5433,5434"
        assert parsed.query["target_session_attrs"] == "read-write"


def test_make_url_alone_cannot_read_libpq_lists_which_is_why_they_are_translated() -> None:
    with pytest.raises(ValueError):
        make_url("postgresql://app@h1:5433,h2:5434/ledger")
