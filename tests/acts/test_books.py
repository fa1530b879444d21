"""The acts of the association's other money flows, through the API and ``mlc books``.

Only the association's operators and administrators book them (every other role is
walked in ``test_every_command_refuses``); here: amounts as people write them, a bad or
impossible request refused alike by the route and the command with nothing changed, a
retry with the same key that moves nothing twice, and each flow end to end.

The deployment of :mod:`tests.api.operations_support`: a 5 % conversion bonus, 1,000 €
of the association's own on ``association:operating``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from monnaie_locale.acts import books, conversions, notes, transfers
from monnaie_locale.auth import Role
from monnaie_locale.errors import AccountNotActive, InvalidRequest, LimitExceeded, UnknownAccount

if TYPE_CHECKING:
    # Imported by pytest, as a plugin, so that its assertions are rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

OPERATOR = Role.ASSOCIATION_OPERATOR


def _operating(fronts: Fronts) -> int:
    """The euros on the operating account (an asset: its balance reads negative)."""
    return -fronts.ops.balance("association:operating")


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OFFICE_OPERATOR, Role.AUDITOR])
def test_only_the_association_books_a_donation(fronts: Fronts, role: Role) -> None:
    error = fronts.refused(
        role,
        lambda ctx: books.receive_gift(ctx, "donation", 5000, key="d"),
        status=403,
        api=lambda: fronts.ops.post(role, "/v1/books/donations", {"amount": "50"}),
        cli=("books", "donation", "50", "--key", "d"),
    )
    assert error.code == "role_forbidden"


def test_a_fee_on_an_account_that_is_no_bank_account_is_refused(fronts: Fronts) -> None:
    body = {"account": "alice", "amount": "4,20"}
    error = fronts.refused(
        OPERATOR,
        lambda ctx: books.bank_fee(ctx, "alice", 420, fee="bank", key="f"),
        status=422,
        api=lambda: fronts.ops.post(OPERATOR, "/v1/books/bank-fees", body),
        cli=("books", "bank-fee", "alice", "4,20", "--key", "f"),
    )
    assert isinstance(error, InvalidRequest)


def test_units_given_from_an_unknown_account_are_refused(fronts: Fronts) -> None:
    body = {"account": "nobody", "amount": "1"}
    error = fronts.refused(
        OPERATOR,
        lambda ctx: books.donate_units(ctx, "nobody", 100, key="u"),
        status=404,
        api=lambda: fronts.ops.post(OPERATOR, "/v1/books/unit-donations", body),
        cli=("books", "donate-units", "nobody", "1", "--key", "u"),
    )
    assert isinstance(error, UnknownAccount)


def test_a_fee_that_would_overdraw_the_operating_account_is_refused(fronts: Fronts) -> None:
    body = {"account": "association:operating", "amount": "1000.01"}
    error = fronts.refused(
        OPERATOR,
        lambda ctx: books.bank_fee(ctx, "association:operating", 100_001, fee="bank", key="f"),
        status=409,
        api=lambda: fronts.ops.post(OPERATOR, "/v1/books/bank-fees", body),
        cli=("books", "bank-fee", "association:operating", "1000,01", "--key", "f"),
    )
    assert isinstance(error, LimitExceeded)


def test_a_bad_amount_is_refused_by_the_route_and_the_command(fronts: Fronts) -> None:
    before = fronts.state()
    response = fronts.ops.post(OPERATOR, "/v1/books/grants", {"amount": "12,505"})
    assert response.status_code == 422
    result = fronts.mlc("books", "grant", "12,505", "--key", "g", actor="admin")
    assert result.exit_code != 0
    assert fronts.state() == before


def test_a_donation_written_as_people_write_it_is_booked_once(fronts: Fronts) -> None:
    first = fronts.mlc("books", "donation", "12,50", "--memo", "Durand", "--key", "d1", "--json",
                       actor="admin")  # fmt: skip
    again = fronts.mlc("books", "donation", "12,50", "--memo", "Durand", "--key", "d1", "--json",
                       actor="admin")  # fmt: skip

    assert first.exit_code == 0, first.output
    booked = json.loads(first.stdout)
    assert (booked["kind"], booked["amount"], booked["currency"]) == ("donation", 1250, "EUR")
    assert json.loads(again.stdout) == booked
    # EUR Dr association:operating 12.50 / Cr income:donations 12.50, once.
    assert _operating(fronts) == 100_000 + 1250
    assert fronts.ops.balance("income:donations") == 1250


def test_a_grant_through_the_api_is_booked_once(fronts: Fronts) -> None:
    body = {"amount": "1500.00", "memo": "Région 2026"}
    first = fronts.ops.post(OPERATOR, "/v1/books/grants", body, key="g1")
    again = fronts.ops.post(OPERATOR, "/v1/books/grants", body, key="g1")

    assert first.status_code == 201, first.text
    assert first.json()["amount"] == "1500.00"
    assert again.json() == first.json()
    # EUR Dr association:operating 1500 / Cr income:grants 1500, once.
    assert fronts.ops.balance("income:grants") == 150_000
    assert _operating(fronts) == 100_000 + 150_000


def test_a_fee_on_a_reserve_at_exactly_full_coverage_is_topped_up(fronts: Fronts) -> None:
    conversions.convert_by_card(fronts.context(OPERATOR), "alice", 2000, payment_reference="p1",
                                key="c1")  # fmt: skip
    # 21 € in reserve:digital (20 and the 1 € bonus) for 21 units: no room for a fee.

    shown = fronts.mlc("books", "bank-fee", "reserve:digital", "1,20", "--key", "f1",
                       actor="admin")  # fmt: skip

    assert shown.exit_code == 0, shown.output
    assert "topped up with 1.20 EUR" in shown.stdout
    # EUR Dr expense:bank_fees 1.20 / Cr reserve:digital 1.20; Dr reserve:digital 1.20 /
    # Cr association:operating 1.20.
    assert fronts.ops.balance("expense:bank_fees") == -120
    assert fronts.ops.balance("reserve:digital") == -2100
    assert _operating(fronts) == 100_000 - 100 - 120


def test_a_member_who_died_is_refunded_to_the_heirs_and_the_account_closed(
    fronts: Fronts,
) -> None:
    conversions.convert_by_card(fronts.context(OPERATOR), "alice", 2000, payment_reference="p1",
                                key="c1")  # fmt: skip

    body = {"account": "alice", "reason": "deceased", "settlement": "refund",
            "paid_to": "Notaire Martin"}  # fmt: skip
    closed = fronts.ops.post(OPERATOR, "/v1/books/closures", body, key="bye")

    assert closed.status_code == 201, closed.text
    assert (closed.json()["amount"], closed.json()["reason"]) == ("21.00", "deceased")
    # Unit Dr alice 21 / Cr issuance 21; EUR Dr external 21 / Cr reserve:digital 21.
    assert fronts.ops.balance("alice") == 0
    assert fronts.ops.balance("reserve:digital") == 0
    with pytest.raises(AccountNotActive):
        transfers.transfer(fronts.context(Role.MERCHANT_OWNER), "bakery", "alice", 1, key="t")
    again = fronts.ops.post(OPERATOR, "/v1/books/closures", body, key="bye")
    assert again.json() == closed.json()


def test_a_chargeback_through_the_api_takes_back_what_the_member_still_holds(
    fronts: Fronts,
) -> None:
    operator = fronts.context(OPERATOR)
    converted = conversions.convert_by_card(operator, "alice", 2000, payment_reference="p1",
                                            key="c1")  # fmt: skip
    transfers.transfer(fronts.context(Role.MEMBER), "alice", "bakery", 1500, key="bread")

    body = {"conversion_id": converted.id, "how": "charged_back"}
    response = fronts.ops.post(OPERATOR, "/v1/books/conversion-reversals", body, key="cb")

    assert response.status_code == 201, response.text
    # 6 left on alice (20 + 1 bonus - 15): taken back; the association bears 14 of the 20
    # the card network took. Unit Dr alice 6 / Cr issuance 6; EUR Cr reserve:digital 20,
    # Dr external 6, Dr expense:chargebacks 14; Dr reserve:digital 14 / Cr operating 14.
    assert (response.json()["taken_back"], response.json()["borne"]) == ("6.00", "14.00")
    assert fronts.ops.balance("alice") == 0
    assert fronts.ops.balance("expense:chargebacks") == -1400
    assert fronts.ops.balance("reserve:digital") == -1500  # backs the bakery's 15
    assert conversions.get_conversion(operator, converted.id).status == "charged_back"


def test_a_note_series_stolen_from_the_vault_is_written_off(fronts: Fronts) -> None:
    notes.print_notes(fronts.context(OPERATOR), {2000: 5}, key="print")

    shown = fronts.mlc("books", "write-off", "A-1..A-2", "--place", "vault", "--notes", "2x20",
                       "--reason", "stolen", "--key", "w1", "--json", actor="admin")  # fmt: skip

    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["amount"] == 4000
    # Unit Dr notes:vault 40 / Cr issuance 40.
    assert fronts.ops.balance("notes:vault") == 6000
