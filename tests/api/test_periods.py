"""Closing the books through the API, and operations dated around a closing, on both
engines. The server's clock reads 2 November 2026 (Paris)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from monnaie_locale.auth import Role
from monnaie_locale.deployment import office_till
from monnaie_locale.store import Database
from tests.api.operations_support import OFFICE, Ops, make_ops
from tests.conftest import SteppingClock

OPERATOR = Role.ASSOCIATION_OPERATOR


@pytest.fixture
def ops(database: Database, clock: SteppingClock) -> Iterator[Ops]:
    yield from make_ops(database, clock)


def cash(on: str) -> dict[str, str]:
    return {"office": OFFICE, "account": "alice", "amount": "20.00", "on": on}


def test_a_closed_october_refuses_operations_dated_in_it(ops: Ops) -> None:
    checklist = ops.get(Role.AUDITOR, "/v1/periods/checklist", through="2026-10-31")
    assert checklist.status_code == 200, checklist.text
    assert checklist.json()["passed"] is True
    assert [c["name"] for c in checklist.json()["checks"]] == [
        "journal",
        "coverage",
        "reconciliation",
    ]

    closed = ops.post(OPERATOR, "/v1/periods/close", {"through": "2026-10-31", "year_end": False})
    assert closed.status_code == 201, closed.text
    assert closed.json()["closed_through"] == "2026-10-31"

    ops.refused(409, "period_closed", OPERATOR, "/v1/conversions/cash", cash("2026-10-31"))
    ops.refused(
        422, "operation_date_in_future", OPERATOR, "/v1/conversions/cash", cash("2026-11-03")
    )
    till = ops.balance(office_till(OFFICE))
    done = ops.post(OPERATOR, "/v1/conversions/cash", cash("2026-11-01"), key="dated")
    assert done.status_code == 201, done.text
    assert ops.balance(office_till(OFFICE)) == till - 2000  # the till's cash reads negative

    listed = ops.get(Role.AUDITOR, "/v1/periods")
    assert [p["closed_through"] for p in listed.json()] == ["2026-10-31"]


def test_a_closing_again_or_of_today_is_refused(ops: Ops) -> None:
    assert ops.post(OPERATOR, "/v1/periods/close", {"through": "2026-10-31"}).status_code == 201
    ops.refused(409, "period_closed", OPERATOR, "/v1/periods/close", {"through": "2026-10-31"})
    ops.refused(422, "period_not_over", OPERATOR, "/v1/periods/close", {"through": "2026-11-02"})
    assert len(ops.get(OPERATOR, "/v1/periods").json()) == 1
