"""Request ids: echoed or made, carried by problems and by log records."""

from __future__ import annotations

import logging

import pytest

from api.request_id import RequestIdFilter
from monnaie_locale.auth import Role
from tests.api.conftest import World


def test_a_request_without_an_id_gets_a_fresh_one(world: World) -> None:
    first = world.client.get("/healthz").headers["X-Request-ID"]
    second = world.client.get("/healthz").headers["X-Request-ID"]
    assert first and second and first != second


def test_a_sane_id_from_the_client_is_kept(world: World) -> None:
    response = world.client.get("/healthz", headers={"X-Request-ID": "proxy-42.a"})
    assert response.headers["X-Request-ID"] == "proxy-42.a"


@pytest.mark.parametrize("given", ["", "has space", "x" * 65, "<script>"])
def test_an_unusable_id_is_replaced(world: World, given: str) -> None:
    response = world.client.get("/healthz", headers={"X-Request-ID": given})
    assert response.headers["X-Request-ID"] not in ("", given)


def test_a_problem_carries_the_request_id(world: World) -> None:
    response = world.client.get("/v1/accounts/bakery", headers=world.auth(Role.MEMBER))
    assert response.json()["request_id"] == response.headers["X-Request-ID"]


def test_log_records_written_during_a_request_carry_its_id(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="monnaie_locale.auth"):
        response = world.client.post(
            "/v1/auth/login", json={"username": "alice", "password": "wrong password!"}
        )
    ids = {getattr(record, "request_id", None) for record in caplog.records}
    assert ids == {response.headers["X-Request-ID"]}


def test_records_outside_a_request_are_marked_as_such() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "message", None, None)
    assert RequestIdFilter().filter(record)
    assert record.request_id == "-"  # type: ignore[attr-defined]
