"""The API's small deployment (:mod:`tests.api.conftest`), for the published log's routes,
and ``mlc`` on the test database (:mod:`tests.cli.conftest`), for its commands.

The API's background jobs are off: the checkpoints the tests see are the ones they ask for.
"""

from __future__ import annotations

import pytest

from monnaie_locale.config import Settings
from tests.api.conftest import world  # noqa: F401 - the fixtures, found by their names
from tests.cli.conftest import mlc, url  # noqa: F401


@pytest.fixture
def settings() -> Settings:
    return Settings(max_body_bytes=4096, login_attempts_per_minute=1000, jobs_enabled=False)
