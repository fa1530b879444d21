"""The acts of reconversions and payouts: who may, and the same refusal from every front.

Each refused actor (a role the act does not admit, an account not theirs) gets the act's
error code from the route and from the command too, and nothing changes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from monnaie_locale.acts import reconversions
from monnaie_locale.auth import Role
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.operations.errors import WrongState
from tests.api.operations_support import BAKERY_IBAN

if TYPE_CHECKING:
    # Imported by pytest, as a plugin, so that its assertions are rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

OPERATOR = Role.ASSOCIATION_OPERATOR
# Everyone but the association's operators and administrators.
NOT_OPERATORS = [role for role in Role if role not in (OPERATOR, Role.ADMIN)]


def _requested(fronts: Fronts) -> int:
    """The bakery's units bought by card, and a reconversion of 150 of them; its id."""
    fronts.ops.converted("bakery", "200", key="card-bakery")
    body = {
        "account": "bakery",
        "amount": "150",
        "creditor_name": "Boulangerie Dupont",
        "iban": BAKERY_IBAN,
    }
    response = fronts.ops.post(Role.MERCHANT_OWNER, "/v1/reconversions", body, key="r1")
    assert response.status_code == 201, response.text
    request_id: int = response.json()["id"]
    return request_id


def _held(fronts: Fronts, code: str) -> int:
    return fronts.database.read(lambda conn: get_account(conn, code).held)


def _batched(fronts: Fronts) -> tuple[int, int]:
    """A request, validated into a batch; the request's id and the batch's."""
    request_id = _requested(fronts)
    batch = reconversions.validate_batch(fronts.context(OPERATOR), [request_id], key="b1")
    return request_id, batch.id


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
def test_a_reconversion_is_requested_only_from_an_account_of_ones_own(
    fronts: Fronts, role: Role, account: str, code: str
) -> None:
    fronts.ops.converted("bakery", "200", key="card-bakery")
    body = {"account": account, "amount": "10", "creditor_name": "Dupont", "iban": BAKERY_IBAN}
    error = fronts.refused(
        role,
        lambda ctx: reconversions.request_reconversion(
            ctx, account, 1000, creditor_name="Dupont", iban=BAKERY_IBAN, key="k"
        ),
        status=403,
        api=lambda: fronts.ops.post(role, "/v1/reconversions", body),
        cli=("reconversion", "request", account, "10", "--name", "Dupont",
             "--iban", BAKERY_IBAN, "--key", "k"),
    )  # fmt: skip
    assert error.code == code


def test_a_request_is_read_only_by_those_who_read_its_account(fronts: Fronts) -> None:
    request_id = _requested(fronts)

    error = fronts.refused(
        Role.MEMBER,
        lambda ctx: reconversions.get_reconversion(ctx, request_id),
        status=403,
        api=lambda: fronts.ops.get(Role.MEMBER, f"/v1/reconversions/{request_id}"),
    )

    assert error.code == "not_your_account"
    seen = reconversions.get_reconversion(fronts.context(Role.MERCHANT_OWNER), request_id)
    assert (seen.id, seen.account) == (request_id, "bakery")


@pytest.mark.parametrize(
    ("role", "code"),
    [
        (Role.MERCHANT_CASHIER, "role_forbidden"),
        (Role.OFFICE_OPERATOR, "role_forbidden"),
        (Role.MEMBER, "not_your_account"),
        (Role.AUTHORITY_AGENT, "not_your_account"),
    ],
)
def test_a_request_is_cancelled_only_by_its_holder_or_the_association(
    fronts: Fronts, role: Role, code: str
) -> None:
    request_id = _requested(fronts)
    error = fronts.refused(
        role,
        lambda ctx: reconversions.cancel_reconversion(ctx, request_id),
        status=403,
        api=lambda: fronts.ops.post(role, f"/v1/reconversions/{request_id}/cancel"),
        cli=("reconversion", "cancel", str(request_id)),
    )
    assert error.code == code


def test_the_holder_cancels_their_request_and_the_units_are_released(fronts: Fronts) -> None:
    request_id = _requested(fronts)
    assert _held(fronts, "bakery") == 15_000

    cancelled = reconversions.cancel_reconversion(fronts.context(Role.MERCHANT_OWNER), request_id)

    assert cancelled.status == "cancelled"
    assert _held(fronts, "bakery") == 0
    with pytest.raises(WrongState):
        reconversions.cancel_reconversion(fronts.context(OPERATOR), request_id)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.MERCHANT_OWNER, Role.OFFICE_OPERATOR])
def test_requests_are_listed_only_to_report_readers(fronts: Fronts, role: Role) -> None:
    request_id = _requested(fronts)
    error = fronts.refused(
        role,
        reconversions.list_reconversions,
        status=403,
        cli=("reconversion", "list", "--json"),
    )
    assert error.code == "role_forbidden"
    listed = reconversions.list_reconversions(fronts.context(Role.AUDITOR), status="requested")
    assert [item.id for item in listed] == [request_id]


@pytest.mark.parametrize("role", NOT_OPERATORS)
def test_only_the_association_validates_a_batch(fronts: Fronts, role: Role) -> None:
    request_id = _requested(fronts)
    error = fronts.refused(
        role,
        lambda ctx: reconversions.validate_batch(ctx, [request_id], key="k"),
        status=403,
        api=lambda: fronts.ops.post(role, "/v1/payout-batches", {"request_ids": [request_id]}),
        cli=("reconversion", "batch", "validate", str(request_id), "--key", "k"),
    )
    assert error.code == "role_forbidden"


def test_the_validator_of_a_batch_is_the_user_who_acts(fronts: Fronts) -> None:
    request_id = _requested(fronts)

    by_act = reconversions.validate_batch(fronts.context(OPERATOR), [request_id], key="k")

    assert by_act.validated_by == "assoc"
    assert fronts.ops.get(OPERATOR, f"/v1/payout-batches/{by_act.id}").json()["validated_by"] == (
        "assoc"
    )


@pytest.mark.parametrize("role", [Role.MEMBER, Role.MERCHANT_OWNER, Role.OFFICE_OPERATOR])
def test_a_batch_is_read_only_by_report_readers(fronts: Fronts, role: Role) -> None:
    _, batch_id = _batched(fronts)
    error = fronts.refused(
        role,
        lambda ctx: reconversions.get_batch(ctx, batch_id),
        status=403,
        api=lambda: fronts.ops.get(role, f"/v1/payout-batches/{batch_id}"),
    )
    assert error.code == "role_forbidden"
    assert reconversions.get_batch(fronts.context(Role.AUDITOR), batch_id).id == batch_id


@pytest.mark.parametrize("role", [Role.MERCHANT_OWNER, Role.OFFICE_OPERATOR, Role.AUDITOR])
def test_only_the_association_exports_a_batch(fronts: Fronts, role: Role, tmp_path: Path) -> None:
    _, batch_id = _batched(fronts)
    target = tmp_path / "virements.xml"
    error = fronts.refused(
        role,
        lambda ctx: reconversions.export_batch(ctx, batch_id, execution_date=date(2026, 11, 3)),
        status=403,
        api=lambda: fronts.ops.client.post(
            f"/v1/payout-batches/{batch_id}/pain001",
            params={"execution_date": "2026-11-03"},
            headers=fronts.ops.auth(role),
        ),
        cli=("reconversion", "batch", "export", str(batch_id), str(target)),
    )
    assert error.code == "role_forbidden"
    assert not target.exists()
    assert not target.with_name(target.name + ".partial").exists()


def test_a_batch_whose_file_cannot_be_delivered_stays_unexported(fronts: Fronts) -> None:
    _, batch_id = _batched(fronts)
    operator = fronts.context(OPERATOR)

    def full_disk(content: bytes) -> None:
        raise OSError("no space left on device")

    with pytest.raises(OSError, match="no space"):
        reconversions.export_batch(operator, batch_id, deliver=full_disk)

    assert reconversions.get_batch(operator, batch_id).status == "validated"
    delivered: list[bytes] = []
    content = reconversions.export_batch(operator, batch_id, deliver=delivered.append)
    assert delivered == [content]
    assert reconversions.get_batch(operator, batch_id).status == "exported"


@pytest.mark.parametrize("role", NOT_OPERATORS)
def test_only_the_association_marks_a_payout_paid(fronts: Fronts, role: Role) -> None:
    request_id, batch_id = _batched(fronts)
    reconversions.export_batch(fronts.context(OPERATOR), batch_id)
    body = {"bank_reference": "BANK-9"}
    error = fronts.refused(
        role,
        lambda ctx: reconversions.mark_paid(ctx, request_id, bank_reference="BANK-9", key="k"),
        status=403,
        api=lambda: fronts.ops.post(role, f"/v1/reconversions/{request_id}/paid", body),
        cli=("reconversion", "paid", str(request_id), "--bank-ref", "BANK-9"),
    )
    assert error.code == "role_forbidden"


@pytest.mark.parametrize("role", [Role.MERCHANT_OWNER, Role.OFFICE_OPERATOR, Role.AUDITOR])
def test_only_the_association_marks_a_batch_paid(fronts: Fronts, role: Role) -> None:
    _, batch_id = _batched(fronts)
    reconversions.export_batch(fronts.context(OPERATOR), batch_id)
    body = {"bank_reference": "BANK-9"}
    error = fronts.refused(
        role,
        lambda ctx: reconversions.mark_batch_paid(ctx, batch_id, bank_reference="BANK-9", key="k"),
        status=403,
        api=lambda: fronts.ops.post(role, f"/v1/payout-batches/{batch_id}/paid", body),
        cli=("reconversion", "batch", "paid", str(batch_id), "--bank-ref", "BANK-9"),
    )
    assert error.code == "role_forbidden"


def test_a_payout_marked_paid_again_with_the_same_key_moves_nothing(fronts: Fronts) -> None:
    request_id, batch_id = _batched(fronts)
    operator = fronts.context(OPERATOR)
    reconversions.export_batch(operator, batch_id)

    paid = reconversions.mark_paid(operator, request_id, bank_reference="BANK-9", key="p")
    before = fronts.state()
    again = reconversions.mark_paid(operator, request_id, bank_reference="BANK-9", key="p")

    assert paid.status == "paid"
    assert again == paid
    assert fronts.state() == before
    assert reconversions.get_batch(operator, batch_id).status == "paid"


def test_a_holder_lists_the_requests_of_its_own_account_only(fronts: Fronts) -> None:
    request_id = _requested(fronts)

    for role in (Role.MERCHANT_OWNER, Role.MERCHANT_CASHIER, Role.AUDITOR):
        listed = reconversions.holder_reconversions(fronts.context(role), "bakery")
        assert [(found.id, found.status) for found in listed] == [(request_id, "requested")]
    error = fronts.refused(
        Role.MEMBER, lambda ctx: reconversions.holder_reconversions(ctx, "bakery"), status=403
    )
    assert error.code == "not_your_account"
    assert reconversions.holder_reconversions(fronts.context(Role.MEMBER), "alice") == []
