"""The gate of the deployment tests: root, Debian's cluster tools and, for some, nginx.

Missing, the tests are skipped and say why, except under ``CI=true``, where a missing
tool fails them: CI must run them, never skip them silently. ``fresh_cluster`` gives a
test a started cluster of its own, dropped whatever the test did; clusters a killed run
left behind are dropped at the start of the next.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.deploy.clusters import Cluster, cluster, drop_leftovers, gate, missing_tools


@pytest.fixture(scope="session", autouse=True)
def no_leftovers() -> None:
    """Clusters left by a killed run would hold disk and ports until someone noticed."""
    if missing_tools() is None:
        drop_leftovers()


@pytest.fixture(autouse=True)
def cluster_tools() -> None:
    """Every test here makes clusters of its own."""
    gate(missing_tools())


@pytest.fixture
def nginx() -> None:
    """Request this in tests that also run nginx."""
    gate(missing_tools(nginx=True))


@pytest.fixture
def fresh_cluster() -> Iterator[Cluster]:
    with cluster() as made:
        yield made
