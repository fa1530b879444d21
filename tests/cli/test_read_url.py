"""``mlc`` reads its exports from the standby of MLC_DATABASE_READ_URL as the service does,
but only for the database of MLC_DATABASE_URL: one named by ``--database`` reads alone."""

from __future__ import annotations

import pytest

from cli.context import DATABASE_ENV, READ_DATABASE_ENV, RunContext
from cli.messages import Messages

PRIMARY = "postgresql://postgres@127.0.0.1:5432/ledger"
STANDBY = "postgresql://postgres@127.0.0.1:5433/ledger"


@pytest.mark.parametrize(
    ("database_url", "has_standby"),
    [(PRIMARY, True), ("postgresql://postgres@127.0.0.1:5434/restored", False)],
)
def test_the_read_url_serves_the_database_it_is_a_standby_of(
    monkeypatch: pytest.MonkeyPatch, database_url: str, has_standby: bool
) -> None:
    monkeypatch.setenv(DATABASE_ENV, PRIMARY)
    monkeypatch.setenv(READ_DATABASE_ENV, STANDBY)
    run = RunContext(database_url=database_url, messages=Messages("en"))
    try:
        # Opening connects nowhere yet: engines connect on first use.
        replica = run.database().replica
        assert (replica is not None) is has_standby
        if replica is not None:
            assert replica.url.port == 5433
    finally:
        run.close()
