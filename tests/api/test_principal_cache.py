"""Credentials remembered a moment: never past their expiry, forgotten on revocation.

A revocation through the API takes effect at once; one made beside the API (the command
line, another worker) within the cache's second. The passage of that second is a fake
clock here, never a sleep.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.principal_cache import TTL_SECONDS, PrincipalCache
from monnaie_locale.auth import Principal, Role, revoke_user_tokens
from tests.api.conftest import World
from tests.api.helpers import assert_problem

NOON = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def member(expires_at: datetime | None) -> Principal:
    return Principal(
        role=Role.MEMBER, accounts=frozenset({"alice"}), name="alice", expires_at=expires_at
    )


def test_a_remembered_credential_lapses_after_the_ttl() -> None:
    ticks = FakeMonotonic()
    cache = PrincipalCache(ttl=1.0, monotonic=ticks)
    cache.put("mlt_secret", member(None))

    ticks.now += 0.99
    assert cache.get("mlt_secret", now=NOON) == member(None)
    ticks.now += 0.02
    assert cache.get("mlt_secret", now=NOON) is None


def test_a_remembered_token_is_never_used_past_its_own_expiry() -> None:
    cache = PrincipalCache(ttl=3600, monotonic=FakeMonotonic())
    cache.put("mlt_secret", member(NOON))

    assert cache.get("mlt_secret", now=NOON - timedelta(microseconds=1)) is not None
    assert cache.get("mlt_secret", now=NOON) is None


def test_only_the_same_credential_finds_the_principal_and_forgetting_forgets_all() -> None:
    cache = PrincipalCache(monotonic=FakeMonotonic())
    cache.put("mlt_one", member(None))
    cache.put("mlt_two", member(None))

    assert cache.get("mlt_three", now=NOON) is None
    cache.forget_all()
    assert cache.get("mlt_one", now=NOON) is None
    assert cache.get("mlt_two", now=NOON) is None


@pytest.fixture
def ticks(world: World) -> FakeMonotonic:
    """The application's cache, on a clock the test moves."""
    fake = FakeMonotonic()
    world.client.app.state.principals = PrincipalCache(monotonic=fake)  # type: ignore[attr-defined]
    return fake


def test_a_revocation_beside_the_api_takes_effect_within_the_ttl(
    world: World, ticks: FakeMonotonic
) -> None:
    assert world.client.get("/v1/me", headers=world.as_bob()).status_code == 200
    # As `mlc users revoke-tokens bob` would, from another process.
    world.database.write(
        lambda conn: revoke_user_tokens(conn, world.user_ids["bob"], now=world.clock())
    )

    assert world.client.get("/v1/me", headers=world.as_bob()).status_code == 200
    ticks.now += TTL_SECONDS
    assert_problem(world.client.get("/v1/me", headers=world.as_bob()), 401, "not_authenticated")


def test_a_revocation_through_the_api_takes_effect_at_once(
    world: World, ticks: FakeMonotonic
) -> None:
    assert world.client.get("/v1/me", headers=world.as_bob()).status_code == 200
    signed_out = world.client.post("/v1/auth/logout", headers=world.as_bob())
    assert signed_out.status_code == 204

    assert_problem(world.client.get("/v1/me", headers=world.as_bob()), 401, "not_authenticated")


def test_an_administrator_revoking_a_user_takes_effect_at_once(
    world: World, ticks: FakeMonotonic
) -> None:
    assert world.client.get("/v1/me", headers=world.as_bob()).status_code == 200
    revoked = world.client.post("/v1/users/bob/revoke-tokens", headers=world.auth(Role.ADMIN))
    assert revoked.status_code == 200, revoked.text

    assert_problem(world.client.get("/v1/me", headers=world.as_bob()), 401, "not_authenticated")


def test_an_expired_token_is_refused_even_when_remembered(
    world: World, ticks: FakeMonotonic
) -> None:
    assert world.client.get("/v1/me", headers=world.as_bob()).status_code == 200
    world.clock.advance(timedelta(days=400))

    assert_problem(world.client.get("/v1/me", headers=world.as_bob()), 401, "not_authenticated")
