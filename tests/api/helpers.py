"""Assertions shared by the API tests: problem documents, and refusals that change nothing."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from monnaie_locale.store import Database
from tests.support import snapshot


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    """The response is an RFC 9457 problem with this status and code; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["content-language"] in ("fr", "en")  # the detail's language
    body: dict[str, object] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["type"], str) and body["type"].endswith(code)
    assert body["title"] and body["detail"]
    return body


def refused(
    database: Database, status: int, code: str, call: Callable[[], httpx.Response]
) -> dict[str, object]:
    """Make the call, expect a problem, and check the ledger's stored state did not move."""
    before = snapshot(database)
    body = assert_problem(call(), status, code)
    assert snapshot(database) == before, "a refused request changed the ledger"
    return body
