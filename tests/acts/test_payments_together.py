"""Payments that meet in one group on PostgreSQL are written together, as one by one would.

A group of :mod:`monnaie_locale.store.group_commit` gives the payments it holds to
``payment(...).together`` (:mod:`monnaie_locale.acts.transfers`), which writes them all in
a few statements. Here the same payments are written together and one by one, on two
copies of the same accounts, and every answer is compared: each transaction's postings
and balances after, each refusal, each account's balance at the end. Whenever writing
together cannot give each payment its own answer (a refusal, a key met twice, an
authority's account, a row held by another session), the payments run one by one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, text

from monnaie_locale.acting import Context
from monnaie_locale.acts import transfers
from monnaie_locale.auth.errors import NotTransferable
from monnaie_locale.auth.principal import Principal
from monnaie_locale.auth.roles import Role
from monnaie_locale.deployment import Deployment
from monnaie_locale.errors import AccountNotActive, InsufficientFunds, UnknownAccount
from monnaie_locale.ledger import service
from monnaie_locale.model import AccountKind, AccountStatus, Transaction, TransferRequest
from monnaie_locale.store import Database
from monnaie_locale.store.group_commit import GroupCommitter, Outcome, RunApart
from tests.conftest import MLC, SteppingClock
from tests.engine import Engine
from tests.support import every_row

pytestmark = pytest.mark.parametrize(
    "database", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)

# A payment: (payer, payee, amount, key), payer and payee by their index in a copy.
Payment = tuple[int, int, int, str]
# What a payment came to, the same for both copies: its legs (index, amount, balance
# after), or the name of its refusal.
Answer = tuple[tuple[int, int, int], ...] | str


class Together:
    """What ``service.post_transfers`` did: how many it wrote, or that it ran apart."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.wrote: list[int] = []
        self.apart = 0
        real = service.post_transfers

        def spying(conn: Connection, payments: Any, **options: Any) -> list[Transaction]:
            try:
                written = real(conn, payments, **options)
            except RunApart:
                self.apart += 1
                raise
            self.wrote.append(len(written))
            return written

        monkeypatch.setattr(service, "post_transfers", spying)


@dataclass
class Scene:
    """The ledger, a committer of its own, the association's administrator acting (who
    may move any holder's account) through it, and what ``post_transfers`` did."""

    ledger: Engine
    committer: GroupCommitter
    ctx: Context
    together: Together


@pytest.fixture
def scene(
    ledger: Engine,
    grouped: Database,
    committer: GroupCommitter,
    clock: SteppingClock,
    monkeypatch: pytest.MonkeyPatch,
) -> Scene:
    actor = Principal(role=Role.ADMIN, accounts=frozenset(), name="admin", user_id=0)
    ctx = Context(database=grouped, actor=actor, deployment=Deployment(unit=MLC), clock=clock)
    return Scene(ledger, committer, ctx, Together(monkeypatch))


def pay(ctx: Context, payer: str, payee: str, amount: int, key: str) -> Callable[..., Any]:
    return transfers.payment(ctx, TransferRequest.simple(payer, payee, amount), key)


# Two copies of the same accounts --------------------------------------------------

_copies = count()


def open_copies(ledger: Engine, funds: list[int], upper: list[int | None]) -> tuple[str, str]:
    """Two sets of members, ``<prefix>-<i>``, each funded ``funds[i]`` with the upper
    limit ``upper[i]``; their two prefixes."""
    prefixes = []
    for _ in range(2):
        prefix = f"copy{next(_copies)}"
        for index, (amount, limit) in enumerate(zip(funds, upper, strict=True)):
            code = f"{prefix}-{index}"
            ledger.open_account(code, kind=AccountKind.MEMBER, currency="MLC", upper_limit=limit)
            if amount:
                ledger.transfer("issuance", code, amount, idempotency_key=f"fund-{code}")
        prefixes.append(prefix)
    return prefixes[0], prefixes[1]


def answer(outcome: Outcome, prefix: str) -> Answer:
    succeeded, value = outcome
    if not succeeded:
        return type(value).__name__
    return tuple(
        (int(p.account.removeprefix(f"{prefix}-")), p.amount, p.balance_after)
        for p in value.postings
    )


def written_both_ways(
    scene: Scene, payments: list[Payment], funds: list[int], upper: list[int | None]
) -> tuple[list[Answer], list[Answer], list[int], list[int]]:
    """The answers and final balances of ``payments`` written as one group, then one by
    one on a copy of the same accounts."""
    ledger, committer, ctx = scene.ledger, scene.committer, scene.ctx
    grouped, alone = open_copies(ledger, funds, upper)

    def use_cases(prefix: str) -> list[Callable[..., Any]]:
        return [
            pay(ctx, f"{prefix}-{a}", f"{prefix}-{b}", amount, f"{prefix}-{key}")
            for a, b, amount, key in payments
        ]

    in_group = [answer(outcome, grouped) for outcome in committer.run_group(use_cases(grouped))]
    one_by_one = []
    # The reference takes the usual path: a payment written alone would otherwise be
    # written by the groups' own statements (service.post_transfer_at_once).
    with pytest.MonkeyPatch.context() as usual:
        usual.setattr(service, "post_transfer_at_once", lambda *_, **__: None)
        for use_case in use_cases(alone):
            try:
                one_by_one.append(answer((True, ctx.database.write(use_case)), alone))
            except Exception as exc:
                one_by_one.append(type(exc).__name__)

    def balances(prefix: str) -> list[int]:
        return [ledger.account(f"{prefix}-{i}").balance for i in range(len(funds))]

    return in_group, one_by_one, balances(grouped), balances(alone)


ACCOUNTS = 4


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[int], list[int | None], list[Payment]]:
    funds = draw(st.lists(st.integers(0, 600), min_size=ACCOUNTS, max_size=ACCOUNTS))
    upper = draw(
        st.lists(st.none() | st.integers(700, 1_500), min_size=ACCOUNTS, max_size=ACCOUNTS)
    )
    payments = []
    for _ in range(draw(st.integers(2, 12))):
        payer, payee = draw(st.permutations(range(ACCOUNTS)))[:2]
        amount = draw(st.integers(1, 400))
        # Few keys: some come back, for the same payment or another.
        key = draw(st.sampled_from(["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"] * 2))
        payments.append((payer, payee, amount, key))
    return funds, upper, payments


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_payments_written_together_answer_as_one_by_one_would(
    scene: Scene,
    scenario: tuple[list[int], list[int | None], list[Payment]],
) -> None:
    funds, upper, payments = scenario
    wrote_before = len(scene.together.wrote)
    in_group, one_by_one, balances_grouped, balances_alone = written_both_ways(
        scene, payments, funds, upper
    )

    assert in_group == one_by_one
    assert balances_grouped == balances_alone
    clean = all(not isinstance(a, str) for a in one_by_one)
    if clean and len({key for *_, key in payments}) == len(payments):
        assert scene.together.wrote[wrote_before:] == [len(payments)], "written together"


def test_a_group_of_fresh_payments_is_written_together_and_verifies(
    scene: Scene,
) -> None:
    funds, upper = [1_000, 0, 500, 0], [None, None, None, 300]
    payments = [(0, 1, 300, "a"), (2, 3, 250, "b"), (1, 0, 100, "c"), (0, 3, 50, "d")]
    in_group, one_by_one, balances, alone = written_both_ways(scene, payments, funds, upper)

    assert scene.together.wrote == [4] and scene.together.apart == 0
    assert in_group == one_by_one
    # The balances after follow each account's own order: 1,000 -> 700 -> 800 -> 750.
    payers = [next(leg for leg in legs if leg[1] < 0) for legs in in_group]
    assert payers == [(0, -300, 700), (2, -250, 250), (1, -100, 200), (0, -50, 750)]
    assert balances == alone == [750, 200, 250, 300]
    scene.ledger.seal_journal()
    assert scene.ledger.verify_journal().ok


def test_a_family_runs_prepared_once_it_ran_a_few_times_and_one_sent_apart_breaks_none(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A family's statements end up prepared on the server, as psycopg prepares a
    statement run often outside a group; a family sent apart afterwards, its members then
    running one by one, leaves the groups that follow able to run theirs."""
    ledger, committer, ctx = scene.ledger, scene.committer, scene.ctx
    ledger.open_account("payer", kind=AccountKind.MEMBER, currency="MLC")
    ledger.open_account("shop", kind=AccountKind.MEMBER, currency="MLC")
    ledger.open_account("capped", kind=AccountKind.MEMBER, currency="MLC", upper_limit=50)
    ledger.transfer("issuance", "payer", 100_000, idempotency_key="fund-payer")
    prepared: list[bool] = []
    spied = service.post_transfers

    def watching(conn: Connection, payments: Any, **options: Any) -> list[Transaction]:
        written = spied(conn, payments, **options)
        statements = conn.execute(text("SELECT statement FROM pg_prepared_statements"))
        prepared.append(any("claimed AS" in sql for sql in statements.scalars()))
        return written

    monkeypatch.setattr(service, "post_transfers", watching)

    def group(tag: str, *payments: tuple[str, int]) -> list[Outcome]:
        return committer.run_group(
            [
                pay(ctx, "payer", payee, amount, f"{tag}-{i}")
                for i, (payee, amount) in enumerate(payments)
            ]
        )

    for round_number in range(30):
        assert all(ok for ok, _ in group(f"warm{round_number}", ("shop", 1), ("shop", 2)))
    assert prepared[-1], "the family's statement runs prepared"

    apart = group("apart", ("shop", 3), ("capped", 60), ("shop", 4))
    assert [ok for ok, _ in apart] == [True, False, True]
    assert scene.together.apart == 1
    for round_number in range(10):
        assert all(ok for ok, _ in group(f"after{round_number}", ("shop", 5), ("capped", 1)))

    assert scene.together.wrote == [2] * 40
    assert ledger.account("shop").balance == 30 * 3 + 3 + 4 + 10 * 5
    assert ledger.account("capped").balance == 10
    ledger.seal_journal()
    assert ledger.verify_journal().ok


def test_a_refusal_among_them_sends_them_apart_and_only_it_is_refused(
    scene: Scene,
) -> None:
    # The third payment would take account 3 past its upper limit of 300.
    payments = [(0, 1, 300, "a"), (2, 3, 250, "b"), (0, 3, 100, "c"), (1, 0, 100, "d")]
    in_group, one_by_one, balances, alone = written_both_ways(
        scene, payments, [1_000, 0, 500, 0], [None] * 3 + [300]
    )

    assert scene.together.apart == 1 and scene.together.wrote == []
    assert in_group == one_by_one
    assert in_group[2] == "LimitExceeded"
    assert balances == alone == [800, 200, 250, 250]


def test_a_key_met_twice_in_a_group_answers_the_first_payment_or_its_conflict(
    scene: Scene,
) -> None:
    payments = [(0, 1, 300, "same"), (0, 1, 300, "same"), (0, 2, 300, "same"), (0, 3, 1, "x")]
    in_group, one_by_one, balances, alone = written_both_ways(
        scene, payments, [1_000, 0, 0, 0], [None] * 4
    )

    assert scene.together.apart == 1
    assert in_group == one_by_one
    assert in_group[1] == in_group[0], "the retry gets the first result"
    assert in_group[2] == "IdempotencyConflict"
    assert balances == alone == [699, 300, 0, 1]


def test_a_payment_into_an_authority_s_account_sends_its_group_apart(
    scene: Scene,
) -> None:
    ledger, committer, ctx = scene.ledger, scene.committer, scene.ctx
    ledger.open_account("member", kind=AccountKind.MEMBER, currency="MLC")
    ledger.open_account("town", kind=AccountKind.AUTHORITY, currency="MLC")
    ledger.open_account("shop", kind=AccountKind.BUSINESS, currency="MLC")
    ledger.transfer("issuance", "member", 1_000, idempotency_key="fund-member")

    outcomes = committer.run_group(
        [pay(ctx, "member", "town", 100, "tax"), pay(ctx, "member", "shop", 200, "bread")]
    )

    assert [succeeded for succeeded, _ in outcomes] == [True, True]
    assert scene.together.wrote == [] and scene.together.apart == 1
    assert [ledger.account(code).balance for code in ("member", "town", "shop")] == [700, 100, 200]


def test_payments_queued_behind_busy_writers_go_through_the_act_together(
    scene: Scene,
) -> None:
    ledger, committer, ctx = scene.ledger, scene.committer, scene.ctx
    for code in ("payer", "shop"):
        ledger.open_account(code, kind=AccountKind.MEMBER, currency="MLC")
    ledger.transfer("issuance", "payer", 10_000, idempotency_key="fund-payer")
    release = threading.Event()
    started = [threading.Event() for _ in range(committer.flavour.writers)]
    for event in started:

        def busy(_conn: Connection, event: threading.Event = event) -> None:
            event.set()
            release.wait(10)

        committer.submit(busy)
        assert event.wait(10)
    paying: list[Future[Transaction]] = [
        committer.submit(pay(ctx, "payer", "shop", 100 + i, f"queued-{i}")) for i in range(5)
    ]
    release.set()

    paid = [future.result(10) for future in paying]
    assert scene.together.wrote == [5]
    assert sorted(p.amount_for("shop") for p in paid) == [100, 101, 102, 103, 104]
    assert ledger.account("shop").balance == 510
    scene.ledger.seal_journal()
    assert scene.ledger.verify_journal().ok


def test_a_row_held_by_another_session_sends_them_apart_and_the_waiting_one_after(
    database: Database, scene: Scene
) -> None:
    ledger, committer, ctx = scene.ledger, scene.committer, scene.ctx
    for code in ("alice", "bob", "carol"):
        ledger.open_account(code, kind=AccountKind.MEMBER, currency="MLC")
    ledger.transfer("issuance", "alice", 1_000, idempotency_key="fund-alice")
    other = database.engine.connect()
    holding = other.begin()
    other.execute(text("SELECT 1 FROM accounts WHERE code = 'carol' FOR UPDATE"))

    def let_go() -> None:
        holding.rollback()
        other.close()

    timer = threading.Timer(1.0, let_go)
    timer.start()
    began = time.monotonic()
    try:
        outcomes = committer.run_group(
            [
                pay(ctx, "alice", "bob", 100, "to-bob"),
                pay(ctx, "alice", "carol", 100, "to-carol"),
                pay(ctx, "alice", "bob", 100, "to-bob-again"),
            ]
        )
    finally:
        timer.join()

    assert time.monotonic() - began >= 1.0, "carol's payment waited for her row"
    assert all(succeeded for succeeded, _ in outcomes)
    assert scene.together.apart == 0 and scene.together.wrote == [], (
        "the lock wait is not a refusal"
    )
    assert [ledger.account(code).balance for code in ("alice", "bob", "carol")] == [700, 200, 100]


def test_refused_payments_in_a_group_get_their_own_errors_and_change_nothing(
    database: Database, scene: Scene
) -> None:
    ledger, committer, ctx = scene.ledger, scene.committer, scene.ctx
    for code in ("payer", "shop", "closed-shop"):
        ledger.open_account(code, kind=AccountKind.MEMBER, currency="MLC")
    ledger.open_account("euros", kind=AccountKind.MEMBER, currency="EUR")
    ledger.transfer("issuance", "payer", 1_000, idempotency_key="fund-payer")
    ledger.set_status("closed-shop", AccountStatus.FROZEN)
    before = every_row(database)

    outcomes = committer.run_group(
        [
            pay(ctx, "payer", "nobody", 100, "to-nobody"),
            pay(ctx, "payer", "closed-shop", 100, "to-frozen"),
            pay(ctx, "payer", "euros", 100, "to-euros"),
            pay(ctx, "payer", "issuance", 100, "to-the-system"),
            pay(ctx, "payer", "shop", 5_000, "too-much"),
        ]
    )

    assert [type(error) for _, error in outcomes] == [
        UnknownAccount,
        AccountNotActive,
        NotTransferable,
        NotTransferable,
        InsufficientFunds,
    ]
    assert scene.together.apart == 1 and scene.together.wrote == []
    assert every_row(database) == before, "nothing of any of them was kept, no key claimed"
