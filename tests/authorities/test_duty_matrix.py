"""Every route of the local authorities, called by each of a town's people: the duty matrix.

:mod:`tests.api.test_access_matrix` says which *roles* reach a route; here every caller
has the role authority_agent, and what lets them through is a *duty* at Bayonne
(:func:`tests.authorities.town.set_up_town`): the columns are Bayonne's régisseur and
mandataire (at the pool's régie), its finance officer, ordonnateur and public accountant
(town-wide), an agent with no duty anywhere, and one with duties at another town
(Biarritz's régisseur and finance officer, :mod:`tests.authorities.outsiders`).

``x``: the caller gets past the duty check (the request may still be refused for what it
asks, never 401 nor 403 ``not_your_regie`` or ``role_forbidden``). ``.``: 403
``not_your_regie`` or ``role_forbidden``, and every row of the database as it was.

Every route under ``/v1/authorities`` and ``/v1/regies`` needs a row: one without fails
the test. To add a route: add its row to :data:`DUTY_MATRIX`; if it has a body, a body a
caller marked ``x`` could send in :data:`BODIES` (a body refused by validation answers
422 before the duty is checked, which would hide a ``.``); a path parameter other than
``{code}`` in :data:`PATH_VALUES` (a record that exists in the town, or else the act must
check the duty before looking the record up).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

try:
    from fastapi.routing import iter_route_contexts
except ImportError:  # a FastAPI that keeps included routes flat in app.routes
    iter_route_contexts = None  # type: ignore[assignment]

from api.app import create_app
from monnaie_locale.auth import issue_token
from monnaie_locale.config import Settings
from monnaie_locale.store import Database
from tests.authorities.outsiders import ELSEWHERE, NO_DUTY, set_up_outsiders
from tests.authorities.town import POOL, TOWN, set_up_town
from tests.conftest import SteppingClock
from tests.engine import Engine
from tests.support import every_row

# The columns: Bayonne's people, then an agent with no duty, then Biarritz's.
COLUMNS = ("regisseur", "mandataire", "finances", "ordonnateur", "comptable", NO_DUTY, ELSEWHERE)
PREFIXES = ("/v1/authorities", "/v1/regies")

#                                                   reg man fin ord cpt out oth
DUTY_MATRIX = """
GET    /v1/authorities                               x   x   x   x   x   x   x
POST   /v1/authorities                               .   .   .   .   .   .   .
GET    /v1/authorities/{code}                        x   x   x   x   x   .   .
GET    /v1/authorities/{code}/conventions            x   x   x   x   x   .   .
POST   /v1/authorities/{code}/conventions            .   .   .   .   .   .   .
POST   /v1/authorities/{code}/regies                 .   .   .   .   .   .   .
GET    /v1/authorities/{code}/duties                 x   x   x   x   x   .   .
POST   /v1/authorities/{code}/duties                 .   .   .   .   .   .   .
DELETE /v1/authorities/{code}/duties/{duty_id}       .   .   .   .   .   .   .
GET    /v1/regies                                    x   x   x   x   x   x   x
GET    /v1/regies/{code}                             x   x   x   x   x   .   .
GET    /v1/regies/{code}/tariffs                     x   x   x   .   x   .   .
POST   /v1/regies/{code}/tariffs                     x   .   .   .   .   .   .
GET    /v1/regies/{code}/statements/{year}           x   .   x   .   x   .   .
GET    /v1/authorities/{code}/statements/{year}      .   .   x   .   x   .   .
POST   /v1/regies/{code}/sales                       x   x   .   .   .   .   .
GET    /v1/regies/{code}/sales/{request_id}          x   x   .   .   .   .   .
GET    /v1/regies/{code}/quittances                  x   x   x   .   x   .   .
GET    /v1/regies/{code}/quittances/{year}/{number}  x   x   x   .   x   .   .
GET    /v1/regies/{code}/versement-due               x   x   x   .   x   .   .
GET    /v1/regies/{code}/versements                  x   x   x   .   x   .   .
POST   /v1/regies/{code}/versements                  x   .   .   .   .   .   .
GET    /v1/regies/{code}/versements/{versement_id}   x   x   x   .   x   .   .
GET    /v1/regies/{code}/versements/{versement_id}/etat.csv x x x .   x   .   .
GET    /v1/regies/{code}/versements/{versement_id}/etat.pdf x x x .   x   .   .
GET    /v1/authorities/{code}/mandates               .   .   x   x   x   .   .
POST   /v1/authorities/{code}/mandates               .   .   .   x   .   .   .
GET    /v1/authorities/{code}/mandates/{mandate_id}  .   .   x   x   x   .   .
POST   /v1/authorities/{code}/mandates/{mandate_id}/approval .  . . . x   .   .
POST   /v1/authorities/{code}/mandates/{mandate_id}/rejection . . . . x   .   .
"""

# What each route's path parameters name: Bayonne and its pool, records of the town.
PATH_VALUES = {
    "duty_id": "1",
    "year": "2026",
    "number": "1",
    "request_id": "00112233445566ff",
    "versement_id": "1",
    "mandate_id": "1",
}
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/v1/authorities"): {
        "code": "anglet",
        "name": "Ville d'Anglet",
        "kind": "commune",
        "treasury_name": "Trésorerie",
        "treasury_iban": "FR7630001007941234567890185",
    },
    ("POST", "/v1/authorities/{code}/conventions"): {
        "effective_from": "2026-09-01",
        "reconversion_fee": "0",
        "payin_days": 30,
    },
    ("POST", "/v1/authorities/{code}/regies"): {
        "code": "bayonne-musee",
        "name": "Musée",
        "cash_cap": "100.00",
    },
    ("POST", "/v1/authorities/{code}/duties"): {"username": NO_DUTY, "duty": "finance"},
    ("POST", "/v1/regies/{code}/tariffs"): {"label": "Aquagym", "amount": "8.00"},
    ("POST", "/v1/regies/{code}/sales"): {"amount": "1.00", "object": "Entrée"},
    ("POST", "/v1/authorities/{code}/mandates"): {
        "payee": "authority:regie-piscine-bayonne",
        "amount": "10",
        "exercice": 2026,
        "bordereau": "B-1",
        "number": "2",
        "chapitre": "65",
        "article": "6574",
        "fonction": "40",
        "object": "Subvention",
    },
    ("POST", "/v1/authorities/{code}/mandates/{mandate_id}/rejection"): {"reason": "late"},
}
REFUSALS = {"not_your_regie", "role_forbidden"}


def _read(text: str) -> dict[tuple[str, str], frozenset[str]]:
    policy = {}
    for line in text.strip().splitlines():
        method, path, *marks = line.split()
        assert len(marks) == len(COLUMNS), line
        policy[(method, path)] = frozenset(
            who for who, mark in zip(COLUMNS, marks, strict=True) if mark == "x"
        )
    return policy


POLICY = _read(DUTY_MATRIX)


@dataclass
class Town:
    database: Database
    client: TestClient
    tokens: dict[str, str]

    def call(self, method: str, path: str, who: str) -> tuple[int, str | None]:
        code = TOWN if path.startswith("/v1/authorities") else POOL
        url = path.replace("{code}", code)
        for name, value in PATH_VALUES.items():
            url = url.replace("{" + name + "}", value)
        response = self.client.request(
            method,
            url,
            json=BODIES.get((method, path)),
            headers={"Authorization": f"Bearer {self.tokens[who]}", "Idempotency-Key": "duty"},
        )
        assert response.status_code < 500, f"{method} {path}: {response.text}"
        problem = response.headers.get("content-type", "").startswith("application/problem")
        return response.status_code, response.json().get("code") if problem else None


@pytest.fixture
def town(ledger: Engine, database: Database, clock: SteppingClock) -> Iterator[Town]:
    people = set_up_town(database, clock).user_ids | set_up_outsiders(database, clock).user_ids
    tokens = database.write(
        lambda conn: {
            name: issue_token(conn, people[name], now=clock(), ttl=timedelta(hours=1)).token
            for name in COLUMNS
        }
    )
    settings = Settings(max_body_bytes=4096, login_attempts_per_minute=1000, jobs_enabled=False)
    with TestClient(create_app(settings, database=database, clock=clock)) as client:
        yield Town(database, client, tokens)


def _routes(town: Town) -> set[tuple[str, str]]:
    app: Any = town.client.app
    routes = iter_route_contexts(app.routes) if iter_route_contexts else app.routes
    return {
        (method, route.path.replace(":int", ""))
        for route in routes
        if route.path.startswith(PREFIXES)
        for method in sorted(set(getattr(route, "methods", None) or ()) - {"HEAD"})
    }


def test_the_matrix_names_every_route_of_the_authorities(town: Town) -> None:
    assert _routes(town) == set(POLICY)


# One test per column, each in a town of its own: the columns run side by side, and what
# one person's allowed calls change cannot decide what another's calls meet.
@pytest.mark.parametrize("who", COLUMNS)
def test_each_of_the_town_s_people_gets_as_far_as_their_duty_says(town: Town, who: str) -> None:
    mismatches = []
    for (method, path), allowed in sorted(POLICY.items()):
        before = None if who in allowed else every_row(town.database)
        status, code = town.call(method, path, who)
        refused = status == 403 and code in REFUSALS
        if who in allowed and (refused or status == 401):
            mismatches.append(f"{method} {path}: {who} refused ({status} {code})")
        if who not in allowed and not refused:
            mismatches.append(f"{method} {path}: {who} let through ({status} {code})")
        if before is not None and every_row(town.database) != before:
            mismatches.append(f"{method} {path}: {who} refused, but something changed")
    assert mismatches == []
