"""The lock after repeated failed sign-ins holds under concurrent guesses, and treats a
name nobody holds exactly as a user's.

The concurrent tests make every thread read the user before any of them goes on (a
barrier after the database read), the interleaving under which counting failures after the
password check let every guess be checked.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Connection

from monnaie_locale.auth import LoginPolicy, Role, create_user, disable_user, login, sign_in
from monnaie_locale.auth.errors import CredentialLocked, InvalidCredentials
from monnaie_locale.errors import MonnaieLocaleError
from monnaie_locale.store import Database
from tests.api.conftest import PASSWORD
from tests.conftest import SteppingClock

WRONG = "not the right password"
GUESSES = 20
POLICY = LoginPolicy(max_failures=5)


def _create(database: Database, clock: SteppingClock, name: str) -> int:
    return database.write(
        lambda conn: create_user(conn, name, password=PASSWORD, role=Role.MEMBER, now=clock())
    ).id


def _guess_at_once(
    database: Database, clock: SteppingClock, username: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[str], int]:
    """Sign in ``GUESSES`` times at once with a wrong password; return each answer's
    code and how many passwords were checked."""
    barrier = threading.Barrier(GUESSES, timeout=60)  # the timeout only stops a hang
    checks = itertools.count()
    read = database.read
    verify_password = login.verify_password

    def read_then_wait(work: Callable[[Connection], Any]) -> Any:
        result = read(work)
        barrier.wait()
        return result

    def counted_verify(password_hash: str, password: str) -> bool:
        next(checks)
        return verify_password(password_hash, password)

    monkeypatch.setattr(database, "read", read_then_wait)
    monkeypatch.setattr(login, "verify_password", counted_verify)

    def guess(_: int) -> str:
        try:
            sign_in(database, username, WRONG, clock=clock, policy=POLICY)
        except MonnaieLocaleError as error:
            return error.code
        return "signed_in"

    with ThreadPoolExecutor(max_workers=GUESSES) as pool:
        codes = list(pool.map(guess, range(GUESSES)))
    return codes, next(checks)


def test_concurrent_wrong_passwords_lock_the_user_after_the_allowed_number(
    database: Database, clock: SteppingClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _create(database, clock, "alice")
    codes, checked = _guess_at_once(database, clock, "alice", monkeypatch)
    assert codes.count("invalid_credentials") == POLICY.max_failures - 1
    assert codes.count("credential_locked") == GUESSES - POLICY.max_failures + 1
    assert checked == POLICY.max_failures


def test_concurrent_guesses_at_an_unknown_name_are_answered_as_for_a_user(
    database: Database, clock: SteppingClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes, _ = _guess_at_once(database, clock, "nobody", monkeypatch)
    assert codes.count("invalid_credentials") == POLICY.max_failures - 1
    assert codes.count("credential_locked") == GUESSES - POLICY.max_failures + 1


def _answers(attempt: Callable[[], object], times: int) -> list[str]:
    codes = []
    for _ in range(times):
        try:
            attempt()
        except (InvalidCredentials, CredentialLocked) as error:
            codes.append(error.code)
        else:
            codes.append("signed_in")
    return codes


@pytest.mark.parametrize("name", ["nobody", "gone"])
def test_an_unknown_or_disabled_name_is_locked_like_a_user(
    database: Database, clock: SteppingClock, name: str
) -> None:
    _create(database, clock, "alice")
    gone = _create(database, clock, "gone")
    database.write(lambda conn: disable_user(conn, gone, now=clock()))

    def wrong(username: str) -> Callable[[], object]:
        return lambda: sign_in(database, username, WRONG, clock=clock, policy=POLICY)

    assert _answers(wrong(name), 7) == _answers(wrong("alice"), 7)
    assert _answers(wrong(name), 1) == ["credential_locked"]


def test_the_last_allowed_attempt_signs_in_with_the_right_password(
    database: Database, clock: SteppingClock
) -> None:
    _create(database, clock, "alice")
    for _ in range(POLICY.max_failures - 1):
        with pytest.raises(InvalidCredentials):
            sign_in(database, "alice", WRONG, clock=clock, policy=POLICY)
    sign_in(database, "alice", PASSWORD, clock=clock, policy=POLICY)
    # The success cleared the count: as many failures again before the lock.
    for _ in range(POLICY.max_failures - 1):
        with pytest.raises(InvalidCredentials):
            sign_in(database, "alice", WRONG, clock=clock, policy=POLICY)
