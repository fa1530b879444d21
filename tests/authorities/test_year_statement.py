"""The yearly statements through the acts: they tie with the ledger, as computed apart
from the postings themselves, and only the people who receive them read them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Connection, func, select, update

from monnaie_locale.acts import authority_statements as statements
from monnaie_locale.auth import Role
from monnaie_locale.auth.errors import RoleForbidden
from monnaie_locale.authorities import duties, registry
from monnaie_locale.authorities.errors import NotYourRegie, UnknownAuthority, UnknownRegie
from monnaie_locale.authorities.year_statement import StatementMismatch
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.accounts import get_account, open_account
from monnaie_locale.model import AccountKind
from monnaie_locale.store.tables import postings
from monnaie_locale.store.tables_authorities import mandates
from tests.authorities import town_year as ty
from tests.authorities.town import POOL, POOL_ACCOUNT, TOWN, TOWN_ACCOUNT
from tests.engine import Engine
from tests.support import snapshot

if TYPE_CHECKING:
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges", "tests.authorities.year_fixtures"]

# The books are in Europe/Paris: each year starts at 23:00 UTC the day before.
YEAR_2026_STARTS = datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
YEAR_2027_STARTS = datetime(2026, 12, 31, 23, 0, tzinfo=UTC)


def ledger_balance(year: ty.TownYear, account: str, before: datetime) -> int:
    """The account's balance as the plain sum of its postings dated before ``before``."""

    def read(conn: Connection) -> int:
        found = get_account(conn, account)
        total = conn.execute(
            select(func.coalesce(func.sum(postings.c.amount), 0)).where(
                postings.c.account_id == found.id, postings.c.created_at < before
            )
        ).scalar_one()
        return int(total)

    return year.fronts.database.read(read)


def test_a_regie_statement_ties_with_the_ledger(town_year: ty.TownYear) -> None:
    found = statements.regie_statement(town_year.as_("regisseur"), POOL, 2026)

    assert found.opening == ty.POOL_OPENING_2026
    assert found.opening == ledger_balance(town_year, POOL_ACCOUNT, YEAR_2026_STARTS)
    assert found.closing == ty.POOL_CLOSING_2026
    assert found.closing == ledger_balance(town_year, POOL_ACCOUNT, YEAR_2027_STARTS)
    # The payment of 23:30 UTC on 31 December is 2027's in Paris: not in this year.
    assert [q.number for q in found.quittances] == ["2026-000001", "2026-000002", "2026-000003"]
    assert [q.units for q in found.quittances] == list(ty.POOL_QUITTANCES_2026)
    assert found.collected == sum(ty.POOL_QUITTANCES_2026)
    assert [q.euros for q in found.quittances] == [ty.POOL_EUROS_2026, 0, 0]
    assert [(v.number, v.units, v.fee, v.euros) for v in found.versements] == [
        ("2026-0001", ty.POOL_VERSEMENT_2026, 0, ty.POOL_VERSEMENT_2026)
    ]
    # The versement of December 2025, paid in January, was still on the account.
    assert (found.in_transit_opening, found.in_transit_closing) == (ty.POOL_IN_TRANSIT_2026, 0)
    assert (
        found.opening - found.in_transit_opening + found.collected - found.paid_in
        == found.closing - found.in_transit_closing
    )
    assert found.complete and found.treasury_name == "Trésorerie de Bayonne"


def test_a_versement_not_yet_paid_at_the_years_end_is_in_transit(
    town_year: ty.TownYear,
) -> None:
    ctx = town_year.as_("comptable")
    before = statements.regie_statement(ctx, POOL, 2025)
    after = statements.regie_statement(ctx, POOL, 2026)
    assert [q.number for q in before.quittances] == ["2025-000001", "2025-000002", "2025-000003"]
    assert [v.units for v in before.versements] == [ty.POOL_VERSEMENT_2025]
    assert before.opening == 0
    assert before.closing == ty.POOL_CLOSING_2025 == after.opening
    assert before.closing == ledger_balance(town_year, POOL_ACCOUNT, YEAR_2026_STARTS)
    assert before.in_transit_closing == ty.POOL_VERSEMENT_2025 == after.in_transit_opening


def test_an_authority_statement_lists_the_mandates_paid_in_the_year(
    town_year: ty.TownYear,
) -> None:
    found = statements.authority_statement(town_year.as_("finances"), TOWN, 2026)

    assert found.opening == ty.TOWN_OPENING_2026
    assert found.opening == ledger_balance(town_year, TOWN_ACCOUNT, YEAR_2026_STARTS)
    assert found.closing == ty.TOWN_CLOSING_2026
    assert found.closing == ledger_balance(town_year, TOWN_ACCOUNT, YEAR_2027_STARTS)
    # Paid in 2026, whatever their exercice; the 2025 one paid in 2025 is not here.
    assert [(m.exercice, m.bordereau, m.number, m.amount) for m in found.mandates] == [
        (2025, "B-2025-12", "97", 2000),
        (2026, "B-2026-31", "341", 4500),
    ]
    mandate = found.mandates[1]
    assert (mandate.chapitre, mandate.article, mandate.fonction) == ("011", "6068", "413")
    assert mandate.paid_at.year == 2026
    assert [(o.amount, o.memo) for o in found.others] == [(ty.TOWN_GIFT_2026, "don")]
    assert found.opening - found.mandated + found.others_total == found.closing


def test_a_year_without_movement_opens_and_closes_on_the_same_balance(
    town_year: ty.TownYear, fronts: Fronts
) -> None:
    found = statements.regie_statement(fronts.context(Role.AUDITOR), POOL, 2030)
    assert found.quittances == () and found.versements == ()
    assert (
        found.opening
        == found.closing
        == ledger_balance(town_year, POOL_ACCOUNT, datetime(2031, 1, 1, tzinfo=UTC))
    )
    assert not found.complete  # the clock is in 2027


def test_a_payment_without_quittance_makes_the_statement_refused(
    town_year: ty.TownYear, fronts: Fronts
) -> None:
    # February 2027: units posted into the pool beneath the acts, with no quittance.
    engine = Engine(fronts.database, clock=town_year.clock)
    engine.transfer("alice", POOL_ACCOUNT, 700, idempotency_key="no-receipt")
    admin = fronts.context(Role.ADMIN)
    with pytest.raises(StatementMismatch, match="does not tie") as refused:
        statements.regie_statement(admin, POOL, 2027)
    assert refused.value.expected == ty.POOL_CLOSING_2026 + 300
    assert refused.value.ledger == ty.POOL_CLOSING_2026 + 300 + 700
    # 2026 is untouched and still ties.
    assert statements.regie_statement(admin, POOL, 2026).closing == ty.POOL_CLOSING_2026


def test_a_mandate_paid_another_amount_than_its_own_is_refused(
    town_year: ty.TownYear, fronts: Fronts
) -> None:
    def tamper(conn: Connection) -> None:
        conn.execute(update(mandates).where(mandates.c.number == "341").values(amount=4400))

    fronts.database.write(tamper)
    with pytest.raises(StatementMismatch, match="341"):
        statements.authority_statement(fronts.context(Role.AUDITOR), TOWN, 2026)


@pytest.mark.parametrize(
    ("name", "act", "where"),
    [
        ("mandataire", statements.regie_statement, POOL),
        ("ordonnateur", statements.regie_statement, POOL),
        ("ordonnateur", statements.authority_statement, TOWN),
        ("regisseur", statements.authority_statement, TOWN),
        ("mandataire", statements.authority_statement, TOWN),
    ],
)
def test_people_without_the_duty_are_refused(
    town_year: ty.TownYear, name: str, act: Callable[..., object], where: str
) -> None:
    before = snapshot(town_year.fronts.database)
    with pytest.raises(NotYourRegie):
        act(town_year.as_(name), where, 2026)
    assert snapshot(town_year.fronts.database) == before


def test_the_regisseur_of_another_regie_is_refused(town_year: ty.TownYear) -> None:
    clock, database = town_year.clock, town_year.fronts.database

    def other_regie(conn: Connection) -> None:
        open_account(
            conn, "authority:musee", kind=AccountKind.AUTHORITY, currency="MLC", now=clock()
        )
        musee = registry.create_regie(
            conn,
            TOWN,
            "bayonne-musee",
            name="Musée basque",
            account="authority:musee",
            cash_cap=10_000,
            names_payers=False,
            now=clock(),
        )
        duties.grant_duty(
            conn,
            town_year.town.user_ids["mandataire"],
            town_year.town.authority,
            "regisseur",
            regie=musee,
            now=clock(),
        )

    database.write(other_regie)
    # The musée's régisseur reads the musée's statement, not the pool's.
    ctx = town_year.as_("mandataire")
    assert statements.regie_statement(ctx, "bayonne-musee", 2026).quittances == ()
    with pytest.raises(NotYourRegie):
        statements.regie_statement(ctx, POOL, 2026)


def test_roles_outside_the_authorities_are_refused(town_year: ty.TownYear, fronts: Fronts) -> None:
    for role in (Role.MEMBER, Role.MERCHANT_OWNER, Role.OFFICE_OPERATOR):
        with pytest.raises(RoleForbidden):
            statements.regie_statement(fronts.context(role), POOL, 2026)
        with pytest.raises(RoleForbidden):
            statements.authority_statement(fronts.context(role), TOWN, 2026)


def test_unknown_places_and_years_are_refused_clearly(
    town_year: ty.TownYear, fronts: Fronts
) -> None:
    ctx = fronts.context(Role.AUDITOR)
    with pytest.raises(UnknownRegie):
        statements.regie_statement(ctx, "nowhere", 2026)
    with pytest.raises(UnknownAuthority):
        statements.authority_statement(ctx, "nowhere", 2026)
    with pytest.raises(InvalidRequest, match="year"):
        statements.regie_statement(ctx, POOL, 1999)
