"""Setting a town up through the acts: the authority, its régies and their accounts, the
convention's versions, the tariffs, the duties; and who reads what, by role and by duty.
Every refusal leaves every row of the database as it was."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from monnaie_locale.acting import Context
from monnaie_locale.acts import authorities
from monnaie_locale.acts.sessions import acting_as
from monnaie_locale.auth import Role, create_user
from monnaie_locale.auth.errors import RoleForbidden
from monnaie_locale.authorities.errors import (
    DuplicateAuthority,
    DuplicateRegie,
    NotYourRegie,
    UnknownAuthority,
    UnknownRegie,
)
from monnaie_locale.authorities.staff import NotAnAgent, UnknownDuty
from monnaie_locale.bank.errors import InvalidIban
from monnaie_locale.config import Settings
from monnaie_locale.deployment import from_settings
from monnaie_locale.errors import InvalidRequest, MonnaieLocaleError
from monnaie_locale.store import Database
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_admin_log import admin_acts
from tests.authorities.outsiders import ELSEWHERE, NO_DUTY, OTHER_POOL, OTHER_TOWN, set_up_outsiders
from tests.authorities.town import POOL, TOWN, TREASURY_IBAN, set_up_town
from tests.conftest import SteppingClock
from tests.engine import Engine
from tests.support import every_row

# The association's people, and a member, beside the town's.
STAFF = {
    "admin": Role.ADMIN,
    "asso": Role.ASSOCIATION_OPERATOR,
    "auditor": Role.AUDITOR,
    "alice": Role.MEMBER,
    "office": Role.OFFICE_OPERATOR,
}


@pytest.fixture
def as_(ledger: Engine, clock: SteppingClock) -> Callable[[str], Context]:
    database = ledger.database
    set_up_town(database, clock)
    set_up_outsiders(database, clock)
    database.write(
        lambda conn: [
            create_user(conn, name, password="not used here", role=role, now=clock())
            for name, role in STAFF.items()
        ]
    )
    deployment = from_settings(Settings())

    def context(username: str) -> Context:
        return Context(
            database=database,
            actor=acting_as(database, username),
            deployment=deployment,
            clock=clock,
        )

    return context


def _refused(
    database: Database, error: type[MonnaieLocaleError], call: Callable[[], object]
) -> MonnaieLocaleError:
    before = every_row(database)
    with pytest.raises(error) as caught:
        call()
    assert every_row(database) == before
    return caught.value


def _account(database: Database, code: str) -> tuple[str, str | None] | None:
    row = database.read(
        lambda conn: conn.execute(
            select(accounts.c.kind, accounts.c.display_name).where(accounts.c.code == code)
        ).first()
    )
    return None if row is None else (row.kind, row.display_name)


def _logged(database: Database, act: str) -> list[str]:
    return list(
        database.read(
            lambda conn: conn.execute(
                select(admin_acts.c.target).where(admin_acts.c.act == act)
            ).scalars()
        )
    )


def _create_anglet(ctx: Context, **changes: object) -> object:
    fields: dict[str, object] = {
        "name": "Ville d'Anglet",
        "kind": "commune",
        "treasury_name": "Trésorerie d'Anglet",
        "treasury_iban": "fr76 3000 1007 9412 3456 7890 185",
        "treasury_bic": "bdfefrpp",
        "own_account": True,
    }
    return authorities.create_authority(ctx, "anglet", **(fields | changes))  # type: ignore[arg-type]


def test_an_authority_is_recorded_with_its_own_account_and_logged(
    as_: Callable[[str], Context],
) -> None:
    database = as_("asso").database
    created = _create_anglet(as_("asso"))
    assert created == authorities.get_authority(as_("auditor"), "anglet").authority
    assert (created.treasury_iban, created.treasury_bic) == (TREASURY_IBAN, "BDFEFRPP")  # type: ignore[attr-defined]
    assert created.account == "authority:anglet"  # type: ignore[attr-defined]
    assert _account(database, "authority:anglet") == ("authority", "Ville d'Anglet")
    assert _logged(database, "authorities.create_authority") == ["anglet"]


def test_a_duplicate_authority_and_a_bad_iban_are_refused_and_change_nothing(
    as_: Callable[[str], Context],
) -> None:
    database = as_("admin").database
    _create_anglet(as_("admin"))
    _refused(database, DuplicateAuthority, lambda: _create_anglet(as_("admin")))
    error = _refused(
        database,
        InvalidIban,
        lambda: authorities.create_authority(
            as_("admin"),
            "bidart",
            name="Bidart",
            kind="commune",
            treasury_name="T",
            treasury_iban="FR7630001007941234567890186",  # one digit off
            own_account=True,
        ),
    )
    assert "check digits" in str(error) or "RIB" in str(error)
    _refused(
        database,
        InvalidRequest,
        lambda: authorities.create_authority(
            as_("admin"),
            "bidart",
            name="Bidart",
            kind="village",
            treasury_name="T",
            treasury_iban=TREASURY_IBAN,
            own_account=True,
        ),
    )
    assert _account(database, "authority:bidart") is None


def test_a_regie_opens_its_own_account_once(as_: Callable[[str], Context]) -> None:
    database = as_("asso").database
    regie = authorities.create_regie(
        as_("asso"), TOWN, "bayonne-musee", name="Musée basque", cash_cap=30_000
    )
    assert (regie.authority, regie.account, regie.cash_cap) == (
        TOWN,
        "authority:regie-bayonne-musee",
        30_000,
    )
    assert _account(database, "authority:regie-bayonne-musee") == ("authority", "Musée basque")
    again = lambda: authorities.create_regie(  # noqa: E731
        as_("asso"), TOWN, "bayonne-musee", name="Autre", cash_cap=1
    )
    _refused(database, DuplicateRegie, again)
    _refused(
        database,
        UnknownAuthority,
        lambda: authorities.create_regie(as_("asso"), "nulle-part", "x", name="X", cash_cap=1),
    )
    _refused(
        database,
        MonnaieLocaleError,
        lambda: authorities.create_regie(as_("asso"), TOWN, "gratuite", name="X", cash_cap=0),
    )
    assert _account(database, "authority:regie-gratuite") is None


def test_the_convention_in_force_is_the_latest_version_begun(
    as_: Callable[[str], Context], clock: SteppingClock
) -> None:
    asso = as_("asso")
    # The town's fixture has a version from 2026-01-01; the clock reads 2026-11-02.
    authorities.record_convention(
        asso,
        TOWN,
        effective_from=date(2026, 7, 1),
        reconversion_fee_bps=authorities.fee_bps("1,5"),
        payin_days=15,
        cash_cap=20_000,
        reference="Avenant 1",
    )
    authorities.record_convention(
        asso, TOWN, effective_from=date(2026, 12, 1), reconversion_fee_bps=0, payin_days=31
    )
    in_force = authorities.get_authority(as_("finances"), TOWN).convention
    assert in_force is not None
    assert (in_force.effective_from, in_force.reconversion_fee_bps, in_force.cash_cap) == (
        date(2026, 7, 1),
        150,
        20_000,
    )
    assert in_force.created_by == "asso" and not in_force.may_spend
    clock.advance(timedelta(days=30))
    december = authorities.get_authority(as_("finances"), TOWN).convention
    assert december is not None and december.effective_from == date(2026, 12, 1)
    versions = authorities.list_conventions(as_("comptable"), TOWN)
    assert [v.effective_from for v in versions] == [
        date(2026, 1, 1),
        date(2026, 7, 1),
        date(2026, 12, 1),
    ]
    _refused(
        asso.database,
        InvalidRequest,
        lambda: authorities.record_convention(
            asso, TOWN, effective_from=date(2026, 7, 1), reconversion_fee_bps=0, payin_days=30
        ),
    )
    _refused(
        asso.database,
        InvalidRequest,
        lambda: authorities.record_convention(
            asso, TOWN, effective_from=date(2027, 1, 1), reconversion_fee_bps=0, payin_days=45
        ),
    )


@pytest.mark.parametrize(
    ("text", "bps"), [("0", 0), ("1,5", 150), ("2.25 %", 225), ("100", 10_000), ("0,01", 1)]
)
def test_a_fee_is_read_as_a_percentage(text: str, bps: int) -> None:
    assert authorities.fee_bps(text) == bps


@pytest.mark.parametrize("text", ["", "abc", "0,001", "101", "-1", "1,5,5"])
def test_a_fee_that_is_no_percentage_is_refused(text: str) -> None:
    with pytest.raises(InvalidRequest):
        authorities.fee_bps(text)


def test_each_reads_the_regies_their_duties_place_them_at(
    as_: Callable[[str], Context],
) -> None:
    authorities.create_regie(as_("asso"), TOWN, "bayonne-musee", name="Musée", cash_cap=10_000)

    def codes(username: str) -> list[str]:
        return [regie.code for regie in authorities.my_regies(as_(username))]

    everyone = sorted(["bayonne-musee", POOL, OTHER_POOL])
    for overseer in ("admin", "asso", "auditor"):
        assert codes(overseer) == everyone
    assert codes("regisseur") == codes("mandataire") == [POOL]
    for town_wide in ("finances", "ordonnateur", "comptable"):
        assert codes(town_wide) == ["bayonne-musee", POOL]
    assert codes(ELSEWHERE) == [OTHER_POOL]
    assert codes(NO_DUTY) == []
    assert [a.code for a in authorities.list_authorities(as_("regisseur"))] == [TOWN]
    assert [a.code for a in authorities.list_authorities(as_(ELSEWHERE))] == [OTHER_TOWN]
    assert authorities.list_authorities(as_(NO_DUTY)) == []
    assert len(authorities.list_authorities(as_("auditor"))) == 2
    assert authorities.get_regie(as_("finances"), "bayonne-musee").name == "Musée"
    for username, code in (("regisseur", "bayonne-musee"), (ELSEWHERE, POOL), (NO_DUTY, POOL)):
        with pytest.raises(NotYourRegie):
            authorities.get_regie(as_(username), code)
    for username in (ELSEWHERE, NO_DUTY):
        with pytest.raises(NotYourRegie):
            authorities.get_authority(as_(username), TOWN)
        with pytest.raises(NotYourRegie):
            authorities.list_conventions(as_(username), TOWN)


def test_an_unknown_code_is_refused_to_an_agent_as_one_not_theirs(
    as_: Callable[[str], Context],
) -> None:
    # An agent cannot learn which towns exist; the association is told it is unknown.
    with pytest.raises(NotYourRegie):
        authorities.get_regie(as_("regisseur"), "nulle-part")
    with pytest.raises(NotYourRegie):
        authorities.get_authority(as_("finances"), "nulle-part")
    with pytest.raises(UnknownRegie):
        authorities.get_regie(as_("auditor"), "nulle-part")
    with pytest.raises(UnknownAuthority):
        authorities.get_authority(as_("asso"), "nulle-part")


def test_the_regisseur_adds_tariffs_and_the_counter_and_accountants_read_them(
    as_: Callable[[str], Context],
) -> None:
    database = as_("regisseur").database
    added = authorities.add_tariff(as_("regisseur"), POOL, label=" Aquagym ", amount=800)
    assert (added.label, added.amount) == ("Aquagym", 800)
    authorities.add_tariff(as_("asso"), POOL, label="Leçon", amount=1200)
    expected = [
        ("Aquagym", 800),
        ("Entrée piscine, plein tarif", 450),
        ("Entrée piscine, tarif réduit", 300),
        ("Leçon", 1200),
    ]
    for reader in ("regisseur", "mandataire", "finances", "comptable", "auditor", "admin"):
        seen = authorities.list_tariffs(as_(reader), POOL)
        assert [(t.label, t.amount) for t in seen] == expected
    for username in ("ordonnateur", ELSEWHERE, NO_DUTY):
        with pytest.raises(NotYourRegie):
            authorities.list_tariffs(as_(username), POOL)
    for username in ("mandataire", "finances", "comptable", ELSEWHERE):
        _refused(
            database,
            NotYourRegie,
            lambda u=username: authorities.add_tariff(as_(u), POOL, label="Sauna", amount=500),  # type: ignore[misc]
        )
    _refused(
        database,
        RoleForbidden,
        lambda: authorities.add_tariff(as_("auditor"), POOL, label="Sauna", amount=500),
    )
    _refused(
        database,
        InvalidRequest,
        lambda: authorities.add_tariff(as_("regisseur"), POOL, label="Aquagym", amount=900),
    )
    _refused(
        database,
        MonnaieLocaleError,
        lambda: authorities.add_tariff(as_("regisseur"), POOL, label="Gratuit", amount=0),
    )


def test_duties_are_granted_to_agents_listed_and_taken_back(
    as_: Callable[[str], Context],
) -> None:
    admin = as_("admin")
    database = admin.database
    granted = authorities.grant_duty(admin, TOWN, NO_DUTY, "mandataire", regie=POOL)
    assert (granted.username, granted.regie, granted.duty) == (NO_DUTY, POOL, "mandataire")
    assert authorities.grant_duty(admin, TOWN, NO_DUTY, "mandataire", regie=POOL) == granted
    assert [r.code for r in authorities.my_regies(as_(NO_DUTY))] == [POOL]
    listed = authorities.list_duties(as_("finances"), TOWN)
    assert granted in listed
    assert {(d.username, d.duty) for d in listed} >= {("regisseur", "regisseur")}
    taken = authorities.revoke_duty(admin, TOWN, granted.id)
    assert taken == granted
    assert authorities.my_regies(as_(NO_DUTY)) == []
    _refused(database, UnknownDuty, lambda: authorities.revoke_duty(admin, TOWN, granted.id))
    # A duty of Biarritz is not taken back through Bayonne.
    (other,) = [d for d in authorities.list_duties(admin, OTHER_TOWN) if d.duty == "finance"]
    _refused(database, UnknownDuty, lambda: authorities.revoke_duty(admin, TOWN, other.id))
    _refused(
        database,
        NotAnAgent,
        lambda: authorities.grant_duty(admin, TOWN, "alice", "finance"),
    )
    _refused(
        database,
        InvalidRequest,
        lambda: authorities.grant_duty(admin, TOWN, NO_DUTY, "mandataire"),
    )
    _refused(
        database,
        InvalidRequest,
        lambda: authorities.grant_duty(admin, TOWN, NO_DUTY, "finance", regie=POOL),
    )
    _refused(
        database,
        InvalidRequest,
        lambda: authorities.grant_duty(admin, TOWN, NO_DUTY, "regisseur", regie=OTHER_POOL),
    )
    _refused(
        database,
        InvalidRequest,
        lambda: authorities.grant_duty(admin, TOWN, NO_DUTY, "maire"),
    )
    # Granted twice, logged twice: the second changed nothing, and says so by its result.
    assert _logged(database, "authorities.grant_duty") == [TOWN, TOWN]
    assert _logged(database, "authorities.revoke_duty") == [TOWN]


SETTING_UP: dict[str, Callable[[Context], object]] = {
    "create_authority": _create_anglet,
    "create_regie": lambda ctx: authorities.create_regie(ctx, TOWN, "x", name="X", cash_cap=1),
    "record_convention": lambda ctx: authorities.record_convention(
        ctx, TOWN, effective_from=date(2026, 9, 1), reconversion_fee_bps=0, payin_days=30
    ),
    "grant_duty": lambda ctx: authorities.grant_duty(ctx, TOWN, NO_DUTY, "finance"),
    "revoke_duty": lambda ctx: authorities.revoke_duty(ctx, TOWN, 1),
}


@pytest.mark.parametrize("act", sorted(SETTING_UP))
def test_only_the_association_sets_a_town_up(as_: Callable[[str], Context], act: str) -> None:
    for username in ("regisseur", "finances", "ordonnateur", "comptable", "auditor", "alice"):
        _refused(as_(username).database, RoleForbidden, lambda u=username: SETTING_UP[act](as_(u)))  # type: ignore[misc]


def test_a_member_and_an_office_operator_read_no_town(as_: Callable[[str], Context]) -> None:
    for username in ("alice", "office"):
        for read in (
            lambda ctx: authorities.list_authorities(ctx),
            lambda ctx: authorities.my_regies(ctx),
            lambda ctx: authorities.get_regie(ctx, POOL),
            lambda ctx: authorities.list_tariffs(ctx, POOL),
        ):
            with pytest.raises(RoleForbidden):
                read(as_(username))
