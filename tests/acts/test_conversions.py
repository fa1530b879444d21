"""The acts of conversions: who may, and the same refusal from the core, the API and ``mlc``.

Each refused actor (a role the act does not admit, an account or an office not theirs)
gets the act's error code from the route and from the command too, and nothing changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from monnaie_locale.acts import conversions
from monnaie_locale.auth import Role
from monnaie_locale.auth.errors import NotYourAccount
from monnaie_locale.errors import IdempotencyConflict
from monnaie_locale.operations.conversion import Conversion
from monnaie_locale.operations.errors import AmountMismatch, WrongState
from tests.api.operations_support import OFFICE

if TYPE_CHECKING:
    # Imported by pytest, as a plugin, so that its assertions are rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]


def _order(fronts: Fronts, amount: str = "20") -> str:
    """A pending bank-transfer order of alice's; its reference."""
    response = fronts.ops.post(
        Role.MEMBER, "/v1/conversions/orders", {"account": "alice", "amount": amount}, key="o1"
    )
    assert response.status_code == 201, response.text
    reference: str = response.json()["reference"]
    return reference


@pytest.mark.parametrize(
    ("role", "account", "code"),
    [
        (Role.MERCHANT_CASHIER, "bakery", "role_forbidden"),
        (Role.OFFICE_OPERATOR, "alice", "role_forbidden"),
        (Role.AUDITOR, "alice", "role_forbidden"),
        (Role.MEMBER, "bakery", "not_your_account"),
    ],
)
def test_an_order_is_refused_to_whoever_does_not_hold_the_account(
    fronts: Fronts, role: Role, account: str, code: str
) -> None:
    body = {"account": account, "amount": "20"}
    error = fronts.refused(
        role,
        lambda ctx: conversions.order_conversion(ctx, account, 2000, key="k"),
        status=403,
        api=lambda: fronts.ops.post(role, "/v1/conversions/orders", body),
        cli=("convert", "transfer-order", account, "20", "--key", "k"),
    )
    assert error.code == code


@pytest.mark.parametrize(
    "role", [Role.MEMBER, Role.MERCHANT_OWNER, Role.OFFICE_OPERATOR, Role.AUDITOR]
)
def test_only_the_association_credits_an_order(fronts: Fronts, role: Role) -> None:
    reference = _order(fronts)
    body = {"amount": "20", "bank_reference": "BANK-1"}
    error = fronts.refused(
        role,
        lambda ctx: conversions.credit_order(
            ctx, reference, amount=2000, bank_reference="BANK-1", key="k"
        ),
        status=403,
        api=lambda: fronts.ops.post(role, f"/v1/conversions/orders/{reference}/credit", body),
        cli=("convert", "credit", reference, "--amount", "20", "--bank-ref", "BANK-1"),
    )
    assert error.code == "role_forbidden"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OFFICE_OPERATOR, Role.AUDITOR])
def test_only_the_association_cancels_an_order(fronts: Fronts, role: Role) -> None:
    reference = _order(fronts)
    error = fronts.refused(
        role,
        lambda ctx: conversions.cancel_order(ctx, reference),
        status=403,
        api=lambda: fronts.ops.post(role, f"/v1/conversions/orders/{reference}/cancel"),
        cli=("convert", "cancel", reference),
    )
    assert error.code == "role_forbidden"


@pytest.mark.parametrize(
    "role", [Role.MEMBER, Role.MERCHANT_OWNER, Role.MERCHANT_CASHIER, Role.AUDITOR]
)
def test_only_office_staff_convert_a_card_payment(fronts: Fronts, role: Role) -> None:
    body = {"account": "alice", "amount": "20", "payment_reference": "pi_1"}
    error = fronts.refused(
        role,
        lambda ctx: conversions.convert_by_card(
            ctx, "alice", 2000, payment_reference="pi_1", key="k"
        ),
        status=403,
        api=lambda: fronts.ops.post(role, "/v1/conversions/card", body),
        cli=("convert", "card", "alice", "20", "--payment-ref", "pi_1", "--key", "k"),
    )
    assert error.code == "role_forbidden"


@pytest.mark.parametrize(
    ("role", "office", "code"),
    [
        (Role.MEMBER, OFFICE, "role_forbidden"),
        (Role.AUDITOR, OFFICE, "role_forbidden"),
        # The office operator holds the till of the gare, not of the port.
        (Role.OFFICE_OPERATOR, "port", "not_your_account"),
    ],
)
def test_cash_is_taken_only_at_an_office_of_ones_own(
    fronts: Fronts, role: Role, office: str, code: str
) -> None:
    body = {"office": office, "account": "bakery", "amount": "100"}
    error = fronts.refused(
        role,
        lambda ctx: conversions.convert_cash(ctx, office, "bakery", 10_000, key="k"),
        status=403,
        api=lambda: fronts.ops.post(role, "/v1/conversions/cash", body),
        cli=("convert", "cash", "bakery", "100", "--office", office, "--key", "k"),
    )
    assert error.code == code


def test_an_office_operator_takes_cash_at_their_own_office(fronts: Fronts) -> None:
    done = conversions.convert_cash(
        fronts.context(Role.OFFICE_OPERATOR), OFFICE, "bakery", 10_000, key="k"
    )
    assert (done.method, done.office, done.amount) == ("cash", OFFICE, 10_000)
    assert fronts.ops.balance("bakery") == done.amount + done.bonus


def test_a_conversion_is_read_only_by_those_who_read_its_account(fronts: Fronts) -> None:
    order = conversions.order_conversion(fronts.context(Role.MEMBER), "alice", 500, key="k")

    error = fronts.refused(
        Role.MERCHANT_OWNER,
        lambda ctx: conversions.get_conversion(ctx, order.id),
        status=403,
        api=lambda: fronts.ops.get(Role.MERCHANT_OWNER, f"/v1/conversions/{order.id}"),
    )

    assert isinstance(error, NotYourAccount)
    seen = conversions.get_conversion(fronts.context(Role.AUDITOR), order.id)
    assert seen == order


@pytest.mark.parametrize("role", [Role.MEMBER, Role.MERCHANT_OWNER, Role.OFFICE_OPERATOR])
def test_pending_orders_are_listed_only_to_report_readers(fronts: Fronts, role: Role) -> None:
    _order(fronts)
    error = fronts.refused(
        role, conversions.pending_orders, status=403, cli=("convert", "pending", "--json")
    )
    assert error.code == "role_forbidden"
    pending = conversions.pending_orders(fronts.context(Role.AUDITOR))
    assert [order.account for order in pending] == ["alice"]


def test_a_credit_key_is_the_callers_and_is_claimed_only_by_a_credit_that_goes_through(
    fronts: Fronts,
) -> None:
    reference = _order(fronts)
    operator = fronts.context(Role.ASSOCIATION_OPERATOR)

    # Refused (another amount than ordered): the key stays free for the right credit.
    with pytest.raises(AmountMismatch):
        conversions.credit_order(
            operator, reference, amount=1000, bank_reference="BANK-1", key="credit"
        )
    credited = conversions.credit_order(
        operator, reference, amount=2000, bank_reference="BANK-1", key="credit"
    )
    again = conversions.credit_order(
        operator, reference, amount=2000, bank_reference="BANK-1", key="credit"
    )

    assert isinstance(credited, Conversion) and credited.status == "credited"
    assert again == credited
    with pytest.raises(IdempotencyConflict):
        conversions.credit_order(
            operator, reference, amount=2000, bank_reference="BANK-2", key="credit"
        )
    # The administrator's key of the same name is theirs, apart from the operator's: no
    # conflict of keys, the credit itself finds the order credited already.
    with pytest.raises(WrongState):
        conversions.credit_order(
            fronts.context(Role.ADMIN),
            reference,
            amount=2000,
            bank_reference="BANK-2",
            key="credit",
        )
