"""Arrays packed for PostgreSQL's binary format arrive as psycopg's own dumping sends them.

psycopg's list dumpers are the oracle: each array is sent both ways in one statement and
the server's two readings must be equal, for every type the posting path packs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monnaie_locale.store.binary_arrays import packed
from tests.conftest import _postgres_database

pytestmark = pytest.mark.postgres

ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=3))]
)
STAMPS = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=ZONES
)
VALUES = {
    "bigint": st.integers(min_value=-(2**63), max_value=2**63 - 1),
    "text": st.text(st.characters(codec="utf-8", exclude_characters="\x00")),
    "VARCHAR(64)": st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=64),
    "timestamptz": STAMPS,
    "TIMESTAMP WITH TIME ZONE": STAMPS,
    "DATE": st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)),
}


@pytest.fixture(scope="module")
def cursor() -> Iterator[Any]:
    """A cursor on a scratch PostgreSQL schema, for the whole module."""
    for database in _postgres_database():
        with database.engine.connect() as conn:
            yield conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]


def both_ways(cursor: Any, cast: str, values: list[Any]) -> tuple[Any, Any, Any]:
    sql = f"SELECT %(packed)b::{cast}[], %(listed)b::{cast}[]"
    parameters = packed(sql, {"packed": values, "listed": values})
    cursor.execute(sql, {"packed": parameters["packed"], "listed": values})
    as_packed, as_listed = cursor.fetchone()
    return parameters["packed"], as_packed, as_listed


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
@pytest.mark.parametrize("cast", list(VALUES))
def test_a_packed_array_reads_as_psycopg_s_own(cursor: Any, cast: str, data: st.DataObject) -> None:
    values = data.draw(st.lists(st.none() | VALUES[cast], max_size=12))
    sent, as_packed, as_listed = both_ways(cursor, cast, values)
    assert not isinstance(sent, list), "packed here, not left to psycopg"
    assert as_packed == as_listed
    assert len(as_packed) == len(values)


def test_a_naive_timestamp_is_left_to_psycopg_and_the_server_s_time_zone(cursor: Any) -> None:
    naive = [datetime(2026, 12, 7, 9, 30), None]
    sent, as_packed, as_listed = both_ways(cursor, "timestamptz", naive)
    assert sent == naive, "left as a list"
    assert as_packed == as_listed


def test_values_that_do_not_fit_their_cast_are_left_to_psycopg() -> None:
    sql = "SELECT %(numbers)b::bigint[], %(other)b::numeric[], %(scalar)s"
    parameters = packed(sql, {"numbers": ["not a number"], "other": [1], "scalar": 2})
    assert parameters == {"numbers": ["not a number"], "other": [1], "scalar": 2}
