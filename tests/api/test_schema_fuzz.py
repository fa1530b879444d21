"""Generated requests against the app's own OpenAPI document (schemathesis).

Every operation gets a bounded number of generated requests, valid and invalid, signed
in as the administrator, who passes every role check, so generated input reaches the
deepest code. None may get a server error, and every response must match the schema
the document declares for its status.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.app import create_app
from monnaie_locale.auth import Role
from monnaie_locale.config import Settings
from monnaie_locale.store import connect
from tests.api.conftest import World

# A few per operation, on both engines: `.ci/schemathesis` sends thousands more to the
# service as served (SQLite), with every check; here the point is PostgreSQL too.
EXAMPLES_PER_OPERATION = 10


# The document is read once from an app built on a placeholder database; each test then
# points that app at its own database (the ``world`` fixture, SQLite or PostgreSQL).
# (schemathesis' lazy fixture loader does not run under this pytest version.) Its jobs
# stay off: they would run on the placeholder, which has no tables.
_app = create_app(Settings(jobs_enabled=False), database=connect("sqlite://"))
schema = schemathesis.openapi.from_asgi("/openapi.json", _app)


def _serve(world: World) -> None:
    _app.state.database = world.database
    _app.state.clock = world.clock


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    # The same examples on every run, so a red build can be replayed; raise the count (or
    # drop this) locally to explore further.
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_generated_requests_get_no_server_error_and_match_the_schema(
    case: schemathesis.Case[Any], world: World
) -> None:
    _serve(world)
    case.call_and_validate(
        headers=world.auth(Role.ADMIN),
        checks=[not_a_server_error, response_schema_conformance],
    )
