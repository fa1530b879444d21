"""The gate of the deployment tests: root, Debian's cluster tools and, for some, nginx.

Missing, the tests are skipped and say why, except under ``CI=true``, where a missing
tool fails them: CI must run them, never skip them silently. ``fresh_cluster`` gives a
test a started cluster of its own, dropped whatever the test did.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.deploy.clusters import Cluster, cluster, missing_tools


def _gate(problem: str | None) -> None:
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"deployment test cannot run in CI: {problem}", pytrace=False)
    pytest.skip(problem)


@pytest.fixture(autouse=True)
def cluster_tools() -> None:
    """Every test here makes clusters of its own."""
    _gate(missing_tools())


@pytest.fixture
def nginx() -> None:
    """Request this in tests that also run nginx."""
    _gate(missing_tools(nginx=True))


@pytest.fixture
def fresh_cluster() -> Iterator[Cluster]:
    with cluster() as made:
        yield made
