"""The authorities' registry: régies, conventions in force by day, duties and the
quittances' numbering, straight on the store (the acts' tests check who may call them)."""

from __future__ import annotations

from datetime import date

import pytest

from monnaie_locale.auth import Role
from monnaie_locale.auth.principal import Principal
from monnaie_locale.authorities import duties, registry
from monnaie_locale.authorities.errors import DuplicateRegie, NotYourRegie, UnknownRegie
from monnaie_locale.authorities.quittances import issue_quittance, quittance_of_transaction
from monnaie_locale.errors import InvalidRequest
from tests.authorities.town import POOL, POOL_ACCOUNT, TOWN, set_up_town
from tests.conftest import SteppingClock
from tests.engine import Engine


def _agent(town_user_id: int) -> Principal:
    return Principal(Role.AUTHORITY_AGENT, frozenset(), "someone", user_id=town_user_id)


def test_a_convention_in_force_is_the_latest_version_begun(
    ledger: Engine, clock: SteppingClock
) -> None:
    town = set_up_town(ledger.database, clock)

    def new_version(conn):  # type: ignore[no-untyped-def]
        return registry.record_convention(
            conn,
            town.authority,
            effective_from=date(2026, 7, 1),
            reconversion_fee_bps=150,
            payin_days=15,
            cash_cap=20_000,
            may_spend=False,
            reference="Avenant 1",
            by="admin",
            now=clock(),
        )

    ledger.database.write(new_version)
    on = lambda day: ledger.database.read(  # noqa: E731
        lambda conn: registry.convention_on(conn, town.authority, day)
    )
    assert on(date(2025, 12, 31)) is None
    assert on(date(2026, 6, 30)).reconversion_fee_bps == 0  # type: ignore[union-attr]
    july = on(date(2026, 7, 1))
    assert july is not None and july.reconversion_fee_bps == 150 and not july.may_spend
    assert registry.cap_of(town.pool, july) == 20_000
    with pytest.raises(InvalidRequest):
        ledger.database.write(new_version)


def test_a_regie_is_one_per_account_and_code(ledger: Engine, clock: SteppingClock) -> None:
    set_up_town(ledger.database, clock)
    with pytest.raises(DuplicateRegie):
        ledger.database.write(
            lambda conn: registry.create_regie(
                conn,
                TOWN,
                "autre",
                name="x",
                account=POOL_ACCOUNT,
                cash_cap=1,
                names_payers=False,
                now=clock(),
            )
        )
    with pytest.raises(UnknownRegie):
        ledger.database.read(lambda conn: registry.regie_by_code(conn, "nowhere"))


def test_duties_scope_people_to_their_regie(ledger: Engine, clock: SteppingClock) -> None:
    town = set_up_town(ledger.database, clock)

    def check(name: str, wanted: tuple[str, ...]) -> None:
        ledger.database.read(
            lambda conn: duties.check_regie_duty(
                conn, _agent(town.user_ids[name]), town.pool, wanted, reading=False
            )
        )

    check("regisseur", ("regisseur",))
    check("mandataire", duties.COUNTER)
    check("finances", duties.FINANCE_READERS)
    for name, wanted in (("mandataire", ("regisseur",)), ("ordonnateur", duties.COUNTER)):
        with pytest.raises(NotYourRegie):
            check(name, wanted)


def test_quittances_are_numbered_per_regie_and_year(ledger: Engine, clock: SteppingClock) -> None:
    town = set_up_town(ledger.database, clock)
    ledger.open_account("alice", kind="member", currency="MLC")  # type: ignore[arg-type]
    ledger.transfer("issuance", "alice", 10_000, idempotency_key="fund")
    numbers = []
    for year in (2026, 2026, 2027, 2026):
        paid = ledger.transfer("alice", POOL_ACCOUNT, 300, idempotency_key=f"p{len(numbers)}")
        quittance = ledger.database.write(
            lambda conn, paid=paid, year=year: issue_quittance(
                conn,
                town.pool,
                transaction_id=paid.id,
                year=year,
                object="Entrée",
                payer_name="anonyme",
                payer_account_id=None,
                units=300,
                now=clock(),
            )
        )
        numbers.append((quittance.year, quittance.number))
        assert (
            ledger.database.read(lambda conn, paid=paid: quittance_of_transaction(conn, paid.id))
            == quittance
        )
    assert numbers == [(2026, 1), (2026, 2), (2027, 1), (2026, 3)]
    assert town.pool.code == POOL
