"""The wallet's acts and a holder's own membership fee, over the demonstration, on each
engine: who has a wallet, what it reads, and what a holder may know of their fee."""

from __future__ import annotations

from pathlib import Path

import pytest

from monnaie_locale.acting import Context
from monnaie_locale.acts import membership, transfers, wallet
from monnaie_locale.acts.demo import set_up_demo
from monnaie_locale.acts.sessions import acting_as
from monnaie_locale.acts.wallet import NoWallet
from monnaie_locale.auth import Role, create_user
from monnaie_locale.auth.errors import NotTransferable, NotYourAccount, RoleForbidden
from monnaie_locale.clock import utc_now
from monnaie_locale.config import Settings
from monnaie_locale.deployment import from_settings
from monnaie_locale.errors import UnknownAccount
from monnaie_locale.store.database import Database


@pytest.fixture
def demo(database: Database, tmp_path: Path) -> Settings:
    return set_up_demo(
        database,
        Settings(
            database_url=str(database.engine.url),
            membership_fees={"member": 1_500},
            jobs_enabled=False,
        ),
        key_folder=tmp_path,
    )


def _ctx(database: Database, settings: Settings, username: str) -> Context:
    return Context(
        database=database,
        actor=acting_as(database, username),
        deployment=from_settings(settings),
    )


def test_a_wallet_is_a_member_s_or_an_authority_agent_s(database: Database, demo: Settings) -> None:
    assert wallet.own_account(_ctx(database, demo, "alice")).code == "member:alice"
    assert wallet.own_account(_ctx(database, demo, "mairie")).code == "authority:bayonne"
    for username in ("boulangerie", "caisse", "audit", "asso", "admin", "comptoir"):
        with pytest.raises(RoleForbidden):
            wallet.overview(_ctx(database, demo, username))


def test_the_overview_names_each_movement_s_counterparty(
    database: Database, demo: Settings
) -> None:
    alice = _ctx(database, demo, "alice")
    transfers.transfer(alice, "member:alice", "business:boulangerie", 250, key="k1", memo="pain")
    seen = wallet.overview(alice, recent=1)
    assert seen.account.balance == 10_000 - 250
    assert [(m.amount, m.counterparty, m.memo) for m in seen.recent] == [
        (-250, "Boulangerie Etchegaray", "pain")
    ]


def test_a_recipient_is_a_holder_named_as_payers_see_it(database: Database, demo: Settings) -> None:
    alice = _ctx(database, demo, "alice")
    assert wallet.recipient(alice, "business:boulangerie").name == "Boulangerie Etchegaray"
    with pytest.raises(UnknownAccount):
        wallet.recipient(alice, "member:nobody")
    with pytest.raises(NotTransferable):
        wallet.recipient(alice, "association:fees")


def test_a_holder_reads_their_own_fee_and_no_one_else_s(database: Database, demo: Settings) -> None:
    alice = _ctx(database, demo, "alice")
    fee = membership.account_fee(alice, "member:alice")
    assert (fee.amount, fee.per, fee.paid) == (1_500, "year", False)
    membership.pay_fee(alice, "member:alice", fee.period or "", paid_in="units", key="fee")
    assert membership.account_fee(alice, "member:alice").paid is True
    with pytest.raises(NotYourAccount):
        membership.account_fee(alice, "member:bob")
    # A business owes nothing here: the fee is the members'.
    owner = _ctx(database, demo, "boulangerie")
    assert membership.account_fee(owner, "business:boulangerie").amount is None


def test_a_member_holding_no_account_is_told_to_ask_for_one(
    database: Database, demo: Settings
) -> None:
    database.write(
        lambda conn: create_user(
            conn, "newcomer", password="newcomer-pass-2026", role=Role.MEMBER, now=utc_now()
        )
    )
    newcomer = _ctx(database, demo, "newcomer")
    for read in (wallet.overview, wallet.own_account, wallet.orders):
        with pytest.raises(NoWallet):
            read(newcomer)
