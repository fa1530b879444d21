"""Two years of a town in the books, through the acts, for the yearly statements' tests.

On the books of :mod:`tests.api.operations_support` (the ``fronts`` world, books in
Europe/Paris) and the town of :mod:`tests.authorities.town`. alice pays the pool by
transfers and at its counter (each payment gets its quittance in its own transaction);
the régisseur prepares versements, and the association pays them to the Trésor days
later; the town's ordonnateur proposes mandates and its comptable pays them.

2025, under a first version of the convention: quittances 2025-1 (4.50) and 2025-2
(3.00) in June; the versement 2025-1 of 7.50 is prepared on 20 December and paid on 6
January 2026, so it is still on the pool's account on 31 December; quittance 2025-3
(3.00) on 22 December. alice gives the town 200.00, and the town pays a mandate of 10.00
of exercice 2025.

2026: quittances 2026-1 (3.00 in units and 1.50 by card, at the counter), 2026-2 (3.00)
and 2026-3 (4.50); the versement 2026-1 of 9.00 (2025-3, 2026-1, 2026-2) prepared on 2
March and paid on 10 March. Two mandates paid: 20.00 of exercice 2025 in January, 45.00
of 2026 in September; alice gives the town 5.00 more.

31 December 2026 at 23:30 UTC, already 1 January 2027 in Paris: alice pays 3.00,
quittance 2027-1, which belongs to 2027.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from monnaie_locale.acting import Context
from monnaie_locale.acts import conversions, mandates, reconversions, transfers, versements
from monnaie_locale.auth import Role
from monnaie_locale.authorities import registry
from monnaie_locale.authorities.versements import Versement
from tests.authorities.pool import Counter, acting
from tests.authorities.town import POOL, TOWN, TOWN_ACCOUNT, Town, set_up_town
from tests.conftest import SteppingClock

if TYPE_CHECKING:
    # Imported by pytest, as a plugin, so that its assertions are rewritten.
    from tests.acts.edges import Fronts

START = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
FULL = "Entrée piscine, plein tarif"

# What the statements must say, worked by hand.
POOL_QUITTANCES_2025 = (450, 300, 300)
POOL_VERSEMENT_2025 = 750
POOL_CLOSING_2025 = sum(POOL_QUITTANCES_2025)  # the versement still held on the account
POOL_OPENING_2026 = POOL_CLOSING_2025
POOL_IN_TRANSIT_2026 = POOL_VERSEMENT_2025
POOL_QUITTANCES_2026 = (300, 300, 450)
POOL_EUROS_2026 = 150
POOL_VERSEMENT_2026 = 300 + 300 + 300
POOL_CLOSING_2026 = (
    POOL_OPENING_2026 - POOL_VERSEMENT_2025 + sum(POOL_QUITTANCES_2026) - POOL_VERSEMENT_2026
)
TOWN_OPENING_2026 = 20_000 - 1000
TOWN_MANDATES_2026 = (2000, 4500)
TOWN_GIFT_2026 = 500
TOWN_CLOSING_2026 = TOWN_OPENING_2026 - sum(TOWN_MANDATES_2026) + TOWN_GIFT_2026


def first_clock() -> SteppingClock:
    """The world's clock: it is set up the day before the town's first year."""
    return SteppingClock(START - timedelta(days=1))


@dataclass(frozen=True)
class TownYear:
    fronts: Fronts
    town: Town
    clock: SteppingClock

    def as_(self, username: str) -> Context:
        return acting(self.fronts.database, self.clock, username)


def at(clock: SteppingClock, moment: datetime) -> None:
    """Move ``clock`` on to ``moment``."""
    clock.advance(moment - clock())


def _pay_in(year: TownYear, key: str) -> Versement:
    return versements.prepare_versement(year.as_("regisseur"), POOL, key=key)


def _pay_out(year: TownYear, versement: Versement, key: str) -> None:
    """The association batches the versement's reconversion, exports it, marks it paid."""
    operator = year.fronts.context(Role.ASSOCIATION_OPERATOR)
    assert versement.reconversion_id is not None
    batch = reconversions.validate_batch(operator, [versement.reconversion_id], key=key)
    reconversions.export_batch(operator, batch.id)
    reconversions.mark_batch_paid(operator, batch.id, bank_reference=f"BANK-{key}")


def _mandate(year: TownYear, amount: int, *, exercice: int, bordereau: str, number: str) -> None:
    proposed = mandates.propose_mandate(
        year.as_("ordonnateur"),
        TOWN,
        payee="bakery",
        amount=amount,
        exercice=exercice,
        bordereau=bordereau,
        number=number,
        chapitre="011",
        article="6068",
        fonction="413",
        object="Fournitures",
        key=f"propose-{bordereau}-{number}",
    )
    mandates.approve_mandate(year.as_("comptable"), TOWN, proposed.id, key=f"pay-{number}")


def _give(year: TownYear, amount: int, key: str) -> None:
    transfers.transfer(year.as_("alice"), "alice", TOWN_ACCOUNT, amount, key=key, memo="don")


def build_town_year(fronts: Fronts, clock: SteppingClock) -> TownYear:
    """The books described in the module's docstring (``clock``: :func:`first_clock`)."""
    town = set_up_town(fronts.database, clock)
    # The town's convention (from 2026, in the fixture) had a first version a year before.
    fronts.database.write(
        lambda conn: registry.record_convention(
            conn,
            town.authority,
            effective_from=date(2025, 1, 1),
            reconversion_fee_bps=0,
            payin_days=30,
            cash_cap=None,
            may_spend=True,
            reference="Délibération 2024-87",
            by="admin",
            now=clock(),
        )
    )
    operator = fronts.context(Role.ASSOCIATION_OPERATOR)
    conversions.convert_by_card(operator, "alice", 100_000, payment_reference="c-1", key="c-1")
    year = TownYear(fronts, town, clock)
    counter = Counter(fronts.database, clock, town.pool)
    at(clock, START)
    counter.transfer(450, object="Entrée piscine", key="p1")
    counter.transfer(300, object="Entrée piscine", key="p2")
    _give(year, 20_000, "gift-1")
    _mandate(year, 1000, exercice=2025, bordereau="B-2025-9", number="88")
    at(clock, datetime(2025, 12, 20, 9, 0, tzinfo=UTC))
    late = _pay_in(year, "v2025")
    at(clock, datetime(2025, 12, 22, 9, 0, tzinfo=UTC))
    counter.transfer(300, object="Entrée piscine", key="p3")

    at(clock, datetime(2026, 1, 6, 9, 0, tzinfo=UTC))
    _pay_out(year, late, "b2025")
    at(clock, datetime(2026, 1, 12, 10, 0, tzinfo=UTC))
    _mandate(year, 2000, exercice=2025, bordereau="B-2025-12", number="97")
    at(clock, datetime(2026, 1, 15, 10, 0, tzinfo=UTC))
    counter.sale(FULL, euros=POOL_EUROS_2026, key="q1")
    at(clock, datetime(2026, 2, 3, 10, 0, tzinfo=UTC))
    counter.transfer(300, object="Entrée piscine", key="q2")
    at(clock, datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    march = _pay_in(year, "v2026")
    at(clock, datetime(2026, 3, 10, 8, 0, tzinfo=UTC))
    _pay_out(year, march, "b2026")
    at(clock, datetime(2026, 5, 20, 14, 0, tzinfo=UTC))
    counter.transfer(450, object="Entrée piscine", key="q3")
    _give(year, TOWN_GIFT_2026, "gift-2")
    at(clock, datetime(2026, 9, 7, 9, 0, tzinfo=UTC))
    _mandate(year, 4500, exercice=2026, bordereau="B-2026-31", number="341")

    at(clock, datetime(2026, 12, 31, 23, 30, tzinfo=UTC))  # 1 January 2027 in Paris
    counter.transfer(300, object="Entrée piscine", key="q2027")
    at(clock, datetime(2027, 2, 1, 9, 0, tzinfo=UTC))
    return year
