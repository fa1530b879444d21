"""Paying payment requests: the money moves once, the receipt verifies, retries replay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from monnaie_locale import checkout
from monnaie_locale.checkout.pay import PAYMENT_KIND
from monnaie_locale.payments import verify_receipt
from monnaie_locale.store.tables import journal
from tests.checkout.conftest import ALICE_FUNDS, BOB_FUNDS, HOST, Shop


def test_paying_a_dynamic_request_moves_its_amount_from_payer_to_merchant(shop: Shop) -> None:
    issued = shop.issue_dynamic(12_50, reference="T1-0042")
    before = shop.counts()

    payment = shop.pay(issued.url(host=HOST), payer="alice", key="pay-1")

    legs = {(p.account, p.amount) for p in payment.transaction.postings}
    assert legs == {("alice", -12_50), ("bakery", 12_50)}
    assert payment.transaction.kind == PAYMENT_KIND
    assert payment.transaction.reference == f"request:{issued.request_id}"
    assert shop.balance("alice") == ALICE_FUNDS - 12_50
    assert shop.balance("bakery") == 12_50
    after = shop.counts()
    assert (after.postings, after.transactions, after.payments, after.events) == (
        before.postings + 2,
        before.transactions + 1,
        before.payments + 1,
        before.events + 1,
    )
    stored = shop.database.read(lambda conn: checkout.get_request(conn, issued.request_id))
    assert stored.status is checkout.RequestStatus.PAID


def test_receipt_is_signed_and_verifies_against_the_published_keys(shop: Shop) -> None:
    issued = shop.issue_dynamic(7_00)

    payment = shop.pay(issued.token, payer="bob", key="pay-r")

    receipt = verify_receipt(payment.receipt, keys=shop.keyring.jwks()["keys"])
    assert receipt.amount_cents == 7_00
    assert receipt.payer_account == shop.account_id("bob")
    assert receipt.payee_account == shop.account_id("bakery")
    assert receipt.request_id == issued.request_id
    assert receipt.transaction_id == str(payment.transaction.id)
    assert receipt.currency == "MLC"


def test_retry_with_the_same_key_returns_the_first_receipt_and_moves_nothing(shop: Shop) -> None:
    issued = shop.issue_dynamic(20_00)
    first = shop.pay(issued.token, payer="alice", key="pay-same")
    before = shop.counts()

    again = shop.pay(issued.token, payer="alice", key="pay-same")

    assert again.replayed and not first.replayed
    assert again.receipt == first.receipt
    assert again.transaction.id == first.transaction.id
    assert shop.counts() == before
    assert shop.balance("alice") == ALICE_FUNDS - 20_00


def test_a_static_request_is_paid_many_times_with_the_amounts_typed(shop: Shop) -> None:
    counter = shop.issue_static(merchant_account="town:pool", reference="POOL")

    first = shop.pay(counter.token, payer="alice", key="s-1", amount=3_20)
    second = shop.pay(counter.token, payer="bob", key="s-2", amount=8_00)

    assert first.id != second.id
    assert shop.balance("town:pool") == 3_20 + 8_00
    assert shop.balance("bob") == BOB_FUNDS - 8_00
    stored = shop.database.read(lambda conn: checkout.get_request(conn, counter.request_id))
    assert stored.status is checkout.RequestStatus.OPEN


def test_dynamic_request_accepts_its_own_amount_typed_again(shop: Shop) -> None:
    issued = shop.issue_dynamic(4_00)

    payment = shop.pay(issued.token, payer="alice", key="k", amount=4_00)

    assert payment.amount == 4_00


def test_preview_names_the_payee_from_the_account_table(shop: Shop) -> None:
    issued = shop.issue_dynamic(9_99, reference="SALE 7")

    preview = shop.database.read(
        lambda conn: checkout.preview(
            conn,
            issued.url(host=HOST),
            keyring=shop.keyring,
            deployment_id=shop.deployment_id,
            clock=shop.clock,
        )
    )

    assert preview.payee.code == "bakery"
    assert preview.payee.id == shop.account_id("bakery")
    assert preview.request.amount == 9_99
    assert preview.request.reference == "SALE 7"


def test_get_payment_reads_back_what_pay_returned(shop: Shop) -> None:
    payment = shop.pay(shop.issue_dynamic(1_00).token, payer="alice", key="g")

    loaded = shop.database.read(lambda conn: checkout.get_payment(conn, payment.id))

    assert loaded.receipt == payment.receipt
    assert (loaded.payer_account, loaded.merchant_account, loaded.amount) == (
        "alice",
        "bakery",
        1_00,
    )


def test_a_retry_after_expiry_still_returns_the_first_receipt(shop: Shop) -> None:
    issued = shop.issue_dynamic(2_00, ttl=timedelta(minutes=1))
    first = shop.pay(issued.url(host=HOST), payer="alice", key="k")
    shop.advance(timedelta(minutes=5))
    before = shop.counts()

    again = shop.pay(issued.url(host=HOST), payer="alice", key="k")

    assert again.replayed and again.receipt == first.receipt
    assert shop.counts() == before


def test_receipt_names_the_journal_entry_once_known_else_zero(shop: Shop) -> None:
    payment = shop.pay(shop.issue_dynamic(1_00).token, payer="alice", key="j", seal=False)

    sealed = shop.database.read(
        lambda conn: conn.execute(
            select(journal.c.seq).where(journal.c.transaction_id == payment.transaction.id)
        ).scalar()
    )

    # SQLite chains the journal inside the paying transaction; PostgreSQL seals afterwards.
    assert payment.receipt["receipt"]["journal_sequence"] == (sealed or 0)
    assert shop.database.is_postgres or sealed is not None


def test_the_package_exports_every_name_it_lists() -> None:
    missing = [name for name in checkout.__all__ if not hasattr(checkout, name)]

    assert missing == []
    assert sorted(checkout.__all__) == checkout.__all__
