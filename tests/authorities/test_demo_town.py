"""The demonstration's town: Bayonne, its pool's régie, its tariffs, its convention and its
people, each reading what their duty lets them; the town hall's wallet is the town's own
account, never the régie's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from monnaie_locale import demo
from monnaie_locale.acting import Context
from monnaie_locale.acts import authorities, wallet
from monnaie_locale.acts.demo import set_up_demo
from monnaie_locale.acts.sessions import acting_as
from monnaie_locale.auth import Role
from monnaie_locale.authorities.errors import NotYourRegie
from monnaie_locale.config import Settings
from monnaie_locale.deployment import from_settings
from monnaie_locale.store import Database

TOWN_PEOPLE = ("regisseur", "guichet-piscine", "finances", "ordonnateur", "tresorerie")


@pytest.fixture
def demo_town(database: Database, tmp_path: Path) -> Settings:
    return set_up_demo(database, Settings(jobs_enabled=False), key_folder=tmp_path)


def _ctx(database: Database, settings: Settings, username: str) -> Context:
    return Context(
        database=database, actor=acting_as(database, username), deployment=from_settings(settings)
    )


def test_the_demo_town_has_its_pool_its_tariffs_and_its_convention(
    database: Database, demo_town: Settings
) -> None:
    seen = authorities.get_authority(_ctx(database, demo_town, "finances"), "bayonne")
    assert seen.authority.account == "authority:bayonne"
    [pool] = seen.regies
    assert (pool.code, pool.account, pool.cash_cap) == (
        "bayonne-piscine",
        "authority:regie-piscine",
        100_000,
    )
    assert seen.convention is not None
    assert (
        seen.convention.effective_from,
        seen.convention.reconversion_fee_bps,
        seen.convention.payin_days,
        seen.convention.may_spend,
    ) == (date(2026, 1, 1), 0, 30, True)
    tariffs = authorities.list_tariffs(_ctx(database, demo_town, "guichet-piscine"), pool.code)
    assert {(t.label, t.amount) for t in tariffs} == {
        ("Entrée piscine, plein tarif", 450),
        ("Entrée piscine, tarif réduit", 300),
    }


def test_each_of_the_demo_town_s_people_has_a_duty_and_a_published_password(
    database: Database, demo_town: Settings
) -> None:
    published = {user.username: user for user in demo.DEMO_USERS}
    for username in TOWN_PEOPLE:
        assert published[username].role == Role.AUTHORITY_AGENT
        assert published[username].password == f"{username}-demo-2026"
        regies = authorities.my_regies(_ctx(database, demo_town, username))
        assert [regie.code for regie in regies] == ["bayonne-piscine"]
    held = authorities.list_duties(_ctx(database, demo_town, "asso"), "bayonne")
    assert {(d.username, d.duty) for d in held} == {
        ("regisseur", "regisseur"),
        ("guichet-piscine", "mandataire"),
        ("finances", "finance"),
        ("ordonnateur", "ordonnateur"),
        ("tresorerie", "comptable"),
    }
    # Only the régisseur adds a tariff; the town hall's wallet holds no duty at all.
    with pytest.raises(NotYourRegie):
        authorities.add_tariff(
            _ctx(database, demo_town, "guichet-piscine"), "bayonne-piscine", label="X", amount=1
        )
    assert authorities.my_regies(_ctx(database, demo_town, "mairie")) == []
    assert wallet.own_account(_ctx(database, demo_town, "mairie")).code == "authority:bayonne"
