"""Issuing payment requests: stored as signed, for merchants only, rendered on demand."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import zxingcpp
from PIL import Image

from monnaie_locale import checkout
from monnaie_locale.checkout import errors
from monnaie_locale.errors import InvalidAmount, InvalidRequest, UnknownAccount
from monnaie_locale.model import AccountStatus
from monnaie_locale.payments import RequestKind, decode_request
from monnaie_locale.payments.request import MAX_AMOUNT_CENTS
from tests.checkout.conftest import HOST, Shop


def test_dynamic_request_is_stored_open_with_what_it_signs(shop: Shop) -> None:
    issued = shop.issue_dynamic(12_50, reference="T1-0042", ttl=timedelta(minutes=5))

    signed = decode_request(
        issued.token,
        keyring=shop.keyring,
        deployment_id=shop.deployment_id,
        now=int(shop.clock().timestamp()),
    )
    assert signed.kind is RequestKind.DYNAMIC
    assert signed.amount_cents == 12_50
    assert signed.merchant_account_id == shop.account_id("bakery")
    assert signed.request_id.hex() == issued.request_id
    assert issued.status is checkout.RequestStatus.OPEN
    assert issued.expires_at - issued.issued_at == timedelta(minutes=5)
    stored = shop.database.read(lambda conn: checkout.get_request(conn, issued.request_id))
    assert stored == issued


def test_static_request_carries_no_amount(shop: Shop) -> None:
    issued = shop.issue_static(merchant_account="town:pool", reference="POOL")

    assert issued.kind is RequestKind.STATIC
    assert issued.amount == 0
    assert issued.merchant_account == "town:pool"


def test_url_is_uppercase_and_its_png_decodes_to_it(shop: Shop) -> None:
    issued = shop.issue_dynamic(3_00)

    url = issued.url(host=HOST.lower())
    decoded = zxingcpp.read_barcode(Image.open(io.BytesIO(issued.png(host=HOST))).convert("L"))

    assert url == f"HTTPS://{HOST}/R/{issued.token}"
    assert decoded is not None and decoded.text == url


def test_the_printable_sheet_names_the_merchant_from_the_account_table(shop: Shop) -> None:
    shop.name("bakery", "Boulangerie & Fils")
    issued = shop.issue_static()

    sheet = issued.sheet_svg(host=HOST, currency_name="Eusko")

    assert issued.svg(host=HOST).startswith("<svg")
    assert issued.merchant_name == "Boulangerie & Fils"
    assert "Boulangerie &amp; Fils" in sheet and ">bakery<" not in sheet
    assert 'width="105mm"' in sheet


def test_a_renamed_merchant_is_named_anew_on_its_existing_codes(shop: Shop) -> None:
    issued = shop.issue_static()
    shop.name("bakery", "Chez Maite")

    stored = shop.database.read(lambda conn: checkout.get_request(conn, issued.request_id))

    assert (issued.merchant_name, stored.merchant_name) == ("bakery", "Chez Maite")
    assert "Chez Maite" in stored.sheet_svg(host=HOST, currency_name="Eusko")


@pytest.mark.parametrize("code", ["alice", "issuance"])
def test_only_business_and_authority_accounts_issue_requests(shop: Shop, code: str) -> None:
    with pytest.raises(errors.NotAMerchant) as caught:
        shop.issue_dynamic(1_00, merchant_account=code)

    assert caught.value.account == code
    assert shop.counts().requests_open == 0


def test_frozen_merchant_cannot_issue(shop: Shop) -> None:
    shop.ledger.set_status("bakery", AccountStatus.FROZEN)

    with pytest.raises(errors.PayeeUnavailable):
        shop.issue_dynamic(1_00)
    assert shop.counts().requests_open == 0


def test_unknown_merchant_is_refused(shop: Shop) -> None:
    with pytest.raises(UnknownAccount):
        shop.issue_dynamic(1_00, merchant_account="nobody")


@pytest.mark.parametrize("amount", [0, -1, MAX_AMOUNT_CENTS + 1])
def test_dynamic_request_needs_an_amount_a_code_can_carry(shop: Shop, amount: int) -> None:
    with pytest.raises(InvalidAmount):
        shop.issue_dynamic(amount)
    assert shop.counts().requests_open == 0


@pytest.mark.parametrize("reference", ["x" * 17, "café", "tab\there"])
def test_reference_must_be_short_plain_ascii(shop: Shop, reference: str) -> None:
    with pytest.raises(InvalidRequest, match="plain ASCII"):
        shop.issue_dynamic(1_00, reference=reference)
    assert shop.counts().requests_open == 0


def test_cancelling_closes_the_request_and_is_idempotent(shop: Shop) -> None:
    issued = shop.issue_dynamic(5_00)

    def cancel() -> checkout.IssuedRequest:
        return shop.database.write(
            lambda conn: checkout.cancel_request(conn, issued.request_id, merchant_account="bakery")
        )

    assert cancel().status is checkout.RequestStatus.CANCELLED
    assert cancel().status is checkout.RequestStatus.CANCELLED


def test_another_merchant_cannot_cancel_a_request(shop: Shop) -> None:
    issued = shop.issue_dynamic(5_00)

    with pytest.raises(errors.UnknownPaymentRequest):
        shop.database.write(
            lambda conn: checkout.cancel_request(conn, issued.request_id, merchant_account="grocer")
        )
    assert shop.counts().requests_open == 1


def test_a_paid_request_cannot_be_cancelled(shop: Shop) -> None:
    issued = shop.issue_dynamic(5_00)
    shop.pay(issued.token, payer="alice", key="k")

    with pytest.raises(errors.RequestAlreadyPaid):
        shop.database.write(
            lambda conn: checkout.cancel_request(conn, issued.request_id, merchant_account="bakery")
        )
