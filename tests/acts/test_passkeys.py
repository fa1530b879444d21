"""Passkeys in the core: registered by a signed-in user, then signing them in.

A software authenticator (tests.passkey_support) answers the ceremonies. Each refusal
is checked with what must not have happened: no passkey kept, no token issued, the
sign count unchanged.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from monnaie_locale.acting import Context
from monnaie_locale.acts import passkeys
from monnaie_locale.auth import (
    Role,
    create_api_key,
    create_user,
    issue_token,
    resolve_credential,
)
from monnaie_locale.auth.errors import InvalidCredentials
from monnaie_locale.auth.lockout import LoginPolicy
from monnaie_locale.auth.passkeys import (
    CHALLENGE_TTL,
    PasskeyNotRegistered,
    RelyingParty,
    UnknownPasskey,
)
from monnaie_locale.auth.principal import Principal
from monnaie_locale.config import Settings
from monnaie_locale.deployment import from_settings
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.accounts import open_account
from monnaie_locale.model import AccountKind
from monnaie_locale.store import Database
from monnaie_locale.store.tables_auth import auth_tokens, users
from monnaie_locale.store.tables_passkeys import passkey_challenges
from monnaie_locale.store.tables_passkeys import passkeys as passkeys_table
from tests.conftest import SteppingClock
from tests.passkey_support import SoftAuthenticator, from_b64url
from tests.support import standard_ledger

PARTY = RelyingParty.for_host("pay.example.org", name="Eusko", secret="s" * 32)
POLICY = LoginPolicy(token_ttl=timedelta(hours=1), max_failures=3, lockout=timedelta(minutes=5))


class People:
    """Alice and Bob, members, each signed in with a token; a terminal's API key."""

    def __init__(self, database: Database, clock: SteppingClock) -> None:
        self.database = database
        self.clock = clock
        self.deployment = from_settings(Settings())

        def create(conn):  # type: ignore[no-untyped-def]
            now = clock()
            open_account(conn, "shop", kind=AccountKind.BUSINESS, currency="MLC", now=now)
            ids = {
                name: create_user(conn, name, password="p" * 12, role=role, now=now).id
                for name, role in (("alice", Role.MEMBER), ("bob", Role.MERCHANT_OWNER))
            }
            tokens = {
                name: issue_token(conn, uid, now=now, ttl=timedelta(hours=1)).token
                for name, uid in ids.items()
            }
            key = create_api_key(conn, "shop", label="till", created_by=ids["bob"], now=now)
            return ids, tokens, key.secret

        standard_ledger(database, clock=clock)
        self.ids, self.tokens, self.key = database.write(create)

    def ctx(self, credential: str) -> Context:
        principal = self.database.read(
            lambda conn: resolve_credential(conn, credential, now=self.clock())
        )
        assert isinstance(principal, Principal)
        return Context(
            database=self.database, actor=principal, deployment=self.deployment, clock=self.clock
        )

    def of(self, name: str) -> Context:
        return self.ctx(self.tokens[name])

    def count(self, table) -> int:  # type: ignore[no-untyped-def]
        return self.database.read(
            lambda conn: conn.execute(select(func.count()).select_from(table)).scalar_one()
        )

    def tokens_of(self, name: str) -> int:
        return self.database.read(
            lambda conn: conn.execute(
                select(func.count()).where(auth_tokens.c.user_id == self.ids[name])
            ).scalar_one()
        )

    def register(self, name: str, label: str = "phone") -> SoftAuthenticator:
        authenticator = SoftAuthenticator(PARTY.id, PARTY.origin)
        options = passkeys.begin_registration(self.of(name), party=PARTY)
        passkeys.finish_registration(
            self.of(name), authenticator.create(options), label, party=PARTY
        )
        return authenticator

    def sign_in(self, answer: dict) -> object:  # type: ignore[type-arg]
        return passkeys.finish_sign_in(
            self.database, answer, clock=self.clock, party=PARTY, policy=POLICY
        )

    def options(self, username: str | None = None) -> dict:  # type: ignore[type-arg]
        return passkeys.begin_sign_in(
            self.database, clock=self.clock, party=PARTY, username=username
        )


@pytest.fixture
def people(database: Database, clock: SteppingClock) -> People:
    return People(database, clock)


def test_a_registered_passkey_signs_its_user_in_with_a_fresh_token(people: People) -> None:
    authenticator = people.register("alice", "my phone")
    [listed] = passkeys.list_passkeys(people.of("alice"))
    assert (listed.name, listed.transports, listed.last_used_at) == (
        "my phone",
        ("internal",),
        None,
    )
    before = people.tokens_of("alice")

    issued = people.sign_in(authenticator.get(people.options()))

    assert issued.user_id == people.ids["alice"]  # type: ignore[attr-defined]
    assert people.tokens_of("alice") == before + 1
    principal = people.ctx(issued.token).actor  # type: ignore[attr-defined]
    assert (principal.name, principal.role) == ("alice", Role.MEMBER)
    [used] = passkeys.list_passkeys(people.of("alice"))
    assert used.last_used_at is not None


def test_the_options_exclude_the_users_passkeys_and_prefer_a_resident_key(
    people: People,
) -> None:
    authenticator = people.register("alice")
    options = passkeys.begin_registration(people.of("alice"), party=PARTY)
    assert [c["id"] for c in options["excludeCredentials"]] == [authenticator.create(options)["id"]]
    assert options["rp"] == {"id": "pay.example.org", "name": "Eusko"}
    selection = options["authenticatorSelection"]
    assert (selection["residentKey"], selection["userVerification"]) == ("preferred", "preferred")
    # The same handle for the user's next passkey; none of Bob's excluded from Alice's.
    assert (
        options["user"]["id"]
        == passkeys.begin_registration(people.of("alice"), party=PARTY)["user"]["id"]
    )
    assert passkeys.begin_registration(people.of("bob"), party=PARTY)["excludeCredentials"] == []


def test_sign_in_options_list_a_names_passkeys_and_a_steady_decoy_for_others(
    people: People,
) -> None:
    authenticator = people.register("alice")
    assert people.options().get("allowCredentials", []) == []
    assert [c["id"] for c in people.options("alice")["allowCredentials"]] == [
        authenticator.get(people.options())["id"]
    ]
    decoy = people.options("nobody")["allowCredentials"]
    assert decoy == people.options("nobody")["allowCredentials"]
    assert decoy != people.options("bob")["allowCredentials"]


def test_an_answered_challenge_is_refused_the_second_time(people: People) -> None:
    authenticator = people.register("alice")
    answer = authenticator.get(people.options())
    people.sign_in(answer)
    tokens = people.tokens_of("alice")

    with pytest.raises(InvalidCredentials):
        people.sign_in(answer)
    # Nor with a new signature over the same challenge.
    with pytest.raises(InvalidCredentials):
        people.sign_in(authenticator.get({"challenge": answer_challenge(answer)}))
    assert people.tokens_of("alice") == tokens


def answer_challenge(answer: dict) -> str:  # type: ignore[type-arg]
    return json.loads(from_b64url(answer["response"]["clientDataJSON"]))["challenge"]


def test_an_expired_challenge_is_refused_and_consumed(people: People) -> None:
    authenticator = people.register("alice")
    options = people.options()
    people.clock.advance(CHALLENGE_TTL + timedelta(seconds=1))
    tokens = people.tokens_of("alice")

    with pytest.raises(InvalidCredentials):
        people.sign_in(authenticator.get(options))
    assert people.tokens_of("alice") == tokens
    assert people.count(passkey_challenges) == 0


def test_an_answer_from_another_origin_is_refused(people: People) -> None:
    authenticator = people.register("alice")
    tokens = people.tokens_of("alice")
    with pytest.raises(InvalidCredentials):
        people.sign_in(authenticator.get(people.options(), origin="https://pay.example.org.evil"))
    assert people.tokens_of("alice") == tokens
    # Nor registered from there.
    other = SoftAuthenticator(PARTY.id, "https://evil.example")
    options = passkeys.begin_registration(people.of("bob"), party=PARTY)
    with pytest.raises(PasskeyNotRegistered):
        passkeys.finish_registration(people.of("bob"), other.create(options), "k", party=PARTY)
    assert passkeys.list_passkeys(people.of("bob")) == []


def test_a_revoked_passkey_signs_no_one_in(people: People) -> None:
    authenticator = people.register("alice")
    [passkey] = passkeys.list_passkeys(people.of("alice"))
    passkeys.revoke_passkey(people.of("alice"), passkey.id)
    tokens = people.tokens_of("alice")

    with pytest.raises(InvalidCredentials):
        people.sign_in(authenticator.get(people.options()))
    assert people.tokens_of("alice") == tokens
    assert passkeys.list_passkeys(people.of("alice")) == []
    with pytest.raises(UnknownPasskey):
        passkeys.revoke_passkey(people.of("alice"), passkey.id)


def test_a_sign_count_going_backwards_is_refused(people: People) -> None:
    authenticator = people.register("alice")
    people.sign_in(authenticator.get(people.options(), counter=5))
    tokens = people.tokens_of("alice")

    for counter in (5, 4):  # a clone of the authenticator, behind the original
        with pytest.raises(InvalidCredentials):
            people.sign_in(authenticator.get(people.options(), counter=counter))
    assert people.tokens_of("alice") == tokens
    stored = people.database.read(
        lambda conn: conn.execute(select(passkeys_table.c.sign_count)).scalar_one()
    )
    assert stored == 5
    people.sign_in(authenticator.get(people.options(), counter=6))


def test_an_unknown_passkey_or_a_bad_signature_gets_the_wrong_password_refusal(
    people: People,
) -> None:
    authenticator = people.register("alice")
    stranger = SoftAuthenticator(PARTY.id, PARTY.origin)
    stranger.user_handle = authenticator.user_handle
    with pytest.raises(InvalidCredentials) as unknown:
        people.sign_in(stranger.get(people.options()))
    forged = authenticator.get(people.options())
    forged["response"]["signature"] = stranger.get(people.options())["response"]["signature"]
    with pytest.raises(InvalidCredentials) as bad_signature:
        people.sign_in(forged)
    with pytest.raises(InvalidCredentials) as garbage:
        people.sign_in({"id": "x", "response": {}})
    assert {e.value.code for e in (unknown, bad_signature, garbage)} == {"invalid_credentials"}
    assert len({str(e.value) for e in (unknown, bad_signature, garbage)}) == 1


def test_a_disabled_user_s_passkey_signs_no_one_in(people: People) -> None:
    authenticator = people.register("alice")
    people.database.write(
        lambda conn: conn.execute(
            update(users).where(users.c.username == "alice").values(status="disabled")
        )
    )
    with pytest.raises(InvalidCredentials):
        people.sign_in(authenticator.get(people.options()))


def test_a_passkey_clears_failed_passwords_but_not_a_running_lock(people: People) -> None:
    authenticator = people.register("alice")

    def user_row():  # type: ignore[no-untyped-def]
        return people.database.read(
            lambda conn: conn.execute(
                select(users.c.failed_logins, users.c.locked_until).where(
                    users.c.username == "alice"
                )
            ).one()
        )

    people.database.write(
        lambda conn: conn.execute(
            update(users).where(users.c.username == "alice").values(failed_logins=2)
        )
    )
    people.sign_in(authenticator.get(people.options()))
    assert user_row().failed_logins == 0

    until = people.clock() + timedelta(minutes=5)
    people.database.write(
        lambda conn: conn.execute(
            update(users).where(users.c.username == "alice").values(locked_until=until)
        )
    )
    people.sign_in(authenticator.get(people.options()))  # not refused by the password's lock
    assert user_row().locked_until is not None


def test_someone_else_s_passkey_cannot_be_revoked_or_registered(people: People) -> None:
    people.register("alice")
    [passkey] = passkeys.list_passkeys(people.of("alice"))

    with pytest.raises(UnknownPasskey):
        passkeys.revoke_passkey(people.of("bob"), passkey.id)
    assert passkeys.list_passkeys(people.of("alice")) == [passkey]
    assert passkeys.list_passkeys(people.of("bob")) == []

    # Alice's registration options, answered by Bob: refused, and the options are spent.
    options = passkeys.begin_registration(people.of("alice"), party=PARTY)
    answer = SoftAuthenticator(PARTY.id, PARTY.origin).create(options)
    with pytest.raises(PasskeyNotRegistered):
        passkeys.finish_registration(people.of("bob"), answer, "stolen", party=PARTY)
    with pytest.raises(PasskeyNotRegistered):
        passkeys.finish_registration(people.of("alice"), answer, "late", party=PARTY)
    assert passkeys.list_passkeys(people.of("bob")) == []
    assert len(passkeys.list_passkeys(people.of("alice"))) == 1


def test_an_api_key_has_no_passkeys(people: People) -> None:
    terminal = people.ctx(people.key)
    challenges = people.count(passkey_challenges)
    for call in (
        lambda: passkeys.begin_registration(terminal, party=PARTY),
        lambda: passkeys.finish_registration(terminal, {}, "till", party=PARTY),
        lambda: passkeys.list_passkeys(terminal),
        lambda: passkeys.revoke_passkey(terminal, 1),
    ):
        with pytest.raises(InvalidRequest):
            call()
    assert people.count(passkey_challenges) == challenges
    assert people.count(passkeys_table) == 0


def test_a_name_must_be_given_and_short(people: People) -> None:
    authenticator = SoftAuthenticator(PARTY.id, PARTY.origin)
    for name in ("", "   ", "x" * 81):
        options = passkeys.begin_registration(people.of("alice"), party=PARTY)
        with pytest.raises(InvalidRequest):
            passkeys.finish_registration(
                people.of("alice"), authenticator.create(options), name, party=PARTY
            )
    assert people.count(passkeys_table) == 0


def test_every_role_may_have_passkeys() -> None:
    for act in (
        passkeys.begin_registration,
        passkeys.finish_registration,
        passkeys.list_passkeys,
        passkeys.revoke_passkey,
    ):
        assert act.roles == frozenset(Role)


def test_the_relying_party_is_the_public_host() -> None:
    assert (PARTY.id, PARTY.origin) == ("pay.example.org", "https://pay.example.org")
    local = RelyingParty.for_host("localhost:8000", name="dev")
    assert (local.id, local.origin) == ("localhost", "http://localhost:8000")
    party = passkeys.relying_party(Settings(public_host="Pay.Eusko.example"))
    assert (party.id, party.origin) == ("pay.eusko.example", "https://pay.eusko.example")
