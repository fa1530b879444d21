"""``mlc convert`` on SQLite and PostgreSQL: orders, credits, card and cash conversions."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, func, select

from monnaie_locale.config import load_settings
from monnaie_locale.deployment import Deployment, create_system_accounts, open_holder_account
from monnaie_locale.deployment import from_settings as build_deployment
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.model import AccountKind
from monnaie_locale.operations.funds import receive_association_funds
from monnaie_locale.store import Database
from monnaie_locale.store.tables_operations import conversions
from tests.cli.conftest import Mlc
from tests.conftest import SteppingClock
from tests.support import snapshot

RESERVE_IBAN = "FR7630006000011234567890189"


@pytest.fixture
def deployment(
    database: Database, clock: SteppingClock, monkeypatch: pytest.MonkeyPatch
) -> Deployment:
    """A deployment with one office, ``centre``, and holders alice (member), bakery."""
    monkeypatch.setenv("MLC_RESERVE_IBAN", RESERVE_IBAN)
    built = build_deployment(load_settings(), offices=("centre",))

    def set_up(conn: Connection) -> None:
        create_system_accounts(conn, built, now=clock())
        for code, kind in (("alice", AccountKind.MEMBER), ("bakery", AccountKind.BUSINESS)):
            open_holder_account(conn, built, code, kind=kind, now=clock())

    database.write(set_up)
    return built


@pytest.fixture
def association_funds(database: Database, clock: SteppingClock, deployment: Deployment) -> None:
    """100 euros of the association's own, which cover losses and lost notes."""
    database.write(
        lambda conn: receive_association_funds(
            conn, amount=10000, memo="membership fees", idempotency_key="funds-1", clock=clock
        )
    )


def balance(database: Database, code: str) -> int:
    return database.read(lambda conn: get_account(conn, code).balance)


def conversion_rows(database: Database) -> int:
    return database.read(
        lambda conn: int(conn.execute(select(func.count()).select_from(conversions)).scalar_one())
    )


def test_a_transfer_order_prints_the_reference_that_credit_then_settles(
    mlc: Mlc, database: Database, deployment: Deployment
) -> None:
    ordered = mlc("convert", "transfer-order", "alice", "50", "--key", "order-1")
    assert ordered.exit_code == 0, ordered.output
    reference = ordered.stdout.strip().splitlines()[-1]
    assert balance(database, "alice") == 0

    credited = mlc("convert", "credit", reference, "--amount", "50", "--bank-ref", "B-1")

    assert credited.exit_code == 0, credited.output
    assert balance(database, "alice") == 5000
    assert balance(database, "reserve:digital") == -5000


def test_the_same_order_key_gives_the_same_reference_once(
    mlc: Mlc, database: Database, deployment: Deployment
) -> None:
    first = mlc.json("convert", "transfer-order", "alice", "20", "--key", "order-1")
    again = mlc.json("convert", "transfer-order", "alice", "20", "--key", "order-1")
    assert first["reference"] == again["reference"]
    assert conversion_rows(database) == 1


def test_a_bad_amount_is_refused_and_writes_nothing(
    mlc: Mlc, database: Database, deployment: Deployment
) -> None:
    before = snapshot(database)
    result = mlc("convert", "transfer-order", "alice", "12,505", "--key", "order-1")
    assert result.exit_code == 2
    assert "12,505" in result.stderr
    assert snapshot(database) == before
    assert conversion_rows(database) == 0


def test_crediting_a_different_amount_is_refused_and_issues_nothing(
    mlc: Mlc, database: Database, deployment: Deployment
) -> None:
    reference = mlc.json("convert", "transfer-order", "alice", "50", "--key", "o-1")["reference"]
    before = snapshot(database)

    result = mlc("convert", "credit", reference, "--amount", "40", "--bank-ref", "B-1")

    assert result.exit_code == 3
    assert snapshot(database) == before
    assert mlc.json("convert", "pending")[0]["reference"] == reference


def test_crediting_an_unknown_reference_is_refused(
    mlc: Mlc, database: Database, deployment: Deployment
) -> None:
    before = snapshot(database)
    result = mlc("convert", "credit", "NOPE-123", "--amount", "40", "--bank-ref", "B-1")
    assert result.exit_code == 2
    assert "NOPE-123" in result.stderr
    assert snapshot(database) == before


def test_a_cash_conversion_credits_the_account_and_fills_the_till(
    mlc: Mlc, database: Database, deployment: Deployment
) -> None:
    done = mlc.json("convert", "cash", "alice", "30", "--office", "centre", "--key", "cash-1")
    assert done["amount"] == 3000
    assert done["office"] == "centre"
    assert balance(database, "alice") == 3000
    assert balance(database, "office:centre:till") == -3000


def test_a_cash_conversion_at_an_unknown_office_writes_nothing(
    mlc: Mlc, database: Database, deployment: Deployment
) -> None:
    before = snapshot(database)
    result = mlc("convert", "cash", "alice", "30", "--office", "nowhere", "--key", "cash-1")
    assert result.exit_code != 0
    assert snapshot(database) == before
    assert conversion_rows(database) == 0


def test_a_card_conversion_is_recorded_once_per_key(
    mlc: Mlc, database: Database, deployment: Deployment
) -> None:
    args = ("convert", "card", "bakery", "25", "--payment-ref", "pi_1", "--key", "card-1")
    first = mlc.json(*args)
    again = mlc.json(*args)
    assert first["id"] == again["id"]
    assert balance(database, "bakery") == 2500


def test_conversions_speak_french_when_asked(
    mlc: Mlc, database: Database, deployment: Deployment
) -> None:
    result = mlc("convert", "transfer-order", "alice", "50", "--key", "o-1", lang="fr")
    assert result.exit_code == 0
    assert "Référence à indiquer" in result.stdout
