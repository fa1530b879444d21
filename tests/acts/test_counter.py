"""What an exchange office's counter reads, over the demonstration, on each engine: the
offices one works at, what an office holds now, and the accounts a customer's words
name (case aside on both engines, wildcards taken literally, never a system account)."""

from __future__ import annotations

from pathlib import Path

import pytest

from monnaie_locale.acting import Context
from monnaie_locale.acts import accounts, counter, notes, offices
from monnaie_locale.acts.demo import set_up_demo
from monnaie_locale.acts.sessions import acting_as
from monnaie_locale.auth.errors import NotYourAccount, RoleForbidden
from monnaie_locale.config import Settings
from monnaie_locale.deployment import from_settings
from monnaie_locale.errors import InvalidRequest, UnknownAccount
from monnaie_locale.model import AccountKind
from monnaie_locale.store.database import Database


@pytest.fixture
def demo(database: Database, tmp_path: Path) -> Settings:
    return set_up_demo(
        database,
        Settings(database_url=str(database.engine.url), jobs_enabled=False),
        key_folder=tmp_path,
    )


def _ctx(database: Database, settings: Settings, username: str) -> Context:
    return Context(
        database=database, actor=acting_as(database, username), deployment=from_settings(settings)
    )


def test_each_reads_the_offices_they_work_at(database: Database, demo: Settings) -> None:
    offices.add_office(_ctx(database, demo, "admin"), "gare")
    assert counter.counter_offices(_ctx(database, demo, "comptoir")) == ("centre",)
    for username in ("asso", "admin", "audit"):
        assert set(counter.counter_offices(_ctx(database, demo, username))) == {"centre", "gare"}
    for username in ("alice", "boulangerie", "caisse", "mairie"):
        with pytest.raises(RoleForbidden):
            counter.counter_offices(_ctx(database, demo, username))


def test_an_office_s_desk_is_its_till_s_cash_and_its_notes(
    database: Database, demo: Settings
) -> None:
    asso = _ctx(database, demo, "asso")
    offices.add_office(asso, "gare")
    # What the demonstration's office holds already: the desk reads what is added to it.
    before = counter.office_desk(_ctx(database, demo, "comptoir"), "centre")
    notes.print_notes(asso, {2000: 4, 500: 2}, key="print")
    notes.deliver_notes(asso, "centre", {2000: 4, 500: 2}, key="deliver")
    notes.sell_notes(_ctx(database, demo, "comptoir"), "centre", {2000: 1}, key="sell")
    desk = counter.office_desk(_ctx(database, demo, "comptoir"), "centre")
    assert desk.cash == before.cash + 2000
    assert desk.count_of(2000) == before.count_of(2000) + 3
    assert desk.count_of(500) == before.count_of(500) + 2
    assert desk.count_of(100) == before.count_of(100)
    assert desk.notes_value == before.notes_value + 7000
    # Every denomination listed, smallest first, so a screen shows the empty ones too.
    assert [d for d, _ in desk.notes] == sorted(from_settings(demo).denominations)
    assert counter.office_desk(_ctx(database, demo, "audit"), "gare").cash == 0
    with pytest.raises(NotYourAccount):
        counter.office_desk(_ctx(database, demo, "comptoir"), "gare")
    with pytest.raises(UnknownAccount):
        counter.office_desk(_ctx(database, demo, "admin"), "nowhere")


def test_a_customer_s_account_is_found_by_words_of_its_code_or_name(
    database: Database, demo: Settings
) -> None:
    ctx = _ctx(database, demo, "comptoir")
    assert [a.code for a in counter.find_holders(ctx, "ALICE")] == ["member:alice"]
    assert [a.code for a in counter.find_holders(ctx, "etchegaray boulang")] == [
        "business:boulangerie"
    ]
    assert [a.code for a in counter.find_holders(ctx, "member")] == ["member:alice", "member:bob"]
    # The code said whole comes first; office, system and closed accounts are nobody's.
    assert counter.find_holders(ctx, "member:bob")[0].code == "member:bob"
    assert counter.find_holders(ctx, "office") == []
    assert counter.find_holders(ctx, "issuance") == []
    assert counter.find_holders(ctx, "%") == [] and counter.find_holders(ctx, "_") == []
    with pytest.raises(InvalidRequest):
        counter.find_holders(ctx, "   ")
    asso = _ctx(database, demo, "asso")
    accounts.open_account(asso, "member:zoe", kind=AccountKind.MEMBER)
    accounts.close(asso, "member:zoe")
    assert counter.find_holders(ctx, "zoe") == []
    with pytest.raises(RoleForbidden):
        counter.find_holders(_ctx(database, demo, "alice"), "bob")
