"""A model of the ledger, driven by random operations, checked after every step.

The model is a few dicts: balances, held amounts, holds and their status, the legs of
each transaction, and which transactions were reversed. For each random operation the
model predicts either the exact error the ledger must raise or the new state; the
ledger is then called and both must agree. After every step the stored books are
checked on their own terms too: each currency sums to zero, every balance is within
its limits and equals the sum of its postings, and the journal verifies.

Keys are exercised too: any successful call replayed under its key must return its
first result and move nothing, and any used key offered with another request must be
refused. Each generated example starts from a database of its own (a temporary SQLite
file, or a fresh PostgreSQL schema) where every holder has first converted 100.00.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from monnaie_locale.errors import (
    AlreadyReversed,
    CurrencyMismatch,
    HoldExpired,
    HoldNotPending,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    InvalidRequest,
    LimitExceeded,
    Unbalanced,
    UnknownAccount,
    UnknownTransaction,
)
from monnaie_locale.model import AccountKind, HoldStatus, Leg, TransferRequest
from monnaie_locale.store import Database
from monnaie_locale.store.tables import accounts, holds, postings, transactions
from tests.conftest import POSTGRES_URL, SteppingClock
from tests.engine import Engine
from tests.support import Cleanup, fresh_postgres, fresh_sqlite, standard_ledger


@dataclass(frozen=True, slots=True)
class Spec:
    kind: AccountKind
    currency: str
    lower: int | None
    upper: int | None


# In opening order, which is account-id order: the order the engine checks legs in.
SPECS = {
    "issuance": Spec(AccountKind.SYSTEM, "MLC", None, None),
    "external": Spec(AccountKind.SYSTEM, "EUR", None, None),
    "reserve:digital": Spec(AccountKind.ASSOCIATION, "EUR", None, 0),
    "alice": Spec(AccountKind.MEMBER, "MLC", 0, None),
    "bob": Spec(AccountKind.MEMBER, "MLC", 0, None),
    "carol": Spec(AccountKind.MEMBER, "MLC", -5000, None),  # a credit line of 50.00
    "shop": Spec(AccountKind.BUSINESS, "MLC", 0, 15000),  # may hold at most 150.00
}
MLC_ACCOUNTS = [code for code, spec in SPECS.items() if spec.currency == "MLC"]
HOLDERS = ["alice", "bob", "carol", "shop"]
ORDER = {code: index for index, code in enumerate(SPECS)}

# Mostly everyday amounts, sometimes large ones that run into the limits.
amounts = st.integers(min_value=1, max_value=3000) | st.integers(min_value=1, max_value=30000)
mlc_accounts = st.sampled_from(MLC_ACCOUNTS)
holders = st.sampled_from(HOLDERS)

Factory = Callable[[], tuple[Database, Cleanup]]

BadRequest = Callable[[Engine, str, str], object]
BAD_REQUESTS: dict[str, tuple[type[Exception], BadRequest]] = {
    "unknown debit": (
        UnknownAccount,
        lambda ledger, account, key: ledger.transfer("nobody", account, 1, idempotency_key=key),
    ),
    "unknown credit": (
        UnknownAccount,
        lambda ledger, account, key: ledger.transfer(account, "nobody", 1, idempotency_key=key),
    ),
    "zero amount": (
        InvalidAmount,
        lambda ledger, account, key: ledger.transfer("issuance", account, 0, idempotency_key=key),
    ),
    "negative amount": (
        InvalidAmount,
        lambda ledger, account, key: ledger.transfer("issuance", account, -5, idempotency_key=key),
    ),
    "hold in another currency": (
        CurrencyMismatch,
        lambda ledger, account, key: ledger.place_hold(account, "external", 1, idempotency_key=key),
    ),
    "unknown transaction": (
        UnknownTransaction,
        lambda ledger, account, key: ledger.reverse(10**9, idempotency_key=key),
    ),
    "unbalanced": (
        Unbalanced,
        lambda ledger, account, key: ledger.post(
            TransferRequest(legs=(Leg(account, -2), Leg("issuance", 1))), idempotency_key=key
        ),
    ),
}


@dataclass
class ModelHold:
    debit: str
    credit: str
    amount: int
    status: HoldStatus
    placed_at: int  # model minutes
    ttl: int | None  # minutes


@dataclass(frozen=True, slots=True)
class Done:
    """A successful call, to replay under its key (same result) or misuse (conflict)."""

    key: str
    replay: Callable[[], int]
    result: int


class Model:
    """What the ledger should hold, in plain Python."""

    def __init__(self) -> None:
        self.balances = dict.fromkeys(SPECS, 0)
        self.held = dict.fromkeys(SPECS, 0)
        self.holds: dict[int, ModelHold] = {}
        self.transactions: dict[int, dict[str, int]] = {}
        self.reversed: set[int] = set()
        self.reversals: set[int] = set()
        self.minutes = 0

    def refusal(self, legs: dict[str, int]) -> type[Exception] | None:
        """The error the engine raises for these legs, or None if they post."""
        for code in sorted(legs, key=ORDER.__getitem__):
            amount, spec = legs[code], SPECS[code]
            after = self.balances[code] + amount
            if amount < 0 and spec.lower is not None and after - self.held[code] < spec.lower:
                return InsufficientFunds
            if amount > 0 and spec.upper is not None and after > spec.upper:
                return LimitExceeded
        return None

    def apply(self, transaction_id: int, legs: dict[str, int]) -> None:
        for code, amount in legs.items():
            self.balances[code] += amount
        self.transactions[transaction_id] = legs

    def available(self, code: str) -> int | None:
        lower = SPECS[code].lower
        return None if lower is None else self.balances[code] - self.held[code] - lower

    def expired(self, hold: ModelHold) -> bool:
        return hold.ttl is not None and self.minutes - hold.placed_at >= hold.ttl

    def release(self, hold: ModelHold, status: HoldStatus) -> None:
        hold.status = status
        self.held[hold.debit] -= hold.amount


def expect(error: type[Exception] | None, call: Callable[[], Any]) -> Any:
    """Call, and check it raises ``error`` (or succeeds when ``error`` is None)."""
    if error is None:
        return call()
    with pytest.raises(error):
        call()
    return None


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self, factory: Factory) -> None:
        super().__init__()
        self.database, self.cleanup = factory()
        self.clock = SteppingClock()
        self.ledger = standard_ledger(self.database, clock=self.clock)
        for code in HOLDERS:
            spec = SPECS[code]
            self.ledger.open_account(
                code,
                kind=spec.kind,
                currency=spec.currency,
                lower_limit=spec.lower,
                upper_limit=spec.upper,
            )
        self.model = Model()
        self.done: list[Done] = []
        self._keys = count(1)
        for code in HOLDERS:
            self.convert(code, 10000)

    def teardown(self) -> None:
        self.cleanup()

    def key(self) -> str:
        return f"key-{next(self._keys)}"

    def post(self, request: TransferRequest, legs: dict[str, int]) -> None:
        """Post ``request`` whose effect is ``legs``, as the model predicts."""
        key = self.key()
        tx = expect(
            self.model.refusal(legs), lambda: self.ledger.post(request, idempotency_key=key)
        )
        if tx is not None:
            assert {p.account: p.amount for p in tx.postings} == legs
            self.model.apply(tx.id, legs)
            self.remember(key, lambda: self.ledger.post(request, idempotency_key=key).id, tx.id)

    def remember(self, key: str, replay: Callable[[], int], result: int) -> None:
        self.done.append(Done(key, replay, result))

    # Moving money ------------------------------------------------------------------------

    @rule(debit=mlc_accounts, credit=mlc_accounts, amount=amounts)
    def transfer(self, debit: str, credit: str, amount: int) -> None:
        if debit == credit:
            expect(InvalidRequest, lambda: TransferRequest.simple(debit, credit, amount))
            return
        self.post(TransferRequest.simple(debit, credit, amount), {debit: -amount, credit: amount})

    @rule(member=holders, amount=amounts)
    def convert(self, member: str, amount: int) -> None:
        legs = {"reserve:digital": -amount, "external": amount, "issuance": -amount}
        legs[member] = amount
        self.post(TransferRequest(legs=tuple(Leg(c, a) for c, a in legs.items())), legs)

    @rule(member=holders, amount=amounts)
    def reconvert(self, member: str, amount: int) -> None:
        legs = {member: -amount, "issuance": amount, "external": -amount}
        legs["reserve:digital"] = amount
        self.post(TransferRequest(legs=tuple(Leg(c, a) for c, a in legs.items())), legs)

    @rule(
        transfers=st.lists(
            st.tuples(holders, mlc_accounts, amounts).filter(lambda t: t[0] != t[1]),
            min_size=1,
            max_size=3,
        )
    )
    def batch(self, transfers: list[tuple[str, str, int]]) -> None:
        trial = Model()
        trial.balances, trial.held = dict(self.model.balances), dict(self.model.held)
        error: type[Exception] | None = None
        for debit, credit, amount in transfers:
            legs = {debit: -amount, credit: amount}
            error = trial.refusal(legs)
            if error is not None:
                break
            trial.apply(0, legs)
        requests = [TransferRequest.simple(d, c, a) for d, c, a in transfers]
        key = self.key()
        posted = expect(error, lambda: self.ledger.batch(requests, idempotency_key=key))
        if posted is not None:
            assert len({tx.batch for tx in posted}) == 1
            for tx, (debit, credit, amount) in zip(posted, transfers, strict=True):
                self.model.apply(tx.id, {debit: -amount, credit: amount})

            def replay() -> int:
                return int(self.ledger.batch(requests, idempotency_key=key)[0].id)

            self.remember(key, replay, posted[0].id)

    # Holds -------------------------------------------------------------------------------

    @rule(
        debit=holders,
        credit=mlc_accounts,
        amount=amounts,
        ttl=st.none() | st.sampled_from([15, 30, 60]),
    )
    def hold(self, debit: str, credit: str, amount: int, ttl: int | None) -> None:
        available = self.model.available(debit)
        error: type[Exception] | None = None
        if debit == credit:
            error = InvalidRequest
        elif available is not None and amount > available:
            error = InsufficientFunds
        expires_at = None if ttl is None else self.clock() + timedelta(minutes=ttl)
        key = self.key()

        def place() -> int:
            held = self.ledger.place_hold(
                debit, credit, amount, idempotency_key=key, expires_at=expires_at
            )
            return held.id

        hold_id = expect(error, place)
        if hold_id is not None:
            self.model.holds[hold_id] = ModelHold(
                debit, credit, amount, HoldStatus.PENDING, self.model.minutes, ttl
            )
            self.model.held[debit] += amount
            self.remember(key, place, hold_id)

    @precondition(lambda self: self.model.holds)
    @rule(data=st.data(), partial=st.booleans())
    def post_hold(self, data: st.DataObject, partial: bool) -> None:
        hold_id = data.draw(st.sampled_from(sorted(self.model.holds)), label="hold")
        hold = self.model.holds[hold_id]
        amount = data.draw(st.integers(1, hold.amount + 50), label="amount") if partial else None
        to_post = hold.amount if amount is None else amount
        legs = {hold.debit: -to_post, hold.credit: to_post}
        error: type[Exception] | None
        if to_post > hold.amount:
            error = InvalidAmount
        elif hold.status is not HoldStatus.PENDING:
            error = HoldNotPending
        elif self.model.expired(hold):
            error = HoldExpired
        else:
            self.model.held[hold.debit] -= hold.amount  # released before the transfer
            error = self.model.refusal(legs)
            self.model.held[hold.debit] += hold.amount
        key = self.key()

        def settle() -> int:
            return int(self.ledger.post_hold(hold_id, idempotency_key=key, amount=amount).id)

        transaction_id = expect(error, settle)
        if transaction_id is not None:
            self.model.release(hold, HoldStatus.POSTED)
            self.model.apply(transaction_id, legs)
            self.remember(key, settle, transaction_id)

    @precondition(lambda self: self.model.holds)
    @rule(data=st.data())
    def void_hold(self, data: st.DataObject) -> None:
        hold_id = data.draw(st.sampled_from(sorted(self.model.holds)), label="hold")
        hold = self.model.holds[hold_id]
        error: type[Exception] | None = None
        if hold.status is not HoldStatus.PENDING:
            error = HoldNotPending
        elif self.model.expired(hold):
            error = HoldExpired
        voided = expect(error, lambda: self.ledger.void_hold(hold_id))
        if voided is not None:
            assert voided.status is HoldStatus.VOIDED
            self.model.release(hold, HoldStatus.VOIDED)

    @rule(minutes=st.sampled_from([5, 15, 30]))  # coarse, so expiries are hit exactly
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))
        self.model.minutes += minutes

    @rule()
    def expire_holds(self) -> None:
        due = {
            hold_id
            for hold_id, hold in self.model.holds.items()
            if hold.status is HoldStatus.PENDING and self.model.expired(hold)
        }
        expired = self.ledger.expire_holds()
        assert {hold.id for hold in expired} == due
        for hold_id in due:
            self.model.release(self.model.holds[hold_id], HoldStatus.EXPIRED)

    # Reversals ---------------------------------------------------------------------------

    @precondition(lambda self: self.model.transactions)
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        original = data.draw(st.sampled_from(sorted(self.model.transactions)), label="tx")
        legs = {code: -amount for code, amount in self.model.transactions[original].items()}
        error: type[Exception] | None
        if original in self.model.reversals:
            error = InvalidRequest
        elif original in self.model.reversed:
            error = AlreadyReversed
        else:
            error = self.model.refusal(legs)
        key = self.key()

        def undo() -> int:
            return int(self.ledger.reverse(original, idempotency_key=key).id)

        reversal = expect(error, undo)
        if reversal is not None:
            self.model.apply(reversal, legs)
            self.model.reversed.add(original)
            self.model.reversals.add(reversal)
            self.remember(key, undo, reversal)

    # Keys and bad requests ------------------------------------------------------------

    @precondition(lambda self: self.done)
    @rule(data=st.data())
    def retry_with_the_same_key(self, data: st.DataObject) -> None:
        done = data.draw(st.sampled_from(self.done), label="done")
        assert done.replay() == done.result

    @precondition(lambda self: self.done)
    @rule(data=st.data())
    def reuse_a_key_for_another_request(self, data: st.DataObject) -> None:
        done = data.draw(st.sampled_from(self.done), label="done")
        expect(
            IdempotencyConflict,
            lambda: self.ledger.transfer(
                "issuance", "bob", 1, idempotency_key=done.key, memo="another request"
            ),
        )

    @rule(debit=holders, beyond=st.integers(min_value=1, max_value=100))
    def spend_more_than_available(self, debit: str, beyond: int) -> None:
        # Just past what is available, so money on hold is what makes it fail.
        available = self.model.available(debit)
        assert available is not None
        amount = available + beyond
        legs = {debit: -amount, "issuance": amount}
        assert self.model.refusal(legs) is InsufficientFunds
        self.post(TransferRequest.simple(debit, "issuance", amount), legs)

    @rule(case=st.sampled_from(sorted(BAD_REQUESTS)), account=holders)
    def bad_request(self, case: str, account: str) -> None:
        error, call = BAD_REQUESTS[case]
        expect(error, lambda: call(self.ledger, account, self.key()))

    # What must hold after every step --------------------------------------------------------

    @invariant()
    def books_match_the_model(self) -> None:
        rows = self.database.read(lambda conn: conn.execute(_ACCOUNTS_WITH_POSTINGS).all())
        per_currency: dict[str, int] = {}
        for row in rows:
            spec = SPECS[row.code]
            assert row.balance == row.total == self.model.balances[row.code], row.code
            assert row.held == self.model.held[row.code], row.code
            if spec.lower is not None:
                assert row.balance - row.held >= spec.lower, row.code
            if spec.upper is not None:
                assert row.balance <= spec.upper, row.code
            per_currency[row.currency] = per_currency.get(row.currency, 0) + row.balance
        assert per_currency == {"MLC": 0, "EUR": 0}

    @invariant()
    def transactions_and_holds_match_the_model(self) -> None:
        stored_transactions, stored_holds = self.database.read(
            lambda conn: (
                conn.execute(select(func.count()).select_from(transactions)).scalar_one(),
                {row.id: row.status for row in conn.execute(select(holds.c.id, holds.c.status))},
            )
        )
        assert stored_transactions == len(self.model.transactions)
        assert stored_holds == {i: str(h.status) for i, h in self.model.holds.items()}

    @invariant()
    def journal_verifies(self) -> None:
        self.ledger.seal_journal()
        verification = self.ledger.verify_journal()
        assert verification.ok, verification.discrepancies
        assert verification.entries == len(self.model.transactions)


_totals = (
    select(postings.c.account_id, func.sum(postings.c.amount).label("total"))
    .group_by(postings.c.account_id)
    .subquery()
)
_ACCOUNTS_WITH_POSTINGS = select(
    accounts.c.code,
    accounts.c.currency,
    accounts.c.balance,
    accounts.c.held,
    func.coalesce(_totals.c.total, 0).label("total"),
).outerjoin(_totals, _totals.c.account_id == accounts.c.id)


def run(factory: Factory, *, examples: int, steps: int) -> None:
    class Machine(LedgerMachine):
        def __init__(self) -> None:
            super().__init__(factory)

    run_state_machine_as_test(
        Machine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


def test_ledger_agrees_with_its_model_on_sqlite() -> None:
    run(fresh_sqlite, examples=30, steps=30)


@pytest.mark.postgres
def test_ledger_agrees_with_its_model_on_postgresql(postgres_database: Database) -> None:
    # The fixture is only the gate: it skips (and says so) when the server is unreachable.
    # Each example needs a schema of its own, made by fresh_postgres.
    del postgres_database
    run(lambda: fresh_postgres(POSTGRES_URL), examples=8, steps=20)
