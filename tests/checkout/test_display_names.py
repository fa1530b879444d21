"""Display names: the merchant's name payers are shown, kept in the account table, checked
by the application and by the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, insert, update
from sqlalchemy.exc import IntegrityError

from monnaie_locale import checkout
from monnaie_locale.clock import utc_now
from monnaie_locale.deployment import Deployment, open_holder_account
from monnaie_locale.errors import InvalidData, InvalidRequest, UnknownAccount
from monnaie_locale.ledger.accounts import get_account, list_accounts
from monnaie_locale.model import MAX_DISPLAY_NAME, AccountKind, check_display_name
from monnaie_locale.money import Currency
from monnaie_locale.store import Database
from monnaie_locale.store.tables import accounts, currencies
from tests.checkout.conftest import Shop
from tests.conftest import MLC

DEPLOYMENT = Deployment(unit=Currency(code=MLC.code, name=MLC.name, symbol=MLC.symbol))


def _open(shop: Shop, code: str, name: str | None) -> None:
    shop.database.write(
        lambda conn: open_holder_account(
            conn, DEPLOYMENT, code, kind=AccountKind.BUSINESS, now=shop.clock(), display_name=name
        )
    )


def test_a_holder_account_opens_with_the_name_payers_will_see(shop: Shop) -> None:
    _open(shop, "cafe", "Café du Port")

    account = shop.ledger.account("cafe")
    listed = shop.database.read(lambda conn: list_accounts(conn, after_id=account.id - 1))

    assert (account.display_name, account.shown_name) == ("Café du Port", "Café du Port")
    assert listed[0].display_name == "Café du Port"


def test_an_account_without_a_name_is_shown_by_its_code(shop: Shop) -> None:
    account = shop.ledger.account("bakery")

    assert (account.display_name, account.shown_name) == (None, "bakery")


def test_payments_and_requests_name_the_merchant_from_the_account_table(shop: Shop) -> None:
    shop.name("bakery", "Boulangerie Etchegaray")

    issued = shop.issue_dynamic(2_00)
    payment = shop.pay(issued.token, payer="alice", key="p")
    preview = shop.database.read(
        lambda conn: checkout.preview(
            conn,
            shop.issue_dynamic(1_00).token,
            keyring=shop.keyring,
            deployment_id=shop.deployment_id,
            clock=shop.clock,
        )
    )

    assert issued.merchant_name == payment.merchant_name == "Boulangerie Etchegaray"
    assert preview.payee.shown_name == "Boulangerie Etchegaray"
    assert payment.merchant_account == "bakery"


@pytest.mark.parametrize(
    "name",
    [
        "",
        " Café",
        "Café ",
        "x" * (MAX_DISPLAY_NAME + 1),
        "Café\ndu Port",
        "Café\x00",
        "Café\x1b[31m",
        "Caf\u202ee",  # right-to-left override: shows "Cafe" mirrored
        "Café\u2028du Port",  # line separator
        "Café\x85",  # a C1 control
    ],
)
def test_a_name_that_could_mislead_or_break_a_page_is_refused_and_opens_nothing(
    shop: Shop, name: str
) -> None:
    with pytest.raises(InvalidRequest):
        _open(shop, "cafe", name)

    with pytest.raises(UnknownAccount):
        shop.ledger.account("cafe")


@pytest.mark.parametrize(
    "name", ["Boulangerie Etchegaray", "Ostatua & Cie", "x" * MAX_DISPLAY_NAME, "Zoé 🥖"]
)
def test_ordinary_names_are_accepted_as_written(name: str) -> None:
    assert check_display_name(name) == name


def _one_account_written_by_hand(conn: Connection) -> None:
    conn.execute(insert(currencies).values(code="MLC", name="m", symbol="m"))
    conn.execute(
        insert(accounts).values(code="cafe", kind="business", currency="MLC", created_at=utc_now())
    )


@pytest.mark.parametrize("name", ["a\tb", "a\nb", "a\x1fb", "a\x7fb", "x" * 121, ""])
def test_the_database_refuses_a_bad_name_written_by_hand(database: Database, name: str) -> None:
    database.write(_one_account_written_by_hand)

    # PostgreSQL refuses an overlong value by its column type (a DataError, which the store
    # turns into InvalidData) before the CHECK runs.
    with pytest.raises((IntegrityError, InvalidData)):
        database.write(
            lambda conn: conn.execute(
                update(accounts).where(accounts.c.code == "cafe").values(display_name=name)
            )
        )

    assert database.read(lambda conn: get_account(conn, "cafe")).display_name is None
