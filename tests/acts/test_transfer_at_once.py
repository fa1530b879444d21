"""A payment written alone on PostgreSQL takes the groups' statements, with the same answer.

:func:`monnaie_locale.ledger.service.post_transfer_at_once` writes a transfer that begins
its transaction as a group writes its payments: one statement claims the key, finds the
accounts and moves them, one writes the rows. Wherever that might answer otherwise than
the usual path (a refusal, a key met again, an account the transfer rules keep apart), it
rolls back to its savepoint and the usual path answers. Here the same payments go through
the transfer act on two copies of the same accounts, once as the service writes them and
once the usual way only, and every answer and balance is compared.
"""

from __future__ import annotations

from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, func, select, text

from monnaie_locale.acting import Context
from monnaie_locale.acts import transfers
from monnaie_locale.auth.principal import Principal
from monnaie_locale.auth.roles import Role
from monnaie_locale.deployment import Deployment
from monnaie_locale.errors import InsufficientFunds
from monnaie_locale.ledger import service
from monnaie_locale.model import AccountKind, Transaction, TransferRequest
from monnaie_locale.store import Database
from monnaie_locale.store.tables import idempotency_keys
from tests.conftest import MLC, SteppingClock
from tests.engine import Engine

pytestmark = pytest.mark.parametrize(
    "database", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


class AtOnce:
    """What ``post_transfer_at_once`` answered: how many it wrote, how many it left."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.wrote = 0
        self.left = 0
        real = service.post_transfer_at_once

        def spying(conn: Connection, request: TransferRequest, **options: Any) -> Any:
            written = real(conn, request, **options)
            if written is None:
                self.left += 1
            else:
                self.wrote += 1
            return written

        monkeypatch.setattr(service, "post_transfer_at_once", spying)


@pytest.fixture
def admin(database: Database, clock: SteppingClock) -> Context:
    """The association's administrator, who may move any holder's account."""
    actor = Principal(role=Role.ADMIN, accounts=frozenset(), name="admin", user_id=0)
    return Context(database=database, actor=actor, deployment=Deployment(unit=MLC), clock=clock)


def pay(ctx: Context, payer: str, payee: str, amount: int, key: str) -> Transaction:
    return transfers.transfer(ctx, payer, payee, amount, key=key)


def the_usual_way(ctx: Context, payer: str, payee: str, amount: int, key: str) -> Transaction:
    with pytest.MonkeyPatch.context() as usual:
        usual.setattr(service, "post_transfer_at_once", lambda *_, **__: None)
        return pay(ctx, payer, payee, amount, key)


# Random payments, both ways -----------------------------------------------------

MEMBERS = 3
# Beyond the members: an authority's account (kept apart, it may owe a quittance), an
# account no plain transfer moves, and one that does not exist.
OTHERS = ["authority", "issuance", "nobody"]
_copies = count()


def open_copy(ledger: Engine, funds: list[int], upper: list[int | None]) -> str:
    prefix = f"copy{next(_copies)}"
    for index, (amount, limit) in enumerate(zip(funds, upper, strict=True)):
        code = f"{prefix}-{index}"
        ledger.open_account(code, kind=AccountKind.MEMBER, currency="MLC", upper_limit=limit)
        if amount:
            ledger.transfer("issuance", code, amount, idempotency_key=f"fund-{code}")
    ledger.open_account(f"{prefix}-authority", kind=AccountKind.AUTHORITY, currency="MLC")
    return prefix


def named(prefix: str, party: int | str) -> str:
    if party == "issuance":
        return "issuance"
    return f"{prefix}-{party}"


def answers(
    ctx: Context,
    prefix: str,
    payments: list[tuple[int | str, int | str, int, str]],
    write: Any,
) -> list[object]:
    found: list[object] = []
    for payer, payee, amount, key in payments:
        try:
            posted = write(ctx, named(prefix, payer), named(prefix, payee), amount, prefix + key)
        except Exception as exc:
            found.append(type(exc).__name__)
        else:
            found.append(
                tuple(
                    (p.account.removeprefix(prefix), p.amount, p.balance_after)
                    for p in posted.postings
                )
            )
    return found


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[int], list[int | None], list[Any]]:
    funds = draw(st.lists(st.integers(0, 600), min_size=MEMBERS, max_size=MEMBERS))
    upper = draw(st.lists(st.none() | st.integers(700, 1_500), min_size=MEMBERS, max_size=MEMBERS))
    parties = st.integers(0, MEMBERS - 1) | st.sampled_from(OTHERS)
    payments = []
    for _ in range(draw(st.integers(1, 10))):
        payer = draw(parties)
        payee = draw(parties.filter(lambda party, payer=payer: party != payer))
        # Few keys: some come back, for the same payment or for another.
        key = draw(st.sampled_from(["k0", "k1", "k2", "k3", "k4", "k5"]))
        payments.append((payer, payee, draw(st.integers(1, 400)), key))
    return funds, upper, payments


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_payments_written_alone_answer_as_the_usual_path_does(
    ledger: Engine,
    admin: Context,
    scenario: tuple[list[int], list[int | None], list[Any]],
) -> None:
    funds, upper, payments = scenario
    at_once, usual = open_copy(ledger, funds, upper), open_copy(ledger, funds, upper)
    with pytest.MonkeyPatch.context() as patch:  # one spy per example, not one more each
        spy = AtOnce(patch)
        written = answers(admin, at_once, payments, pay)
        assert written == answers(admin, usual, payments, the_usual_way)
    for index in range(MEMBERS):
        assert (
            ledger.account(f"{at_once}-{index}").balance
            == ledger.account(f"{usual}-{index}").balance
        )
    assert spy.wrote + spy.left == len(payments), "every payment was tried at once first"


# What the path does, and what it leaves -----------------------------------------


@pytest.fixture
def funded(ledger: Engine) -> Engine:
    for code in ("alice", "bob"):
        ledger.open_account(code, kind=AccountKind.MEMBER, currency="MLC")
    ledger.transfer("issuance", "alice", 1_000, idempotency_key="fund-alice")
    return ledger


def test_a_lone_payment_is_written_at_once_with_no_lookup_of_its_own(
    funded: Engine, admin: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = AtOnce(monkeypatch)
    real, looked_up = transfers.check_transferable, []

    def looking_up(conn: Connection, *codes: str) -> Any:
        looked_up.append(codes)
        return real(conn, *codes)

    monkeypatch.setattr(transfers, "check_transferable", looking_up)

    posted = pay(admin, "alice", "bob", 250, "k")

    assert spy.wrote == 1 and looked_up == []
    assert [(p.account, p.amount, p.balance_after) for p in posted.postings] == [
        ("alice", -250, 750),
        ("bob", 250, 250),
    ]
    # A retry: the key is taken, so the usual path gives the first result.
    assert pay(admin, "alice", "bob", 250, "k").id == posted.id
    assert spy.left == 1 and looked_up == [("alice", "bob")]
    assert funded.account("alice").balance == 750
    funded.seal_journal()
    assert funded.verify_journal().ok


def test_a_refused_payment_leaves_nothing_and_its_key_free(
    funded: Engine, admin: Context, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = AtOnce(monkeypatch)

    with pytest.raises(InsufficientFunds):
        pay(admin, "alice", "bob", 5_000, "big")

    assert spy.left == 1
    assert funded.account("alice").balance == 1_000 and funded.account("bob").balance == 0

    def keys(conn: Connection) -> int:
        return int(conn.scalar(select(func.count()).select_from(idempotency_keys)) or 0)

    before = database.read(keys)
    funded.transfer("issuance", "alice", 4_000, idempotency_key="fund-more")
    assert pay(admin, "alice", "bob", 5_000, "big").amount_for("bob") == 5_000
    assert database.read(keys) == before + 2, "the refused call had claimed nothing"


def test_a_transaction_already_begun_takes_the_usual_path(
    funded: Engine, database: Database, clock: SteppingClock
) -> None:
    request = TransferRequest.simple("alice", "bob", 100)

    def after_a_read(conn: Connection) -> Transaction | None:
        conn.execute(text("SELECT 1"))
        return service.post_transfer_at_once(
            conn, request, idempotency_key="begun", clock=clock, vet=lambda _: None
        )

    assert database.write(after_a_read) is None
    assert funded.account("bob").balance == 0
