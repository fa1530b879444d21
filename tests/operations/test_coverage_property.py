"""Property: whatever the sequence of operations, the reserve covers the circulation, and
covers it exactly once nothing is pending."""

from __future__ import annotations

import uuid
from datetime import date
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monnaie_locale.errors import MonnaieLocaleError
from monnaie_locale.ledger import service
from monnaie_locale.model import TransferRequest
from monnaie_locale.operations import conversion, notes, offices, payouts, reconversion
from monnaie_locale.operations.errors import CoverageViolation
from tests.operations.conftest import BAKERY_IBAN, Books

HOLDERS = ("alice", "bob", "bakery", "town:regie-pool")
RECONVERTERS = ("bakery", "town:regie-pool")
amounts = st.integers(min_value=1, max_value=20000)
denominations = st.sampled_from((1000, 2000))
counts = st.integers(min_value=1, max_value=5)
pick = st.integers(min_value=0, max_value=10)

actions = st.one_of(
    st.tuples(st.just("order"), st.sampled_from(HOLDERS), amounts),
    st.tuples(st.just("credit"), pick),
    st.tuples(st.just("cancel_order"), pick),
    st.tuples(st.just("card"), st.sampled_from(HOLDERS), amounts),
    st.tuples(st.just("cash"), st.sampled_from(HOLDERS), amounts),
    st.tuples(st.just("pay"), st.sampled_from(HOLDERS), st.sampled_from(HOLDERS), amounts),
    st.tuples(st.just("print"), denominations, st.integers(min_value=1, max_value=30)),
    st.tuples(st.just("deliver"), denominations, st.integers(min_value=1, max_value=20)),
    st.tuples(st.just("sell"), denominations, counts),
    st.tuples(st.just("deposit"), st.sampled_from(HOLDERS), denominations, counts),
    st.tuples(st.just("destroy"), denominations, counts),
    st.tuples(st.just("lose"), denominations, counts),
    st.tuples(st.just("find"), denominations, counts),
    st.tuples(st.just("bank_till"), amounts),
    st.tuples(st.just("receive_deposits")),
    st.tuples(st.just("short_till"), st.integers(min_value=1, max_value=500)),
    st.tuples(st.just("reconvert"), st.sampled_from(RECONVERTERS), amounts),
    st.tuples(st.just("cancel_reconversion"), pick),
    st.tuples(st.just("batch"), pick),
    st.tuples(st.just("pay_batches")),
)


class Scenario:
    """Runs actions against the books, remembering what is pending."""

    def __init__(self, books: Books) -> None:
        self.books = books
        self.prefix = uuid.uuid4().hex[:8]
        self.step = 0
        self.orders: list[str] = []
        self.requests: list[int] = []
        self.deposits: list[int] = []

    def key(self) -> str:
        self.step += 1
        return f"{self.prefix}-{self.step}"

    def act(self, action: tuple[Any, ...]) -> None:
        try:
            getattr(self, f"do_{action[0]}")(*action[1:])
        except CoverageViolation:
            raise
        except MonnaieLocaleError:
            pass  # a refusal is fine; it must have changed nothing, which coverage checks

    def do_order(self, account: str, amount: int) -> None:
        order = self.books.run(
            conversion.order_conversion, account=account, amount=amount, idempotency_key=self.key()
        )
        assert order.reference is not None
        self.orders.append(order.reference)

    def _order(self, index: int) -> conversion.Conversion | None:
        if not self.orders:
            return None
        reference = self.orders[index % len(self.orders)]
        return self.books.read(conversion.order_by_reference, reference)

    def do_credit(self, index: int) -> None:
        order = self._order(index)
        if order is not None:
            self.books.run(
                conversion.credit_conversion_order,
                reference=order.reference,
                amount=order.amount,
                bank_reference=self.key(),
            )

    def do_cancel_order(self, index: int) -> None:
        order = self._order(index)
        if order is not None and order.reference is not None:
            self.books.plain(conversion.cancel_conversion_order, reference=order.reference)

    def do_card(self, account: str, amount: int) -> None:
        key = self.key()
        self.books.run(
            conversion.convert_by_card,
            account=account,
            amount=amount,
            payment_reference=key,
            idempotency_key=key,
        )

    def do_cash(self, account: str, amount: int) -> None:
        self.books.run(
            conversion.convert_cash,
            office="3",
            account=account,
            amount=amount,
            idempotency_key=self.key(),
        )

    def do_pay(self, debit: str, credit: str, amount: int) -> None:
        if debit != credit:
            request = TransferRequest.simple(debit, credit, amount)
            self.books.write(
                lambda conn: service.post_transfer(
                    conn, request, idempotency_key=self.key(), clock=self.books.clock
                )
            )

    def _notes(self, operation: Any, denomination: int, count: int, **kw: Any) -> None:
        self.books.run(operation, bundle={denomination: count}, idempotency_key=self.key(), **kw)

    def do_print(self, denomination: int, count: int) -> None:
        self._notes(notes.print_notes, denomination, count)

    def do_deliver(self, denomination: int, count: int) -> None:
        self._notes(notes.deliver_notes, denomination, count, office="3")

    def do_sell(self, denomination: int, count: int) -> None:
        self._notes(notes.sell_notes, denomination, count, office="3")

    def do_deposit(self, account: str, denomination: int, count: int) -> None:
        self._notes(notes.deposit_notes, denomination, count, office="3", account=account)

    def do_destroy(self, denomination: int, count: int) -> None:
        self._notes(notes.destroy_notes, denomination, count, location="3")

    def do_lose(self, denomination: int, count: int) -> None:
        self._notes(notes.lose_notes, denomination, count, location="vault")

    def do_find(self, denomination: int, count: int) -> None:
        self._notes(notes.find_notes, denomination, count, location="vault")

    def do_bank_till(self, amount: int) -> None:
        deposit = self.books.run(
            offices.bank_till, office="3", amount=amount, idempotency_key=self.key()
        )
        self.deposits.append(deposit.id)

    def do_receive_deposits(self) -> None:
        for deposit_id in self.deposits:
            self.books.run(
                offices.receive_till_deposit, deposit_id=deposit_id, bank_reference=f"D{deposit_id}"
            )
        self.deposits.clear()

    def do_short_till(self, missing: int) -> None:
        expected = self.books.write(lambda conn: offices.till_cash(conn, "3"))
        self.books.run(
            offices.close_till,
            office="3",
            counted=max(expected - missing, 0),
            idempotency_key=self.key(),
        )

    def do_reconvert(self, account: str, amount: int) -> None:
        made = self.books.run(
            reconversion.request_reconversion,
            account=account,
            amount=amount,
            creditor_name="Holder",
            iban=BAKERY_IBAN,
            idempotency_key=self.key(),
        )
        self.requests.append(made.id)

    def _open_requests(self) -> list[int]:
        return [
            rid
            for rid in self.requests
            if self.books.read(reconversion.load_reconversion, rid).status == "requested"
        ]

    def do_cancel_reconversion(self, index: int) -> None:
        open_ids = self._open_requests()
        if open_ids:
            rid = open_ids[index % len(open_ids)]
            self.books.plain(reconversion.cancel_reconversion, request_id=rid)

    def do_batch(self, size: int) -> None:
        open_ids = self._open_requests()[: size + 1]
        if open_ids:
            self.books.run(
                payouts.validate_batch,
                request_ids=open_ids,
                validated_by="treasurer",
                idempotency_key=self.key(),
            )

    def do_pay_batches(self) -> None:
        batch_ids = {
            self.books.read(reconversion.load_reconversion, rid).batch_id for rid in self.requests
        }
        for batch_id in sorted(b for b in batch_ids if b is not None):
            batch = self.books.read(payouts.load_batch, batch_id)
            if batch.status == "paid":
                continue
            self.books.run(
                payouts.export_batch, batch_id=batch_id, execution_date=date(2026, 11, 3)
            )
            self.books.run(
                payouts.mark_batch_paid, batch_id=batch_id, bank_reference=f"B{batch_id}"
            )

    def settle_everything(self) -> None:
        """Finish or cancel whatever is pending."""
        for reference in self.orders:
            order = self.books.read(conversion.order_by_reference, reference)
            if order.status == "pending":
                self.do_cancel_order(self.orders.index(reference))
        for rid in self._open_requests():
            self.books.plain(reconversion.cancel_reconversion, request_id=rid)
        self.do_pay_batches()
        self.do_receive_deposits()


def assert_covered(books: Books) -> None:
    report = books.report()
    assert report.position.reserve_total >= report.position.circulation
    assert report.position.issued == report.position.circulation + report.position.stock_total


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(actions, min_size=5, max_size=40))
def test_any_sequence_of_operations_keeps_the_units_fully_backed(
    books: Books, steps: list[tuple[Any, ...]]
) -> None:
    # The association has euros of its own for lost notes and till shortages; the
    # examples share one database, so it is funded once per example under a fresh key.
    scenario = Scenario(books)
    books.fund_association(100_000, key=scenario.key())
    for action in steps:
        scenario.act(action)
        assert_covered(books)

    scenario.settle_everything()

    report = books.report()
    assert report.pending_conversions.count == 0
    assert report.pending_reconversions.count == 0
    assert report.discrepancies == ()
    if report.position.circulation:
        assert report.coverage == Fraction(1)
    else:
        assert report.position.reserve_total == 0
