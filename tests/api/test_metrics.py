"""Prometheus metrics and structured logs: what they expose, and to whom."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from api.app import create_app
from api.logging import JsonFormatter
from api.request_id import RequestIdFilter
from monnaie_locale.auth import Role
from monnaie_locale.config import Settings
from tests.api.conftest import World

SECRET = "a-scraper-secret-of-some-length"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def loopback_client(world: World) -> TestClient:
    return TestClient(world.client.app, client=("127.0.0.1", 40000))


def pay(world: World, key: str, amount: str = "1.00") -> int:
    response: httpx.Response = world.client.post(
        "/v1/transfers",
        json={"payer": "alice", "payee": "bob", "amount": amount},
        headers={**world.auth(Role.MEMBER), "Idempotency-Key": key},
    )
    return response.status_code


def test_metrics_count_requests_by_route_template_and_payments(world: World) -> None:
    assert pay(world, "m1") == 201
    assert pay(world, "m2") == 201
    assert pay(world, "m3", amount="1000000") == 409
    world.client.get("/v1/transactions/1", headers=world.auth(Role.MEMBER))

    with loopback_client(world) as client:
        response = client.get("/metrics")

    assert response.status_code == 200
    found = samples(response.text)
    created = ("method", "POST"), ("route", "/v1/transfers"), ("status", "201")
    refused = ("method", "POST"), ("route", "/v1/transfers"), ("status", "409")
    read = ("method", "GET"), ("route", "/v1/transactions/{transaction_id}"), ("status", "200")
    assert found[("mlc_http_requests_total", created)] == 2
    assert found[("mlc_http_requests_total", refused)] == 1
    assert found[("mlc_http_requests_total", read)] == 1
    assert found[("mlc_payments_total", (("route", "/v1/transfers"),))] == 2
    latency = (("method", "POST"), ("route", "/v1/transfers"))
    assert found[("mlc_http_request_duration_seconds_count", latency)] == 3


def test_metrics_are_refused_away_from_loopback_without_the_secret(world: World) -> None:
    response = world.client.get("/metrics")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_metrics_are_served_away_from_loopback_with_the_secret(world: World) -> None:
    settings = Settings(metrics_secret=SecretStr(SECRET))
    app = create_app(settings, database=world.database, clock=world.clock)
    with TestClient(app) as client:
        wrong = client.get("/metrics", headers={"Authorization": "Bearer not-it"})
        right = client.get("/metrics", headers={"Authorization": f"Bearer {SECRET}"})

    assert wrong.status_code == 401
    assert right.status_code == 200
    assert "mlc_http_requests_total" in right.text


def test_metrics_are_not_in_the_openapi_document(world: World) -> None:
    assert "/metrics" not in world.client.get("/openapi.json").json()["paths"]


def test_an_unknown_path_is_counted_without_its_raw_path(world: World) -> None:
    world.client.get("/v1/no-such-thing/12345")

    with loopback_client(world) as client:
        text = client.get("/metrics").text

    assert "no-such-thing" not in text
    assert 'route="unmatched"' in text


def test_a_log_record_in_a_request_is_json_with_the_request_id(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="api.access")
    world.client.get("/healthz", headers={"X-Request-ID": "req-42"})

    # The service's handler stamped the record while the request was being served.
    [record] = [r for r in caplog.records if r.name == "api.access"]
    entry = json.loads(JsonFormatter().format(record))

    assert entry["request_id"] == "req-42"
    assert (entry["path"], entry["status"], entry["level"]) == ("/healthz", 200, "INFO")


def test_logging_is_configured_once_with_a_json_handler(world: World) -> None:
    create_app(Settings(), database=world.database, clock=world.clock)
    create_app(Settings(), database=world.database, clock=world.clock)

    handlers = [h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)]
    assert len(handlers) == 1
    assert any(isinstance(f, RequestIdFilter) for f in handlers[0].filters)
