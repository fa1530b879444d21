"""Every attack on a payment request is refused with a clear error, and nothing moves.

Each test compares the rows of every table a payment writes (postings, transactions,
payments, events, webhook deliveries, open requests) and the ledger's balances, keys and
journal before and after the refused call.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import pytest
import zxingcpp
from PIL import Image

from monnaie_locale import checkout
from monnaie_locale.checkout import errors
from monnaie_locale.errors import (
    AccountNotActive,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidRequest,
    MonnaieLocaleError,
    UnknownAccount,
)
from monnaie_locale.model import AccountStatus
from monnaie_locale.payments import (
    PaymentRequest,
    RequestKind,
    SigningKey,
    encode_request,
    new_request_id,
)
from monnaie_locale.payments.request import MAX_TTL_SECONDS
from tests.checkout import tampering
from tests.checkout.conftest import ALICE_FUNDS, HOST, Shop
from tests.support import snapshot

E = TypeVar("E", bound=MonnaieLocaleError)


def refused(shop: Shop, error: type[E], call: Callable[[], object]) -> E:
    """Run ``call``, expect ``error``, and check that neither the ledger (balances, postings,
    transactions, idempotency keys, journal) nor the checkout tables moved."""
    before = (shop.counts(), snapshot(shop.database))
    with pytest.raises(error) as caught:
        call()
    assert (shop.counts(), snapshot(shop.database)) == before, "a refused payment wrote"
    return caught.value


def test_tampered_amount_is_refused_as_forged(shop: Shop) -> None:
    issued = shop.issue_dynamic(50_00)
    cheaper = tampering.replace_amount(issued.token, 50)

    error = refused(
        shop,
        errors.ForgedPaymentRequest,
        lambda: shop.pay(cheaper, payer="alice", key="k"),
    )

    assert "altered or forged" in error.message


def test_tampered_payee_is_refused_as_forged(shop: Shop) -> None:
    issued = shop.issue_dynamic(10_00)
    rerouted = tampering.replace_merchant(issued.token, shop.account_id("grocer"))

    refused(
        shop,
        errors.ForgedPaymentRequest,
        lambda: shop.pay(rerouted, payer="alice", key="k"),
    )
    assert shop.balance("grocer") == 0


def test_signature_by_a_foreign_key_under_our_key_id_is_refused(shop: Shop) -> None:
    issued = shop.issue_dynamic(10_00)
    attacker = SigningKey.generate()
    body = tampering.payload(issued.token)
    forged = tampering.base32(body + attacker.sign(body))

    refused(shop, errors.ForgedPaymentRequest, lambda: shop.pay(forged, payer="alice", key="k"))


def test_request_signed_with_an_unknown_key_id_is_refused(shop: Shop) -> None:
    attacker = SigningKey.generate()
    request = PaymentRequest(
        kind=RequestKind.DYNAMIC,
        deployment_id=shop.deployment_id,
        merchant_account_id=shop.account_id("grocer"),
        request_id=new_request_id(),
        amount_cents=10_00,
        issued_at=int(shop.clock().timestamp()),
        ttl_seconds=600,
    )
    token = encode_request(request, key=attacker)

    error = refused(shop, errors.UnknownSigningKey, lambda: shop.pay(token, payer="alice", key="k"))

    assert error.key_id == attacker.key_id.hex()


def test_request_from_another_deployment_is_refused(shop: Shop) -> None:
    request = PaymentRequest(
        kind=RequestKind.DYNAMIC,
        deployment_id=shop.deployment_id + 1,
        merchant_account_id=shop.account_id("bakery"),
        request_id=new_request_id(),
        amount_cents=10_00,
        issued_at=int(shop.clock().timestamp()),
        ttl_seconds=600,
    )
    token = encode_request(request, key=shop.keyring.active)

    error = refused(
        shop, errors.ForeignPaymentRequest, lambda: shop.pay(token, payer="alice", key="k")
    )

    assert (error.expected, error.found) == (shop.deployment_id, shop.deployment_id + 1)


def test_expired_request_is_refused(shop: Shop) -> None:
    issued = shop.issue_dynamic(10_00, ttl=timedelta(minutes=2))
    shop.advance(timedelta(minutes=3))

    refused(
        shop, errors.PaymentRequestExpired, lambda: shop.pay(issued.token, payer="alice", key="k")
    )


def test_a_request_is_payable_until_its_expires_at_and_not_a_second_longer(shop: Shop) -> None:
    late = shop.issue_dynamic(10_00, ttl=timedelta(minutes=2))
    in_time = shop.issue_dynamic(5_00, ttl=timedelta(minutes=2))
    shop.clock.advance(late.expires_at - shop.clock())

    refused(
        shop, errors.PaymentRequestExpired, lambda: shop.pay(late.token, payer="alice", key="k")
    )
    shop.clock.advance(timedelta(seconds=-2))
    assert shop.pay(in_time.token, payer="alice", key="k2").amount == 5_00


def test_paid_request_replayed_by_another_payer_is_refused(shop: Shop) -> None:
    issued = shop.issue_dynamic(10_00)
    shop.pay(issued.token, payer="alice", key="alice-1")

    error = refused(
        shop,
        errors.RequestAlreadyPaid,
        lambda: shop.pay(issued.token, payer="bob", key="bob-1"),
    )

    assert "already paid" in error.message


def test_paid_request_replayed_by_the_same_payer_under_a_new_key_is_refused(shop: Shop) -> None:
    issued = shop.issue_dynamic(10_00)
    shop.pay(issued.token, payer="alice", key="alice-1")

    refused(
        shop,
        errors.RequestAlreadyPaid,
        lambda: shop.pay(issued.token, payer="alice", key="alice-2"),
    )
    assert shop.balance("alice") == ALICE_FUNDS - 10_00


@pytest.mark.parametrize("amount", [None, 0, -5, True, 2.5])
def test_static_request_without_a_positive_whole_amount_is_refused(
    shop: Shop, amount: object
) -> None:
    counter = shop.issue_static()

    error = refused(
        shop,
        errors.AmountRequired,
        lambda: shop.pay(counter.token, payer="alice", key="k", amount=amount),
    )

    assert "type the amount" in error.message


def test_payment_to_a_frozen_merchant_is_refused(shop: Shop) -> None:
    issued = shop.issue_dynamic(10_00)
    shop.ledger.set_status("bakery", AccountStatus.FROZEN)

    error = refused(
        shop, errors.PayeeUnavailable, lambda: shop.pay(issued.token, payer="alice", key="k")
    )

    assert error.status == "frozen"


def test_payer_without_the_funds_is_refused_by_the_ledger(shop: Shop) -> None:
    issued = shop.issue_dynamic(ALICE_FUNDS + 1)

    error = refused(shop, InsufficientFunds, lambda: shop.pay(issued.token, payer="alice", key="k"))

    assert error.account == "alice"


def test_a_refused_payment_leaves_the_request_open_for_the_next_payer(shop: Shop) -> None:
    issued = shop.issue_dynamic(ALICE_FUNDS + 1)
    refused(shop, InsufficientFunds, lambda: shop.pay(issued.token, payer="alice", key="a"))
    shop.ledger.transfer("issuance", "bob", ALICE_FUNDS, idempotency_key="more-bob")

    payment = shop.pay(issued.token, payer="bob", key="b")

    assert payment.amount == ALICE_FUNDS + 1


def test_frozen_payer_is_refused(shop: Shop) -> None:
    issued = shop.issue_dynamic(10_00)
    shop.ledger.set_status("alice", AccountStatus.FROZEN)

    refused(shop, AccountNotActive, lambda: shop.pay(issued.token, payer="alice", key="k"))


def test_another_amount_for_a_dynamic_request_is_refused(shop: Shop) -> None:
    issued = shop.issue_dynamic(10_00)

    error = refused(
        shop,
        errors.AmountFixed,
        lambda: shop.pay(issued.token, payer="alice", key="k", amount=1_00),
    )

    assert (error.requested, error.given) == (10_00, 1_00)


def test_merchant_cannot_pay_its_own_request(shop: Shop) -> None:
    shop.ledger.transfer("issuance", "bakery", 20_00, idempotency_key="fund-bakery")
    issued = shop.issue_dynamic(10_00)

    refused(shop, errors.PayerNotAllowed, lambda: shop.pay(issued.token, payer="bakery", key="k"))


def test_cancelled_request_is_refused(shop: Shop) -> None:
    issued = shop.issue_dynamic(10_00)
    shop.database.write(
        lambda conn: checkout.cancel_request(conn, issued.request_id, merchant_account="bakery")
    )

    refused(shop, errors.RequestCancelled, lambda: shop.pay(issued.token, payer="alice", key="k"))


def test_reusing_a_key_for_another_request_is_refused(shop: Shop) -> None:
    shop.pay(shop.issue_dynamic(1_00).token, payer="alice", key="same-key")
    other = shop.issue_dynamic(2_00)

    refused(
        shop,
        IdempotencyConflict,
        lambda: shop.pay(other.token, payer="alice", key="same-key"),
    )


@pytest.mark.parametrize(
    "text",
    ["", "hello", "HTTPS://PAY.EXAMPLE.ORG/R/", "HTTPS://PAY.EXAMPLE.ORG/R/AAAA", "A" * 600],
)
def test_text_that_is_no_payment_request_is_refused(shop: Shop, text: str) -> None:
    refused(shop, errors.MalformedPaymentRequest, lambda: shop.pay(text, payer="alice", key="k"))


def test_flipped_bit_in_a_decoded_qr_is_refused(shop: Shop) -> None:
    issued = shop.issue_dynamic(10_00)
    decoded = zxingcpp.read_barcode(
        Image.open(io.BytesIO(issued.png(host=HOST, scale=4))).convert("L")
    )
    assert decoded is not None and decoded.text == issued.url(host=HOST)
    token = decoded.text.rsplit("/", 1)[1]

    refused(
        shop,
        errors.ForgedPaymentRequest,
        lambda: shop.pay(tampering.flip_request_id_bit(token), payer="alice", key="k"),
    )
    assert shop.pay(decoded.text, payer="alice", key="k").amount == 10_00


def test_ttl_beyond_what_a_code_can_carry_is_refused_at_issue(shop: Shop) -> None:
    with pytest.raises(MonnaieLocaleError, match="lives between"):
        shop.issue_static(ttl=timedelta(seconds=MAX_TTL_SECONDS + 1))


@pytest.mark.parametrize(
    ("payer", "reason"),
    [("issuance", "does not pay merchants"), ("reserve:digital", "holds EUR")],
)
def test_accounts_that_are_no_wallet_cannot_pay(shop: Shop, payer: str, reason: str) -> None:
    issued = shop.issue_dynamic(1_00)

    error = refused(
        shop, errors.PayerNotAllowed, lambda: shop.pay(issued.token, payer=payer, key="k")
    )

    assert reason in error.message


def test_unknown_payer_is_refused(shop: Shop) -> None:
    issued = shop.issue_dynamic(1_00)

    refused(shop, UnknownAccount, lambda: shop.pay(issued.token, payer="mallory", key="k"))


@pytest.mark.parametrize("key", ["", "k" * 500])
def test_idempotency_key_must_be_usable(shop: Shop, key: str) -> None:
    issued = shop.issue_dynamic(1_00)

    refused(shop, InvalidRequest, lambda: shop.pay(issued.token, payer="alice", key=key))


def test_expired_request_retried_by_another_payer_is_still_refused(shop: Shop) -> None:
    issued = shop.issue_dynamic(1_00, ttl=timedelta(minutes=1))
    shop.pay(issued.token, payer="alice", key="alice-key")
    shop.advance(timedelta(minutes=5))

    refused(
        shop,
        errors.PaymentRequestExpired,
        lambda: shop.pay(issued.token, payer="bob", key="alice-key"),
    )


def test_cancelled_counter_code_is_refused(shop: Shop) -> None:
    counter = shop.issue_static()
    shop.database.write(
        lambda conn: checkout.cancel_request(conn, counter.request_id, merchant_account="bakery")
    )

    refused(
        shop,
        errors.RequestCancelled,
        lambda: shop.pay(counter.token, payer="alice", key="k", amount=1_00),
    )
