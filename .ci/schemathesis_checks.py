"""The project's own check for generated requests (loaded by .ci/schemathesis.toml).

A request the OpenAPI document allows may be refused for a business reason (funds, a
state, a rule of the deployment), never for its form: the document must be as strict
as the server. A refusal for form is a 400 (unreadable JSON, a missing header), a 413,
or a 422 whose problem code says the input's form was wrong.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis

# The problem codes of refusals for a request's form (api/problems.py).
FORM_CODES = frozenset({"validation_failed", "malformed_json", "invalid_data", "invalid_amount"})


@schemathesis.check
def schema_valid_request_refused_for_its_form(ctx: Any, response: Any, case: Any) -> None:
    """Fail when a request generated from the schema is refused for its form."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    status = response.status_code
    if status in (400, 413):
        raise AssertionError(f"a schema-valid request was refused with {status}")
    if status != 422:
        return
    try:
        code = json.loads(response.content).get("code")
    except (ValueError, AttributeError):
        code = None
    if code in FORM_CODES:
        raise AssertionError(
            f"a schema-valid request was refused for its form ({code}): the schema is "
            "looser than the server"
        )
