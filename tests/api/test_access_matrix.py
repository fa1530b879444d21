"""Every route of the OpenAPI document, called by every role and by nobody.

The table below is the access policy, written out: ``x`` allowed, ``.`` refused, and
``public`` routes need no credential. A refused role must get 403 ``role_forbidden``;
no credential must get 401 on every non-public route; an allowed role must get past the
role check (its request may still be refused for what it asks, never for who it is).
A route added to the application without a row here fails the test.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from monnaie_locale.auth import Role, issue_token
from tests.api.conftest import USERS, World
from tests.support import snapshot

ROLE_COLUMNS = (
    Role.MEMBER,
    Role.MERCHANT_OWNER,
    Role.MERCHANT_CASHIER,
    Role.AUTHORITY_AGENT,
    Role.OFFICE_OPERATOR,
    Role.ASSOCIATION_OPERATOR,
    Role.AUDITOR,
    Role.ADMIN,
)

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
GET  /v1/accounts/{code}/profile                      .   x   .   .   .   x   .   x
PUT  /v1/accounts/{code}/profile                      .   x   .   .   .   x   .   x
PUT  /v1/offices/{office}/place                       .   .   .   .   .   x   .   x
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
PUBLIC = "public"


def _policy() -> dict[tuple[str, str], frozenset[Role] | str]:
    policy: dict[tuple[str, str], frozenset[Role] | str] = {}
    for line in MATRIX.strip().splitlines():
        method, path, *marks = line.split()
        if marks == [PUBLIC]:
            policy[(method, path)] = PUBLIC
        else:
            assert len(marks) == len(ROLE_COLUMNS), line
            policy[(method, path)] = frozenset(
                role for role, mark in zip(ROLE_COLUMNS, marks, strict=True) if mark == "x"
            )
    return policy


POLICY = _policy()


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


def test_every_route_answers_every_role_as_the_matrix_says(world: World) -> None:
    mismatches = []
    for method, path in _operations(world):
        allowed = POLICY[(method, path)]
        status, code = _call(world, method, path, None)
        if allowed == PUBLIC:
            if status in (401, 403):
                mismatches.append(f"{method} {path}: public route refused anonymous ({status})")
            continue
        if (status, code) != (401, "not_authenticated"):
            mismatches.append(f"{method} {path}: anonymous got {status} {code}")
        for role in Role:
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


REVERSAL = ("POST", "/v1/transactions/{transaction_id}/reversal")


@pytest.mark.parametrize("role", sorted(set(Role) - set(POLICY[REVERSAL])))
def test_a_role_refusal_changes_nothing(world: World, role: Role) -> None:
    before = snapshot(world.database)
    status, code = _call(world, *REVERSAL, _fresh_token(world, role))
    assert (status, code) == (403, "role_forbidden")
    assert snapshot(world.database) == before
