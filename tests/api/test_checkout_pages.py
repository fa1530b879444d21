"""The pay page behind every QR and the till's page, as HTML: the payee from our records,
the amount, a plain French refusal for every attack, English on request."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from api import i18n
from monnaie_locale.auth import Role
from monnaie_locale.model import AccountStatus
from monnaie_locale.payments import (
    PaymentRequest,
    RequestKind,
    decode_request,
    encode_request,
    new_request_id,
)
from tests.api.checkout_support import name_account
from tests.api.conftest import World
from tests.checkout import tampering
from tests.e2e.support import issue, runtime_of


def _sale(world: World, amount: str = "12.50", **extra: Any) -> dict[str, Any]:
    return issue(world.client, world.auth(Role.MERCHANT_CASHIER), amount=amount, **extra)


def test_the_pay_page_names_the_merchant_from_its_records_and_the_amount(world: World) -> None:
    sale = _sale(world, "12.50", reference="T1-0042")

    page = world.client.get(f"/R/{sale['token']}")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<p id="merchant" class="merchant">bakery</p>' in page.text
    assert "12,50" in page.text and "T1-0042" in page.text
    assert "Confirmer le paiement" in page.text and 'lang="fr"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


NBSP = "\u00a0"


def test_a_french_page_writes_amounts_and_colons_the_french_way(world: World) -> None:
    sale = _sale(world, "12.50", reference="T1-0042")

    page = world.client.get(f"/R/{sale['token']}")

    assert f'<p id="amount" class="amount">12,50{NBSP}Ml</p>' in page.text
    assert f"Référence{NBSP}: T1-0042" in page.text
    assert "12.50" not in page.text


def test_an_english_page_keeps_the_decimal_point_and_no_space_before_a_colon(
    world: World,
) -> None:
    sale = _sale(world, "12.50", reference="T1-0042")

    page = world.client.get(f"/R/{sale['token']}", params={"lang": "en"})

    assert f'<p id="amount" class="amount">12.50{NBSP}Ml</p>' in page.text
    assert "Reference: T1-0042" in page.text


def test_every_french_text_has_a_non_breaking_space_before_high_punctuation() -> None:
    french = [*i18n.texts("fr").values(), *i18n.refusals("fr").values()]

    for text in french:
        for mark in ":;!?":
            assert f" {mark}" not in text, text
            if mark in text and not text.startswith(mark):
                assert text[text.index(mark) - 1] in {NBSP, "\u202f"}, text
    for text in [*i18n.texts("en").values(), *i18n.refusals("en").values()]:
        assert NBSP not in text and " :" not in text, text


def test_the_pay_page_shows_the_name_in_the_account_table_though_the_qr_holds_only_ids(
    world: World,
) -> None:
    sale = _sale(world, "12.50")
    runtime = runtime_of(world.client.app)
    signed = decode_request(
        sale["token"],
        keyring=runtime.keyring,
        deployment_id=runtime.deployment_id,
        now=int(world.clock().timestamp()),
    )
    # Named after the QR was made: the name can only come from the server's records.
    name_account(world, "bakery", "Boulangerie Etchegaray")

    page = world.client.get(f"/R/{sale['token']}")

    assert signed.merchant_account_id == world.ledger.account("bakery").id
    assert "Etchegaray" not in sale["token"] and signed.reference == ""
    assert '<p id="merchant" class="merchant">Boulangerie Etchegaray</p>' in page.text


def test_a_merchant_name_with_html_characters_is_shown_as_text(world: World) -> None:
    name_account(world, "bakery", '<script>alert("x")</script> & Fils')
    sale = _sale(world)

    page = world.client.get(f"/R/{sale['token']}")

    assert "<script>alert" not in page.text
    assert (
        '<p id="merchant" class="merchant">'
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Fils</p>"
    ) in page.text


def test_the_path_and_the_token_are_read_in_either_case(world: World) -> None:
    sale = _sale(world)

    page = world.client.get(f"/r/{sale['token'].lower()}")

    assert page.status_code == 200 and 'id="merchant"' in page.text


def test_a_counter_code_asks_for_the_amount(world: World) -> None:
    code = world.client.post(
        "/v1/checkout/static-codes",
        json={"account": "bakery"},
        headers={**world.auth(Role.MERCHANT_OWNER), "Idempotency-Key": "c"},
    ).json()

    page = world.client.get(f"/R/{code['token']}")

    assert 'id="amount-input"' in page.text and 'id="amount"' not in page.text


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        ("en", None, "Confirm the payment"),
        (None, "en-GB,en;q=0.9,fr;q=0.5", "Confirm the payment"),
        (None, "fr-FR,en;q=0.5", "Confirmer le paiement"),
        (None, None, "Confirmer le paiement"),
    ],
)
def test_the_page_speaks_english_on_request_and_french_otherwise(
    world: World, query: str | None, accept: str | None, expected: str
) -> None:
    sale = _sale(world)
    headers = {"Accept-Language": accept} if accept else {}

    page = world.client.get(
        f"/R/{sale['token']}", params={"lang": query} if query else {}, headers=headers
    )

    assert expected in page.text


def _refusal(page: Any, code: str) -> None:
    assert f'data-code="{code}"' in page.text
    assert i18n.refusal(code, "fr").replace("'", "&#39;") in page.text
    assert 'id="confirm"' not in page.text and "pay.js" not in page.text


def test_an_expired_code_gets_a_clear_french_refusal_and_no_button(world: World) -> None:
    sale = _sale(world, ttl_seconds=60)
    world.clock.advance(timedelta(minutes=5))

    page = world.client.get(f"/R/{sale['token']}")

    assert page.status_code == 422
    _refusal(page, "payment_request_expired")
    assert "expiré" in page.text


def test_an_already_paid_code_is_refused_on_the_page(world: World) -> None:
    sale = _sale(world)
    world.client.post(
        "/v1/checkout/pay",
        json={"request": sale["token"]},
        headers={**world.auth(Role.MEMBER), "Idempotency-Key": "p"},
    )

    _refusal(world.client.get(f"/R/{sale['token']}"), "payment_request_already_paid")


def test_a_tampered_code_is_refused_on_the_page(world: World) -> None:
    cheaper = tampering.replace_amount(_sale(world, "50.00")["token"], 1)

    _refusal(world.client.get(f"/R/{cheaper}"), "forged_payment_request")


def test_a_code_of_another_deployment_is_refused_on_the_page(world: World) -> None:
    runtime = runtime_of(world.client.app)
    request = PaymentRequest(
        kind=RequestKind.DYNAMIC,
        deployment_id=runtime.deployment_id + 1,
        merchant_account_id=world.ledger.account("bakery").id,
        request_id=new_request_id(),
        amount_cents=1_00,
        issued_at=int(world.clock().timestamp()),
        ttl_seconds=600,
    )

    page = world.client.get(f"/R/{encode_request(request, key=runtime.keyring.active)}")

    _refusal(page, "foreign_payment_request")


def test_a_code_of_a_frozen_merchant_is_refused_on_the_page(world: World) -> None:
    sale = _sale(world)
    world.ledger.set_status("bakery", AccountStatus.FROZEN)

    _refusal(world.client.get(f"/R/{sale['token']}"), "payee_unavailable")


def test_text_that_is_no_code_is_refused_on_the_page(world: World) -> None:
    page = world.client.get("/R/<script>alert(1)<script>")

    assert "<script>alert" not in page.text
    _refusal(page, "malformed_payment_request")


def test_the_till_page_and_its_scripts_are_served(world: World) -> None:
    page = world.client.get("/checkout")

    assert page.status_code == 200 and "Encaisser" in page.text
    for name in ("common.js", "checkout.js", "pay.js", "style.css"):
        asset = world.client.get(f"/assets/checkout/{name}")
        assert asset.status_code == 200 and asset.text
    assert world.client.get("/assets/checkout/../app.py").status_code == 404


def test_every_refusal_the_pay_flow_raises_has_a_message_in_both_languages() -> None:
    codes = {
        "payment_request_expired",
        "payment_request_already_paid",
        "forged_payment_request",
        "unknown_signing_key",
        "foreign_payment_request",
        "malformed_payment_request",
        "payee_unavailable",
        "account_not_active",
        "insufficient_funds",
        "amount_required",
    }
    for language in i18n.LANGUAGES:
        messages = i18n.refusals(language)
        assert codes <= set(messages)
        assert all(messages[code] != messages["generic"] for code in codes)


def test_an_unknown_code_gets_the_general_refusal() -> None:
    assert i18n.refusal("no_such_code", "fr") == i18n.refusals("fr")["generic"]
