"""A deployment's rules and the system accounts it opens."""

from __future__ import annotations

from typing import Any

import pytest

from monnaie_locale.config import Settings
from monnaie_locale.deployment import (
    EXPENSE_ACCOUNTS,
    INCOME_ACCOUNTS,
    Deployment,
    add_office,
    create_system_accounts,
    from_settings,
    open_holder_account,
    system_account_specs,
)
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.accounts import get_account, list_accounts
from monnaie_locale.model import AccountKind
from monnaie_locale.money import EUR
from monnaie_locale.store import Database
from tests.conftest import MLC, SteppingClock
from tests.operations.conftest import make_deployment

EURO_ASSETS = (
    "reserve:digital",
    "reserve:notes",
    "transit",
    "association:operating",
    "office:3:till",
)
UNIT_ACCOUNTS = (
    "issuance",
    "notes:vault",
    "notes:circulation",
    "notes:office:3",
    "reconversion:pending",
    "association:fees",
    "association:bonus",
    "association:demurrage",
)


def by_code_currency(opened: list[Any], code: str) -> str:
    return str(next(account.currency for account in opened if account.code == code))


def test_the_system_accounts_follow_the_account_plan(
    database: Database, clock: SteppingClock
) -> None:
    deployment = make_deployment()

    opened = database.write(lambda conn: create_system_accounts(conn, deployment, now=clock()))

    codes = {account.code for account in opened}
    assert codes == {
        *EURO_ASSETS,
        *UNIT_ACCOUNTS,
        *INCOME_ACCOUNTS,
        *EXPENSE_ACCOUNTS,
        "association:losses",
        "external",
    }
    assert "income:reconversion_fees" in INCOME_ACCOUNTS
    for code in (*INCOME_ACCOUNTS, *EXPENSE_ACCOUNTS):
        assert by_code_currency(opened, code) == "EUR", code
    by_code = {account.code: account for account in opened}
    for code in EURO_ASSETS:
        assert (by_code[code].currency, by_code[code].upper_limit) == ("EUR", 0), code
        assert by_code[code].lower_limit is None, code
    for code in UNIT_ACCOUNTS:
        assert by_code[code].currency == "MLC", code
    assert (by_code["issuance"].lower_limit, by_code["issuance"].upper_limit) == (None, 0)
    assert by_code["notes:vault"].lower_limit == 0
    assert by_code["office:3:till"].kind is AccountKind.EXCHANGE_OFFICE
    assert by_code["external"].lower_limit is None and by_code["external"].upper_limit is None
    for code in (*INCOME_ACCOUNTS, *EXPENSE_ACCOUNTS):
        assert by_code[code].currency == "EUR", code
        assert (by_code[code].lower_limit, by_code[code].upper_limit) == (None, None), code


def test_creating_the_system_accounts_again_opens_only_new_offices(
    database: Database, clock: SteppingClock
) -> None:
    database.write(lambda conn: create_system_accounts(conn, make_deployment(), now=clock()))
    grown = make_deployment(offices=("3", "gare"))

    opened = database.write(lambda conn: create_system_accounts(conn, grown, now=clock()))

    assert sorted(account.code for account in opened) == ["notes:office:gare", "office:gare:till"]


def test_a_till_can_never_hold_negative_cash(database: Database, clock: SteppingClock) -> None:
    deployment = make_deployment()
    database.write(lambda conn: create_system_accounts(conn, deployment, now=clock()))
    database.write(lambda conn: add_office(conn, deployment, "marche", now=clock()))

    till = database.read(lambda conn: get_account(conn, "office:marche:till"))

    assert till.upper_limit == 0
    # 15 accounts of the currency and office 3, and the income and expense accounts.
    assert len(system_account_specs(deployment)) == 15 + len(INCOME_ACCOUNTS) + len(
        EXPENSE_ACCOUNTS
    )


@pytest.mark.parametrize("office", ["", "a b", "x" * 41, "é"])
def test_an_office_id_must_be_a_plain_identifier(
    database: Database, clock: SteppingClock, office: str
) -> None:
    deployment = make_deployment()
    database.write(lambda conn: create_system_accounts(conn, deployment, now=clock()))
    before = database.read(lambda conn: len(list_accounts(conn)))

    with pytest.raises(InvalidRequest):
        database.write(lambda conn: add_office(conn, deployment, office, now=clock()))

    assert database.read(lambda conn: len(list_accounts(conn))) == before


def test_holder_accounts_get_the_kind_balance_limit_and_a_known_category(
    database: Database, clock: SteppingClock
) -> None:
    deployment = make_deployment(max_balance={AccountKind.MEMBER: 150000})
    database.write(lambda conn: create_system_accounts(conn, deployment, now=clock()))

    member = database.write(
        lambda conn: open_holder_account(
            conn, deployment, "dan", kind=AccountKind.MEMBER, now=clock()
        )
    )

    assert (member.lower_limit, member.upper_limit) == (0, 150000)
    with pytest.raises(InvalidRequest):
        database.write(
            lambda conn: open_holder_account(
                conn, deployment, "x", kind=AccountKind.BUSINESS, now=clock(), category="vip"
            )
        )
    with pytest.raises(InvalidRequest):
        database.write(
            lambda conn: open_holder_account(
                conn, deployment, "y", kind=AccountKind.SYSTEM, now=clock()
            )
        )


def test_fees_round_half_up_and_bonuses_round_down() -> None:
    deployment = Deployment(unit=MLC, conversion_bonus_bps=300, reconversion_fees={"b": 500})

    assert deployment.fee_for(1010, category="b") == 51  # 50.5 cents -> 51
    assert deployment.fee_for(1009, category="b") == 50  # 50.45 -> 50
    assert deployment.bonus_for(1033) == 30  # 30.99 -> 30
    with pytest.raises(InvalidRequest):
        deployment.fee_for(1000, category="other")


@pytest.mark.parametrize(
    "settings",
    [
        {"unit": EUR},
        {"unit": MLC, "conversion_bonus_bps": -1},
        {"unit": MLC, "conversion_bonus_bps": 10001},
        {"unit": MLC, "reconversion_fees": {"business": 10000}},
        {"unit": MLC, "denominations": ()},
        {"unit": MLC, "denominations": (0,)},
    ],
)
def test_a_deployment_with_impossible_rules_is_refused(settings: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Deployment(**settings)


def test_a_deployment_with_a_bad_office_id_is_refused() -> None:
    with pytest.raises(ValueError):
        Deployment(unit=MLC, offices=("gare du nord",))


def test_the_settings_cap_what_a_holder_account_may_hold(
    database: Database, clock: SteppingClock
) -> None:
    deployment = from_settings(Settings(max_balances={"member": 150000}))
    database.write(lambda conn: create_system_accounts(conn, deployment, now=clock()))

    member = database.write(
        lambda conn: open_holder_account(
            conn, deployment, "eve", kind=AccountKind.MEMBER, now=clock()
        )
    )
    shop = database.write(
        lambda conn: open_holder_account(
            conn, deployment, "shop", kind=AccountKind.BUSINESS, now=clock()
        )
    )

    assert member.upper_limit == 150000
    assert shop.upper_limit is None


@pytest.mark.parametrize("caps", [{"member": 0}, {"system": 1000}, {"nobody": 1000}])
def test_a_cap_on_no_holder_kind_or_of_nothing_is_refused(caps: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        from_settings(Settings(max_balances=caps))
