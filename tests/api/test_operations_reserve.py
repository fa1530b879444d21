"""The reserve report through the API, as JSON and CSV, on both engines."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest

from monnaie_locale.auth import Role
from monnaie_locale.money import format_amount
from monnaie_locale.store import Database
from tests.api.helpers import assert_problem
from tests.api.operations_support import BONUS_BPS, Ops, make_ops
from tests.conftest import SteppingClock

CONVERTED = 20_000


@pytest.fixture
def ops(database: Database, clock: SteppingClock) -> Iterator[Ops]:
    made = make_ops(database, clock)
    books = next(made)
    books.converted("alice", format_amount(CONVERTED), key="fund-alice")
    yield books
    made.close()


def test_the_auditor_reads_circulation_and_reserve_as_decimal_strings(ops: Ops) -> None:
    issued = CONVERTED + CONVERTED * BONUS_BPS // 10_000

    response = ops.get(Role.AUDITOR, "/v1/reserve/report")

    assert response.status_code == 200, response.text
    report = response.json()
    assert report["unit"] == "MLC"
    assert report["circulation_total"] == format_amount(issued)
    assert report["reserve_total"] == format_amount(issued)
    assert report["coverage_percent"] is not None
    assert report["discrepancies"] == []


def test_the_csv_report_carries_the_same_totals(ops: Ops) -> None:
    report = ops.get(Role.ASSOCIATION_OPERATOR, "/v1/reserve/report").json()

    response = ops.get(Role.ASSOCIATION_OPERATOR, "/v1/reserve/report.csv")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["section", "item", "value"]
    values = {(section, item): value for section, item, value in rows[1:]}
    assert values[("reserve", "total EUR")] == report["reserve_total"]
    assert values[("circulation", "total MLC")] == report["circulation_total"]


def test_a_report_as_of_a_moment_before_the_conversion_shows_nothing_issued(ops: Ops) -> None:
    response = ops.get(Role.AUDITOR, "/v1/reserve/report", as_of="2026-01-01T00:00:00+00:00")

    assert response.status_code == 200, response.text
    assert response.json()["circulation_total"] == "0.00"


def test_a_moment_without_its_zone_is_refused(ops: Ops) -> None:
    response = ops.get(Role.AUDITOR, "/v1/reserve/report", as_of="2026-01-01T00:00:00")
    assert_problem(response, 422, "validation_failed")


def test_a_member_cannot_read_the_reserve_report(ops: Ops) -> None:
    assert_problem(ops.get(Role.MEMBER, "/v1/reserve/report.csv"), 403, "role_forbidden")
