"""A reconversion's quote: the fee and the euros under today's rules, before asking.

The quote is the request's own computation: what the request then fixes is what the quote
said, under the settings' fee and under a fee changed by a rule; it is refused as the
request would be, and writes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pytest

from monnaie_locale.acts import reconversions
from monnaie_locale.acts import rules as rule_acts
from monnaie_locale.auth import Role
from monnaie_locale.errors import MonnaieLocaleError
from monnaie_locale.operations.reconversion import Reconversion, ReconversionQuote
from tests.api.helpers import assert_problem
from tests.api.operations_support import BAKERY_IBAN

if TYPE_CHECKING:
    # Imported by pytest, as a plugin, so that its assertions are rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

OWNER = Role.MERCHANT_OWNER


def _quoted_then_requested(fronts: Fronts, key: str) -> tuple[ReconversionQuote, Reconversion]:
    owner = fronts.context(OWNER)
    before = fronts.state()
    quote = reconversions.reconversion_quote(owner, "bakery", 150_00)
    assert fronts.state() == before, "a quote wrote something"
    response = fronts.ops.get(OWNER, "/v1/reconversions/quote", account="bakery", amount="150")
    assert response.status_code == 200, response.text
    assert response.json() == {
        "account": "bakery",
        "amount": "150.00",
        "fee": f"{quote.fee // 100}.{quote.fee % 100:02d}",
        "payout": f"{quote.payout // 100}.{quote.payout % 100:02d}",
        "category": "business",
        "fee_rule": quote.fee_rule,
    }
    asked = reconversions.request_reconversion(
        owner, "bakery", 150_00, creditor_name="Boulangerie", iban=BAKERY_IBAN, key=key
    )
    return quote, asked


def test_the_quote_is_what_the_request_then_charges(fronts: Fronts) -> None:
    fronts.ops.converted("bakery", "400", key="card-bakery")
    quote, asked = _quoted_then_requested(fronts, "r1")
    # The settings' 5 % for a business.
    assert (quote.fee, quote.payout, quote.fee_rule) == (7_50, 142_50, None)
    assert (asked.fee, asked.payout, asked.fee_rule) == (quote.fee, quote.payout, None)
    # A rule changes the fee from today: the quote follows it, and so does the request.
    change = rule_acts.change_rule(
        fronts.context(Role.ADMIN),
        "reconversion_fee.business",
        "300",
        effective_from=date(2026, 11, 2),
    )
    quote, asked = _quoted_then_requested(fronts, "r2")
    assert (quote.fee, quote.payout, quote.fee_rule) == (4_50, 145_50, change.id)
    assert (asked.fee, asked.payout, asked.fee_rule) == (4_50, 145_50, change.id)


@pytest.mark.parametrize(
    ("role", "account", "code"),
    [
        (Role.MERCHANT_CASHIER, "bakery", "role_forbidden"),
        (Role.OFFICE_OPERATOR, "bakery", "role_forbidden"),
        (Role.AUDITOR, "bakery", "role_forbidden"),
        (Role.MEMBER, "bakery", "not_your_account"),
        (Role.AUTHORITY_AGENT, "bakery", "not_your_account"),
    ],
)
def test_the_quote_is_for_whoever_may_request_the_reconversion(
    fronts: Fronts, role: Role, account: str, code: str
) -> None:
    error = fronts.refused(
        role,
        lambda ctx: reconversions.reconversion_quote(ctx, account, 10_00),
        status=403,
        api=lambda: fronts.ops.get(role, "/v1/reconversions/quote", account=account, amount="10"),
    )
    assert error.code == code


def test_the_quote_is_refused_as_the_request_would_be(fronts: Fronts) -> None:
    member = fronts.context(Role.MEMBER)
    # This deployment does not let members reconvert: no quote either.
    with pytest.raises(MonnaieLocaleError) as quoted:
        reconversions.reconversion_quote(member, "alice", 10_00)
    with pytest.raises(MonnaieLocaleError) as requested:
        reconversions.request_reconversion(
            member, "alice", 10_00, creditor_name="Alice", iban=BAKERY_IBAN, key="r"
        )
    assert type(quoted.value) is type(requested.value)
    assert quoted.value.code == "operation_not_allowed"
    response = fronts.ops.get(Role.MEMBER, "/v1/reconversions/quote", account="alice", amount="10")
    assert_problem(response, 409, "operation_not_allowed")
    for amount in ("0", "12.345", "ten"):
        response = fronts.ops.get(OWNER, "/v1/reconversions/quote", account="bakery", amount=amount)
        assert_problem(response, 422, "validation_failed")
