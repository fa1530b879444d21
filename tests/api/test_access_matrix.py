"""Every route of the OpenAPI document, called by every role and by nobody.

The table below is the access policy, written out: ``x`` allowed, ``.`` refused, and
``public`` routes need no credential. A refused role must get 403 ``role_forbidden``;
no credential must get 401 on every non-public route; an allowed role must get past the
role check (its request may still be refused for what it asks, never for who it is).
A route added to the application without a row here fails the test.

The routes the document leaves out (the pages, their assets, the documentation and the
document itself) have their own table, :data:`HIDDEN`, checked the same way: a page
anyone may open must be opened by anybody and every role alike, and must say so with
:data:`api.deps.Public`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

try:
    from fastapi.routing import iter_route_contexts
except ImportError:  # a FastAPI that keeps included routes flat in app.routes
    iter_route_contexts = None  # type: ignore[assignment]

from api.deps import Public
from api.web.rendering import PageRoute
from monnaie_locale.auth import Role, issue_token
from tests.api.conftest import USERS, World
from tests.support import PUBLIC, ROLE_COLUMNS, read_matrix, snapshot

#                                                    mem own csh aut off aso aud adm
MATRIX = """
GET  /healthz                                        public
GET  /readyz                                         public
POST /v1/auth/login                                  public
POST /v1/auth/logout                                  x   x   x   x   x   x   x   x
GET  /v1/me                                           x   x   x   x   x   x   x   x
GET  /v1/accounts                                     x   x   x   x   x   x   x   x
GET  /v1/accounts/{code}                              x   x   x   x   x   x   x   x
GET  /v1/accounts/{code}/statement                    x   x   x   x   x   x   x   x
POST /v1/transfers                                    x   x   .   x   x   x   .   x
GET  /v1/transactions/{transaction_id}                x   x   x   x   x   x   x   x
POST /v1/transactions/{transaction_id}/reversal       .   .   .   .   .   x   .   x
POST /v1/holds                                        x   x   .   x   x   x   .   x
GET  /v1/holds/{hold_id}                              x   x   x   x   x   x   x   x
POST /v1/holds/{hold_id}/post                         x   x   x   x   x   x   .   x
POST /v1/holds/{hold_id}/void                         x   x   x   x   x   x   .   x
POST /v1/api-keys                                     .   x   .   .   .   x   .   x
POST /v1/api-keys/{key_id}/revoke                     .   x   .   .   .   x   .   x
POST /v1/auth/password                                x   x   x   x   x   x   x   x
POST /v1/auth/passkeys/register/options               x   x   x   x   x   x   x   x
POST /v1/auth/passkeys/register                       x   x   x   x   x   x   x   x
GET  /v1/auth/passkeys                                x   x   x   x   x   x   x   x
DELETE /v1/auth/passkeys/{passkey_id}                 x   x   x   x   x   x   x   x
POST /v1/auth/passkeys/sign-in/options               public
POST /v1/auth/passkeys/sign-in                       public
POST /v1/accounts                                     .   .   .   .   .   x   .   x
POST /v1/accounts/{code}/freeze                       .   .   .   .   .   x   .   x
POST /v1/accounts/{code}/unfreeze                     .   .   .   .   .   x   .   x
POST /v1/accounts/{code}/close                        .   .   .   .   .   x   .   x
GET  /v1/users                                        .   .   .   .   .   .   .   x
POST /v1/users                                        .   .   .   .   .   .   .   x
GET  /v1/users/{username}                             .   .   .   .   .   .   .   x
POST /v1/users/{username}/accounts                    .   .   .   .   .   .   .   x
POST /v1/users/{username}/revoke-tokens               .   .   .   .   .   .   .   x
POST /v1/users/{username}/password                    .   .   .   .   .   .   .   x
POST /v1/users/{username}/disable                     .   .   .   .   .   .   .   x
POST /v1/users/{username}/enable                      .   .   .   .   .   .   .   x
POST /v1/users/{username}/unlock                      .   .   .   .   .   .   .   x
GET  /v1/audit/journal                                .   .   .   .   .   x   x   x
GET  /v1/audit/acts                                   .   .   .   .   .   x   x   x
GET  /v1/exports/fec                                  .   .   .   .   .   x   x   x
GET  /v1/exports/journal.ledger                       .   .   .   .   .   x   x   x
GET  /v1/checkout/keys                                public
POST /v1/checkout/requests                            .   x   x   .   .   .   .   .
POST /v1/checkout/static-codes                        .   x   .   .   .   .   .   .
GET  /v1/checkout/requests/{request_id}               .   x   x   .   .   .   .   .
GET  /v1/checkout/requests/{request_id}/qr.png        .   x   x   .   .   .   .   .
GET  /v1/checkout/requests/{request_id}/qr.svg        .   x   x   .   .   .   .   .
GET  /v1/checkout/requests/{request_id}/sheet.svg     .   x   x   .   .   .   .   .
POST /v1/checkout/requests/{request_id}/cancel        .   x   x   .   .   .   .   .
POST /v1/checkout/pay                                 x   x   .   x   x   x   .   x
GET  /v1/checkout/payments/{payment_id}               .   x   x   .   .   .   .   .
GET  /v1/checkout/payments                            x   x   x   x   x   x   x   x
GET  /v1/checkout/requests                            x   x   x   x   x   x   x   x
POST /v1/checkout/payments/{payment_id}/refunds       .   x   x   .   .   .   .   .
POST /v1/checkout/events/tickets                      .   x   x   .   .   .   .   .
GET  /v1/checkout/events                              .   x   x   .   .   .   .   .
POST /v1/checkout/webhooks                            .   x   .   .   .   .   .   .
GET  /v1/checkout/webhooks                            .   x   .   .   .   .   .   .
DELETE /v1/checkout/webhooks/{endpoint_id}            .   x   .   .   .   .   .   .
GET  /v1/checkout/webhooks/{endpoint_id}/deliveries .   x   .   .   .   .   .   .
GET  /v1/conversions/{conversion_id}                  x   x   x   x   x   x   x   x
POST /v1/conversions/orders                           x   x   .   x   .   x   .   x
POST /v1/conversions/orders/{reference}/credit        .   .   .   .   .   x   .   x
POST /v1/conversions/orders/{reference}/cancel        .   .   .   .   .   x   .   x
POST /v1/conversions/card                             .   .   .   .   x   x   .   x
POST /v1/conversions/cash                             .   .   .   .   x   x   .   x
POST /v1/reconversions                                x   x   .   x   .   x   .   x
GET  /v1/reconversions/{request_id}                   x   x   x   x   x   x   x   x
POST /v1/reconversions/{request_id}/cancel            x   x   .   x   .   x   .   x
POST /v1/reconversions/{request_id}/paid              .   .   .   .   .   x   .   x
POST /v1/payout-batches                               .   .   .   .   .   x   .   x
GET  /v1/payout-batches/{batch_id}                    .   .   .   .   .   x   x   x
POST /v1/payout-batches/{batch_id}/pain001            .   .   .   .   .   x   .   x
POST /v1/payout-batches/{batch_id}/paid               .   .   .   .   .   x   .   x
POST /v1/notes/print                                  .   .   .   .   .   x   .   x
POST /v1/notes/deliver                                .   .   .   .   .   x   .   x
POST /v1/notes/return                                 .   .   .   .   .   x   .   x
POST /v1/notes/sell                                   .   .   .   .   x   x   .   x
POST /v1/notes/deposit                                .   .   .   .   x   x   .   x
POST /v1/notes/destroy                                .   .   .   .   .   x   .   x
POST /v1/notes/lose                                   .   .   .   .   .   x   .   x
POST /v1/notes/find                                   .   .   .   .   .   x   .   x
POST /v1/offices/{office}/closings                    .   .   .   .   x   x   .   x
POST /v1/offices/{office}/bank-deposits               .   .   .   .   x   x   .   x
POST /v1/offices/{office}/close                       .   .   .   .   .   x   .   x
POST /v1/bank-deposits/{deposit_id}/received          .   .   .   .   .   x   .   x
POST /v1/membership/fees                              x   x   .   x   .   x   .   x
GET  /v1/membership/status                            .   .   .   .   .   x   x   x
POST /v1/books/bank-fees                              .   .   .   .   .   x   .   x
POST /v1/books/card-fees                              .   .   .   .   .   x   .   x
POST /v1/books/interest                               .   .   .   .   .   x   .   x
POST /v1/books/to-operating                           .   .   .   .   .   x   .   x
POST /v1/books/donations                              .   .   .   .   .   x   .   x
POST /v1/books/grants                                 .   .   .   .   .   x   .   x
POST /v1/books/unit-donations                         .   .   .   .   .   x   .   x
POST /v1/books/closures                               .   .   .   .   .   x   .   x
POST /v1/books/note-write-offs                        .   .   .   .   .   x   .   x
POST /v1/books/conversion-reversals                   .   .   .   .   .   x   .   x
GET  /v1/reserve/report                               .   .   .   .   .   x   x   x
GET  /v1/reserve/report.csv                           .   .   .   .   .   x   x   x
GET  /v1/transparency/liabilities/proof               x   x   .   x   .   x   x   x
GET  /v1/reserve/attestations                         .   .   .   .   .   x   x   x
GET  /v1/chart                                        .   .   .   .   .   x   x   x
PUT  /v1/chart/rules                                  .   .   .   .   .   x   .   x
DELETE /v1/chart/rules                                .   .   .   .   .   x   .   x
GET  /v1/reports/income-statement                     .   .   .   .   .   x   x   x
GET  /v1/reports/balance-sheet                        .   .   .   .   .   x   x   x
POST /v1/bank/statements                              .   .   .   .   .   x   .   x
GET  /v1/bank/accounts                                .   .   .   .   .   x   x   x
POST /v1/bank/accounts                                .   .   .   .   .   x   .   x
PATCH /v1/bank/accounts/{name}                        .   .   .   .   .   x   .   x
GET  /v1/bank/accounts/{name}/reconciliation          .   .   .   .   .   x   x   x
GET  /v1/bank/lines/{line}                            .   .   .   .   .   x   x   x
POST /v1/bank/lines/{line}/match                      .   .   .   .   .   x   .   x
POST /v1/bank/lines/{line}/unmatch                    .   .   .   .   .   x   .   x
POST /v1/accounts/import                              .   .   .   .   .   x   .   x
PATCH /v1/accounts/{code}                             .   .   .   .   .   x   .   x
POST /v1/exports/fec                                  .   .   .   .   .   x   x   x
POST /v1/regies/{code}/sales                          .   .   .   x   .   x   .   x
GET  /v1/regies/{code}/sales/{request_id}             .   .   .   x   .   x   x   x
GET  /v1/regies/{code}/quittances                     .   .   .   x   .   x   x   x
GET  /v1/regies/{code}/quittances/{year}/{number}     .   .   .   x   .   x   x   x
GET  /v1/regies/{code}/versement-due                  .   .   .   x   .   x   x   x
GET  /v1/regies/{code}/versements                     .   .   .   x   .   x   x   x
POST /v1/regies/{code}/versements                     .   .   .   x   .   x   .   x
GET  /v1/regies/{code}/versements/{versement_id}      .   .   .   x   .   x   x   x
GET  /v1/regies/{code}/versements/{versement_id}/etat.csv .   .   .   x   .   x   x   x
GET  /v1/regies/{code}/versements/{versement_id}/etat.pdf .   .   .   x   .   x   x   x
GET  /v1/rules                                        x   x   x   x   x   x   x   x
GET  /v1/rules/history                                .   .   .   .   .   x   x   x
POST /v1/rules                                        .   .   .   .   .   x   .   x
GET  /v1/periods                                      .   .   .   .   .   x   x   x
GET  /v1/periods/checklist                            .   .   .   .   .   x   x   x
POST /v1/periods/close                                .   .   .   .   .   x   .   x
GET  /v1/accounts/{code}/cashiers                     .   x   .   .   .   .   .   x
POST /v1/accounts/{code}/cashiers                     .   x   .   .   .   .   .   x
POST /v1/accounts/{code}/cashiers/{username}/disable  .   x   .   .   .   .   .   x
POST /v1/accounts/{code}/cashiers/{username}/enable   .   x   .   .   .   .   .   x
POST /v1/accounts/{code}/cashiers/{username}/password .   x   .   .   .   .   .   x
GET  /v1/accounts/{code}/takings                      .   x   x   .   .   x   x   x
GET  /v1/reconversions/quote                          x   x   .   x   .   x   .   x
GET  /v1/directory                                    public
GET  /v1/directory/offices                            public
GET  /v1/transparency/checkpoint                     public
GET  /.well-known/monnaie-locale/checkpoint          public
GET  /v1/transparency/checkpoints/{checkpoint_id}    public
GET  /v1/transparency/checkpoints                    public
POST /v1/transparency/checkpoints                     .   .   .   .   .   x   .   x
GET  /v1/transparency/keys                           public
GET  /v1/transparency/proof/consistency              public
GET  /v1/transparency/proof/inclusion                 x   x   .   .   .   x   x   x
GET  /v1/transparency/export                          .   .   .   .   .   x   x   x
GET  /v1/transparency/alarms                          .   .   .   .   .   x   x   x
POST /v1/transparency/alarms/{alarm_id}/acknowledge   .   .   .   .   .   x   .   x
GET  /v1/accounts/{code}/profile                      .   x   .   .   .   x   .   x
PUT  /v1/accounts/{code}/profile                      .   x   .   .   .   x   .   x
PUT  /v1/offices/{office}/place                       .   .   .   .   .   x   .   x
GET  /v1/regies/{code}/statements/{year}              .   .   .   x   .   x   x   x
GET  /v1/authorities/{code}/statements/{year}         .   .   .   x   .   x   x   x
GET  /v1/authorities                                  .   .   .   x   .   x   x   x
POST /v1/authorities                                  .   .   .   .   .   x   .   x
GET  /v1/authorities/{code}                           .   .   .   x   .   x   x   x
GET  /v1/authorities/{code}/conventions               .   .   .   x   .   x   x   x
POST /v1/authorities/{code}/conventions               .   .   .   .   .   x   .   x
POST /v1/authorities/{code}/regies                    .   .   .   .   .   x   .   x
GET  /v1/authorities/{code}/duties                    .   .   .   x   .   x   x   x
POST /v1/authorities/{code}/duties                    .   .   .   .   .   x   .   x
DELETE /v1/authorities/{code}/duties/{duty_id}        .   .   .   .   .   x   .   x
GET  /v1/regies                                       .   .   .   x   .   x   x   x
GET  /v1/regies/{code}                                .   .   .   x   .   x   x   x
GET  /v1/regies/{code}/tariffs                        .   .   .   x   .   x   x   x
POST /v1/regies/{code}/tariffs                        .   .   .   x   .   x   .   x
GET  /v1/authorities/{code}/mandates                  .   .   .   x   .   x   x   x
POST /v1/authorities/{code}/mandates                  .   .   .   x   .   .   .   .
GET  /v1/authorities/{code}/mandates/{mandate_id}     .   .   .   x   .   x   x   x
POST /v1/authorities/{code}/mandates/{mandate_id}/approval .   .   .   x   .   .   .   .
POST /v1/authorities/{code}/mandates/{mandate_id}/rejection .   .   .   x   .   .   .   .
GET  /v1/transparency/witnesses                      public
POST /v1/transparency/witnesses                       .   .   .   .   .   x   .   x
POST /v1/transparency/cosignatures                   public
POST /v1/transparency/forks                          public
"""

PATH_VALUES = {"code": "alice", "transaction_id": "1", "hold_id": "1", "key_id": "1"}
# The QR checkout's payments and webhook endpoints (none exist in the world).
PATH_VALUES |= {"payment_id": "1", "endpoint_id": "1"}
PATH_VALUES |= {"request_id": "1"}
# The currency operations' records and exchange office (none exist in the world).
PATH_VALUES |= {"conversion_id": "1", "reference": "MLC-ZZZZZZ", "batch_id": "1"}
PATH_VALUES |= {"deposit_id": "1", "office": "gare"}
# Users administration acts on bob, whom no role column signs in as.
PATH_VALUES |= {"username": "bob"}
# The association's bank accounts and statement lines (none exist in the world).
PATH_VALUES |= {"name": "reserve", "line": "1"}
# A local authority's mandates (no authority "alice" exists: the allowed roles get 404).
PATH_VALUES |= {"mandate_id": "1"}
# Passkeys (none registered in the world).
PATH_VALUES |= {"passkey_id": "1"}
# Local authorities' duties (none granted in the world).
PATH_VALUES |= {"duty_id": "1"}
PATH_VALUES |= {"year": "2026", "number": "1"}
# The published log's checkpoints and alarms (none made in the world).
PATH_VALUES |= {"checkpoint_id": "1", "alarm_id": "1"}

# The routes outside the OpenAPI document. "own": the route checks its caller its own way
# (metrics: the loopback interface, or the metrics secret; never a sign-in token).
HIDDEN = """
GET  /openapi.json                                   public
GET  /docs                                           public
GET  /docs/oauth2-redirect                           public
GET  /assets/swagger/{name}                          public
GET  /checkout                                       public
GET  /R/{token}                                      public
GET  /r/{token}                                      public
GET  /assets/checkout/{name}                         public
GET  /metrics                                        own
"""
OWN = "own"
# An existing thing behind each templated page, so the page answers 200.
HIDDEN_URLS = {
    "/assets/swagger/{name}": "/assets/swagger/swagger-ui.css",
    "/assets/checkout/{name}": "/assets/checkout/style.css",
}
# No code is valid in the world: the pay page answers with its refusal, in plain words.
REFUSING_PAGES = {"/R/{token}": "/R/NOT-A-CODE", "/r/{token}": "/r/NOT-A-CODE"}


POLICY = read_matrix(MATRIX)


def _hidden_policy() -> dict[tuple[str, str], str]:
    policy = {}
    for line in HIDDEN.strip().splitlines():
        method, path, mark = line.split()
        assert mark in (PUBLIC, OWN), line
        policy[(method, path)] = mark
    return policy


HIDDEN_POLICY = _hidden_policy()


def _hidden_routes(world: World) -> dict[tuple[str, str], Any]:
    """The application's routes left out of the OpenAPI document, by method and path.

    The web app's pages have their own matrix, with sessions (tests/web/test_page_access.py).
    """
    app: Any = world.client.app
    routes = iter_route_contexts(app.routes) if iter_route_contexts else app.routes
    return {
        (method, route.path): route
        for route in routes
        if not getattr(route, "include_in_schema", True)
        and not isinstance(getattr(route, "original_route", route), PageRoute)
        for method in sorted(set(route.methods or ()) - {"HEAD"})
    }


def _operations(world: World) -> list[tuple[str, str]]:
    paths = world.client.get("/openapi.json").json()["paths"]
    return sorted((method.upper(), path) for path, item in paths.items() for method in item)


def _url(path: str) -> str:
    for name, value in PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    return path


def _fresh_token(world: World, role: Role) -> str:
    # A fresh token per call: the logout row would otherwise revoke the role's token.
    user_id = world.user_ids[USERS[role][0]]
    return world.database.write(
        lambda conn: issue_token(conn, user_id, now=world.clock(), ttl=timedelta(hours=1)).token
    )


def _call(world: World, method: str, path: str, token: str | None) -> tuple[int, str | None]:
    headers = {"Idempotency-Key": "matrix"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    response = world.client.request(method, _url(path), headers=headers, json={})
    assert response.status_code < 500, f"{method} {path}: {response.text}"
    code = (
        response.json().get("code")
        if response.headers.get("content-type", "").startswith("application/problem+json")
        else None
    )
    return response.status_code, code


def test_the_matrix_names_every_route_of_the_openapi_document(world: World) -> None:
    assert set(_operations(world)) == set(POLICY)


def test_every_role_is_a_column_of_the_matrix() -> None:
    assert set(ROLE_COLUMNS) == set(Role)


def test_every_route_answers_nobody_as_the_matrix_says(world: World) -> None:
    mismatches = []
    for method, path in _operations(world):
        status, code = _call(world, method, path, None)
        if POLICY[(method, path)] == PUBLIC:
            if status in (401, 403):
                mismatches.append(f"{method} {path}: public route refused anonymous ({status})")
        elif (status, code) != (401, "not_authenticated"):
            mismatches.append(f"{method} {path}: anonymous got {status} {code}")
    assert mismatches == []


# One test per role, each in a world of its own: the roles run side by side, and what one
# role's allowed calls change cannot decide what another's calls meet. The routes are the
# matrix's rows, which the first test holds to the document's: each world would otherwise
# build the document again.
@pytest.mark.parametrize("role", list(Role))
def test_every_route_answers_every_role_as_the_matrix_says(world: World, role: Role) -> None:
    mismatches = []
    for (method, path), allowed in sorted(POLICY.items()):
        if allowed == PUBLIC:
            continue
        token = _fresh_token(world, role)
        before = None if role in allowed else snapshot(world.database)
        status, code = _call(world, method, path, token)
        refused_by_role = (status, code) == (403, "role_forbidden")
        if role in allowed and (refused_by_role or status == 401):
            mismatches.append(f"{method} {path}: {role} refused ({status} {code})")
        if role not in allowed and not refused_by_role:
            mismatches.append(f"{method} {path}: {role} let through ({status} {code})")
        if before is not None and snapshot(world.database) != before:
            mismatches.append(f"{method} {path}: {role} refused, but the books moved")
    assert mismatches == []


def test_the_hidden_table_names_every_route_the_document_leaves_out(world: World) -> None:
    assert set(_hidden_routes(world)) == set(HIDDEN_POLICY)


def test_every_hidden_public_route_says_so_and_answers_everyone(world: World) -> None:
    mismatches = []
    for (method, path), route in _hidden_routes(world).items():
        if HIDDEN_POLICY[(method, path)] != PUBLIC:
            continue
        # FastAPI's own /openapi.json has no dependencies to declare; our routes do.
        dependant = getattr(route, "dependant", None)
        if dependant is not None and Public.dependency not in {
            dependency.call for dependency in dependant.dependencies
        }:
            mismatches.append(f"{method} {path}: not marked Public")
        url = HIDDEN_URLS.get(path) or REFUSING_PAGES.get(path) or path
        for role in (None, *Role):
            token = None if role is None else _fresh_token(world, role)
            status, code = _call(world, method, url, token)
            if path in REFUSING_PAGES:
                if status != 422:
                    mismatches.append(f"{method} {url}: {role} got {status} {code}")
            elif status != 200:
                mismatches.append(f"{method} {url}: {role} got {status} {code}")
    assert mismatches == []


def test_metrics_take_no_sign_in_token_from_another_host(world: World) -> None:
    assert HIDDEN_POLICY[("GET", "/metrics")] == OWN
    for role in (None, *Role):
        token = None if role is None else _fresh_token(world, role)
        assert _call(world, "GET", "/metrics", token) == (401, "not_authenticated"), role


REVERSAL = ("POST", "/v1/transactions/{transaction_id}/reversal")


@pytest.mark.parametrize("role", sorted(set(Role) - set(POLICY[REVERSAL])))
def test_a_role_refusal_changes_nothing(world: World, role: Role) -> None:
    before = snapshot(world.database)
    status, code = _call(world, *REVERSAL, _fresh_token(world, role))
    assert (status, code) == (403, "role_forbidden")
    assert snapshot(world.database) == before
