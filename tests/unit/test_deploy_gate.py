"""The gate of the deployment tests (tests/deploy): a missing tool skips them, and says
why, except under CI=true, where it fails them."""

from __future__ import annotations

import pytest

from tests.deploy.clusters import gate


def test_a_missing_tool_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="needs nginx"):
        gate("needs nginx")


def test_a_missing_tool_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run in CI: needs nginx"):
        gate("needs nginx")


def test_nothing_missing_lets_the_test_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    gate(None)
