"""A town's year 2026 in the books, for the yearly statements' tests.

On the town of :mod:`tests.authorities.town` (books in Europe/Paris):

- 2025: alice pays the pool 4.50 and 3.00 (quittances 2025-1 and 2025-2); the town's own
  account receives 200.00 and pays a 2025 mandate of 10.00. So 2026 opens on 7.50 at
  the pool and 190.00 on the town's account.
- 2026: quittances 2026-1 (4.50, with 1.00 paid in euros by card), 2026-2 (3.00),
  2026-3 (4.50); a versement 2026-1 of 10.00 in March; two mandates paid (45.00 of
  exercice 2026 and 20.00 of exercice 2025, paid in January); a gift of 5.00 to the town.
- 31 December 2026 at 23:30 UTC, already 1 January 2027 in Paris: alice pays 3.00,
  quittance 2027-1. It belongs to 2027 in the books.

Each payment is posted with its quittance in one transaction, as the counter does; the
versement's row with the movement out of the pool to ``reconversion:pending``; a mandate's
row with its payment. Everything is written on the store, not through the acts: the
acts under test only read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from monnaie_locale.authorities import registry
from monnaie_locale.authorities.quittances import issue_quittance
from monnaie_locale.ledger import service
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.model import AccountKind, TransferRequest
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_authorities import mandates, versements
from tests.authorities.town import POOL_ACCOUNT, TOWN_ACCOUNT, Town, set_up_town
from tests.conftest import SteppingClock
from tests.engine import Engine

ALICE = "alice"
BAKERY = "bakery"
PENDING = "reconversion:pending"
START = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)

# What the 2026 statements must say, worked by hand.
POOL_OPENING_2026 = 450 + 300
POOL_QUITTANCES_2026 = (450, 300, 450)
POOL_EUROS_2026 = 100
POOL_VERSEMENT_2026 = 1000
POOL_CLOSING_2026 = POOL_OPENING_2026 + sum(POOL_QUITTANCES_2026) - POOL_VERSEMENT_2026
TOWN_OPENING_2026 = 20_000 - 1000
TOWN_MANDATES_2026 = (4500, 2000)
TOWN_GIFT_2026 = 500
TOWN_CLOSING_2026 = TOWN_OPENING_2026 - sum(TOWN_MANDATES_2026) + TOWN_GIFT_2026


@dataclass(frozen=True)
class TownYear:
    town: Town
    ledger: Engine
    clock: SteppingClock


def at(clock: SteppingClock, moment: datetime) -> None:
    """Move ``clock`` on to ``moment``."""
    clock.advance(moment - clock())


def pay_pool(year: TownYear, amount: int, *, quittance_year: int, key: str, euros: int = 0) -> None:
    """alice pays the pool ``amount``: the transfer and its quittance, one transaction."""
    clock = year.clock

    def work(conn: Connection) -> None:
        posted = service.post_transfer(
            conn,
            TransferRequest.simple(ALICE, POOL_ACCOUNT, amount, kind="payment", memo="piscine"),
            idempotency_key=key,
            clock=clock,
        )
        issue_quittance(
            conn,
            year.town.pool,
            transaction_id=posted.id,
            year=quittance_year,
            object="Entrée piscine",
            payer_name="anonyme",
            payer_account_id=get_account(conn, ALICE).id,
            units=amount,
            euros=euros,
            euro_means="card" if euros else None,
            now=clock(),
        )

    year.ledger.database.write(work)


def pay_in(year: TownYear, units: int, *, number: int, key: str) -> None:
    """The pool's versement ``number`` of 2026: its row and the units leaving the pool."""
    clock = year.clock

    def work(conn: Connection) -> None:
        convention = registry.convention_on(conn, year.town.authority, clock().date())
        assert convention is not None
        service.post_transfer(
            conn,
            TransferRequest.simple(POOL_ACCOUNT, PENDING, units, kind="versement", memo="v"),
            idempotency_key=key,
            clock=clock,
        )
        conn.execute(
            insert(versements).values(
                regie_id=year.town.pool.id,
                year=2026,
                number=number,
                prepared_at=clock(),
                prepared_by="regisseur",
                units=units,
                fee=0,
                euros=units,
                reason="period",
                convention_id=convention.id,
            )
        )

    year.ledger.database.write(work)


def pay_mandate(
    year: TownYear, amount: int, *, exercice: int, bordereau: str, number: str, key: str
) -> None:
    """A mandate proposed by the ordonnateur, approved by the comptable and paid."""
    clock, people = year.clock, year.town.user_ids

    def work(conn: Connection) -> None:
        posted = service.post_transfer(
            conn,
            TransferRequest.simple(TOWN_ACCOUNT, BAKERY, amount, kind="mandate", memo="mandat"),
            idempotency_key=key,
            clock=clock,
        )
        conn.execute(
            insert(mandates).values(
                authority_id=year.town.authority.id,
                exercice=exercice,
                bordereau=bordereau,
                number=number,
                chapitre="011",
                article="6068",
                fonction="413",
                object="Fournitures",
                payee_account_id=get_account(conn, BAKERY).id,
                amount=amount,
                status="paid",
                proposed_by=people["ordonnateur"],
                proposed_at=clock(),
                decided_by=people["comptable"],
                decided_at=clock(),
                transaction_id=posted.id,
            )
        )

    year.ledger.database.write(work)


def account_exists(conn: Connection, code: str) -> bool:
    return conn.execute(select(accounts.c.id).where(accounts.c.code == code)).first() is not None


def build_town_year(ledger: Engine, clock: SteppingClock) -> TownYear:
    """The books described in the module's docstring."""
    at(clock, START)
    year = TownYear(set_up_town(ledger.database, clock), ledger, clock)
    # The API's world has alice and bakery already.
    for code, kind in ((ALICE, AccountKind.MEMBER), (BAKERY, AccountKind.BUSINESS)):
        if not ledger.database.read(lambda conn, code=code: account_exists(conn, code)):
            ledger.open_account(code, kind=kind, currency="MLC", display_name=code.title())
    ledger.open_account(PENDING, kind=AccountKind.SYSTEM, currency="MLC", lower_limit=None)
    ledger.transfer("issuance", ALICE, 10_000, idempotency_key="town-year-alice")
    ledger.transfer("issuance", TOWN_ACCOUNT, 20_000, idempotency_key="fund-town")
    pay_pool(year, 450, quittance_year=2025, key="p1")
    pay_pool(year, 300, quittance_year=2025, key="p2")
    pay_mandate(year, 1000, exercice=2025, bordereau="B-2025-9", number="88", key="m0")

    at(clock, datetime(2026, 1, 12, 10, 0, tzinfo=UTC))
    pay_mandate(year, 2000, exercice=2025, bordereau="B-2025-12", number="97", key="m1")
    at(clock, datetime(2026, 1, 15, 10, 0, tzinfo=UTC))
    pay_pool(year, 450, quittance_year=2026, key="q1", euros=POOL_EUROS_2026)
    at(clock, datetime(2026, 2, 3, 10, 0, tzinfo=UTC))
    pay_pool(year, 300, quittance_year=2026, key="q2")
    at(clock, datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    pay_in(year, POOL_VERSEMENT_2026, number=1, key="v1")
    at(clock, datetime(2026, 5, 20, 14, 0, tzinfo=UTC))
    pay_pool(year, 450, quittance_year=2026, key="q3")
    ledger.transfer(ALICE, TOWN_ACCOUNT, TOWN_GIFT_2026, idempotency_key="gift", memo="don")
    at(clock, datetime(2026, 9, 7, 9, 0, tzinfo=UTC))
    pay_mandate(year, 4500, exercice=2026, bordereau="B-2026-31", number="341", key="m2")

    at(clock, datetime(2026, 12, 31, 23, 30, tzinfo=UTC))  # 1 January 2027 in Paris
    pay_pool(year, 300, quittance_year=2027, key="q2027")
    at(clock, datetime(2027, 2, 1, 9, 0, tzinfo=UTC))
    return year
