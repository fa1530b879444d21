"""A month at the pool: 200 entries, a versement when the encaisse reaches the cap and one
at the month's end, each état tied to the ledger to the cent, and the pain.001 paying the
Trésor; then who may not pay in, and when there is nothing to.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING
from xml.etree import ElementTree

import pytest
from sqlalchemy import Connection, func, select

from monnaie_locale.acting import Context
from monnaie_locale.acts import dashboard, reconversions, versements
from monnaie_locale.auth import Role, create_user
from monnaie_locale.authorities import duties, registry
from monnaie_locale.authorities.errors import (
    EncaisseMismatch,
    NoConvention,
    NothingToPayIn,
    NotYourRegie,
)
from monnaie_locale.authorities.registry import Regie
from monnaie_locale.authorities.versements import Versement
from monnaie_locale.dashboard_needs import Need
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger import service
from monnaie_locale.ledger.accounts import get_account, open_account
from monnaie_locale.model import AccountKind, TransferRequest
from monnaie_locale.store.tables import postings
from monnaie_locale.store.tables_authorities import quittances
from tests.authorities.pool import Counter, acting
from tests.authorities.town import POOL, POOL_ACCOUNT, POOL_CAP, TREASURY_IBAN, set_up_town
from tests.conftest import SteppingClock
from tests.engine import Engine
from tests.support import every_row

if TYPE_CHECKING:
    # Imported by pytest, as a plugin, so that its assertions are rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

FEE_BPS = 150
_NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
FULL, REDUCED = "Entrée piscine, plein tarif", "Entrée piscine, tarif réduit"


def _entries() -> list[tuple[str, str, int, int]]:
    """200 entries: (how, object, units, euros at the counter). Reduced prices are sold at
    the counter and paid by QR; every fifth full price too, 3.00 in units and 1.50 by
    card; the other full prices are paid by a transfer into the régie."""
    found = []
    for i in range(200):
        if i % 2:
            found.append(("sale", REDUCED, 300, 0))
        elif i % 5 == 0:
            found.append(("sale", FULL, 300, 150))
        else:
            found.append(("transfer", FULL, 450, 0))
    return found


def _balance(fronts: Fronts, code: str) -> tuple[int, int]:
    account = fronts.database.read(lambda conn: get_account(conn, code))
    return account.balance, account.held


def _debits(fronts: Fronts) -> int:
    """Every unit ever taken off the régie's account."""

    def read(conn: Connection) -> int:
        account_id = get_account(conn, POOL_ACCOUNT).id
        total = conn.execute(
            select(func.sum(postings.c.amount)).where(
                postings.c.account_id == account_id, postings.c.amount < 0
            )
        ).scalar()
        return -int(total or 0)

    return fronts.database.read(read)


def _pay_out(fronts: Fronts, versement: Versement, number: int) -> ElementTree.Element:
    """The association batches the versement's reconversion, exports it, marks it paid;
    the transaction of the pain.001 paying it."""
    operator = fronts.context(Role.ASSOCIATION_OPERATOR)
    assert versement.reconversion_id is not None
    batch = reconversions.validate_batch(operator, [versement.reconversion_id], key=f"b{number}")
    content = reconversions.export_batch(operator, batch.id)
    reconversions.mark_batch_paid(operator, batch.id, bank_reference=f"BANK-{number}")
    root = ElementTree.fromstring(content)
    (transaction,) = root.iterfind(".//p:CdtTrfTxInf", _NS)
    return transaction


def _check_etat(fronts: Fronts, versement: Versement, paid: list[tuple[str, int, int]]) -> None:
    regisseur = acting(fronts.database, fronts.ops.clock, "regisseur")
    etat = versements.etat_de_versement(regisseur, POOL, versement.id)
    assert [(q.object, q.units, q.euros) for q in etat.quittances] == paid
    units = sum(units for _, units, _ in paid)
    assert etat.units == versement.units == units
    assert etat.counter_euros == sum(euros for _, _, euros in paid)
    assert etat.fee == (units * FEE_BPS + 5_000) // 10_000
    assert etat.fee + etat.euros_paid == units
    numbers = [q.number for q in etat.quittances]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    csv_lines = versements.etat_csv(etat).decode().splitlines()
    assert len(csv_lines) == 1 + len(paid) + 3
    assert csv_lines[-3].startswith(f"total,{POOL},{versement.label},")
    assert versements.etat_pdf(etat).startswith(b"%PDF")


def test_a_month_at_the_pool_ties_every_etat_to_the_ledger(fronts: Fronts) -> None:
    clock = fronts.ops.clock
    town = set_up_town(fronts.database, clock, fee_bps=FEE_BPS)
    fronts.ops.converted("alice", "1000", key="alice-card")
    counter = Counter(fronts.database, clock, town.pool)
    regisseur = acting(fronts.database, clock, "regisseur")
    done: list[tuple[Versement, list[tuple[str, int, int]]]] = []
    waiting: list[tuple[str, int, int]] = []
    debited = 0
    for i, (how, label, units, euros) in enumerate(_entries()):
        clock.advance(timedelta(hours=3))
        if how == "sale":
            counter.sale(label, euros=euros, key=f"entry-{i}")
        else:
            counter.transfer(units, object=label, key=f"entry-{i}")
        waiting.append((label, units, euros))
        due = versements.versement_due(regisseur, POOL)
        assert due.encaisse == sum(u for _, u, _ in waiting)
        if due.reason == "cap":
            assert due.encaisse >= POOL_CAP
            done.append((versements.prepare_versement(regisseur, POOL, key=f"v{i}"), waiting))
            waiting = []
    assert len(done) == 1 and done[0][0].reason == "cap"
    clock.advance(timedelta(days=30) - timedelta(hours=3 * 200))  # the month's last day
    last = versements.prepare_versement(regisseur, POOL, key="month-end")
    done.append((last, waiting))
    again = versements.prepare_versement(regisseur, POOL, key="month-end")
    assert again == last
    with pytest.raises(NothingToPayIn):
        versements.prepare_versement(regisseur, POOL, key="once-more")

    for number, (versement, paid) in enumerate(done, start=1):
        assert versement.label == f"2026-{number:04d}"
        _check_etat(fronts, versement, paid)
        balance_before, _ = _balance(fronts, POOL_ACCOUNT)
        transaction = _pay_out(fronts, versement, number)
        balance_after, _ = _balance(fronts, POOL_ACCOUNT)
        assert balance_before - balance_after == versement.units
        debited += versement.units
        assert _debits(fronts) == debited
        iban = transaction.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=_NS)
        amount = transaction.findtext("p:Amt/p:InstdAmt", namespaces=_NS)
        remittance = transaction.findtext("p:RmtInf/p:Ustrd", namespaces=_NS) or ""
        assert iban == TREASURY_IBAN
        assert amount == f"{versement.euros // 100}.{versement.euros % 100:02d}"
        assert f"Versement {versement.label} regie {POOL}" in remittance

    assert _balance(fronts, POOL_ACCOUNT) == (0, 0)
    total = sum(units for _, _, units, _ in _entries())
    assert sum(v.units for v, _ in done) == total == debited
    listed = versements.list_versements(regisseur, POOL)
    assert [v.id for v in listed] == [v.id for v, _ in done]
    assert all(v.status == "paid" for v in listed)

    def owners(conn: Connection) -> list[object]:
        return list(conn.execute(select(quittances.c.versement_id)).scalars())

    found = fronts.database.read(owners)
    assert len(found) == 200 and set(found) == {v.id for v, _ in done}
    assert versements.versement_due(regisseur, POOL).reason is None


def test_a_versement_is_due_when_its_period_has_come(fronts: Fronts) -> None:
    clock = fronts.ops.clock
    town = set_up_town(fronts.database, clock)
    fronts.ops.converted("alice", "20", key="alice-card")
    Counter(fronts.database, clock, town.pool).transfer(450, object=FULL, key="one")
    finances = acting(fronts.database, clock, "finances")
    first = versements.versement_due(finances, POOL)
    assert (first.encaisse, first.cap, first.reason) == (450, POOL_CAP, None)
    assert first.last_versement is None
    clock.advance(timedelta(days=29))
    assert versements.versement_due(finances, POOL).reason is None
    assert versements.due_versements(finances) == []
    clock.advance(timedelta(days=1))
    due = versements.versement_due(finances, POOL)
    assert due.reason == "period" and due.due_on is not None
    assert [d.regie for d in versements.due_versements(finances)] == [POOL]
    # The association's dashboard says a hand is needed, until the versement is made.
    operator = fronts.context(Role.ASSOCIATION_OPERATOR)
    assert Need("versement_due", 1, 450, since=due.due_on, subject=POOL) in _needs(operator)
    assert versements.due_versements(fronts.context(Role.AUTHORITY_AGENT)) == []
    regisseur = acting(fronts.database, clock, "regisseur")
    made = versements.prepare_versement(regisseur, POOL, key="p")
    assert made.reason == "period" and (made.units, made.fee, made.euros) == (450, 0, 450)
    assert "versement_due" not in [need.kind for need in _needs(operator)]
    after = versements.versement_due(finances, POOL)
    assert after.encaisse == 0 and after.reason is None
    assert after.last_versement == due.due_on


def _regie(conn: Connection, authority: str, code: str, clock: SteppingClock) -> Regie:
    """Another régie of ``authority``, on an account of its own."""
    account = f"authority:{code}"
    open_account(conn, account, kind=AccountKind.AUTHORITY, currency="MLC", now=clock())
    return registry.create_regie(
        conn, authority, code, name=code, account=account, cash_cap=10_000,
        names_payers=False, now=clock(),
    )  # fmt: skip


def _rows(fronts: Fronts) -> dict[str, object]:
    """Every row, the journal chained first; the service's jobs run on their own."""
    Engine(fronts.database, clock=fronts.ops.clock).seal_journal()
    return {name: rows for name, rows in every_row(fronts.database).items() if name != "jobs"}


def _needs(ctx: Context) -> tuple[Need, ...]:
    return dashboard.dashboard(ctx).needs


def _refused(fronts: Fronts, error: type[Exception], username: str, regie: str = POOL) -> None:
    before = _rows(fronts)
    with pytest.raises(error):
        versements.prepare_versement(
            acting(fronts.database, fronts.ops.clock, username), regie, key="refused"
        )
    assert _rows(fronts) == before


def test_only_the_regies_own_regisseur_prepares_a_versement(fronts: Fronts) -> None:
    clock = fronts.ops.clock
    town = set_up_town(fronts.database, clock)
    fronts.ops.converted("alice", "20", key="alice-card")
    Counter(fronts.database, clock, town.pool).transfer(450, object=FULL, key="one")
    _refused(fronts, NotYourRegie, "mandataire")
    _refused(fronts, NotYourRegie, "finances")
    _refused(fronts, NotYourRegie, "comptable")

    def other_regie(conn: Connection) -> None:
        library = _regie(conn, "bayonne", "bayonne-mediatheque", clock)
        user = create_user(
            conn, "libraire", password="x" * 12, role=Role.AUTHORITY_AGENT, now=clock()
        )
        duties.grant_duty(conn, user.id, town.authority, "regisseur", regie=library, now=clock())

    fronts.database.write(other_regie)
    _refused(fronts, NotYourRegie, "libraire")
    with pytest.raises(NotYourRegie):
        versements.versement_due(acting(fronts.database, clock, "libraire"), POOL)
    _refused(fronts, NothingToPayIn, "libraire", "bayonne-mediatheque")
    # The association may pay in for the régisseur.
    made = versements.prepare_versement(
        fronts.context(Role.ASSOCIATION_OPERATOR), POOL, key="assoc"
    )
    assert made.units == 450 and made.reason == "asked"
    # Its reconversion is paid with the batches, never cancelled: its quittances are in it.
    assert made.reconversion_id is not None
    before = _rows(fronts)
    with pytest.raises(InvalidRequest, match="versement"):
        reconversions.cancel_reconversion(
            fronts.context(Role.ASSOCIATION_OPERATOR), made.reconversion_id
        )
    assert _rows(fronts) == before
    _refused(fronts, NothingToPayIn, "regisseur")


def test_a_versement_needs_a_convention_and_quittances_for_every_unit(fronts: Fronts) -> None:
    clock = fronts.ops.clock
    set_up_town(fronts.database, clock)
    fronts.ops.converted("alice", "20", key="alice-card")

    def untied(conn: Connection) -> None:
        service.post_transfer(
            conn,
            TransferRequest.simple("alice", POOL_ACCOUNT, 100),
            idempotency_key="no-quittance",
            clock=clock,
        )

    fronts.database.write(untied)
    _refused(fronts, EncaisseMismatch, "regisseur")

    def no_convention(conn: Connection) -> None:
        registry.create_authority(
            conn,
            "anglet",
            name="Ville d'Anglet",
            kind="commune",
            treasury_name="Trésorerie",
            treasury_iban=TREASURY_IBAN,
            treasury_bic=None,
            account=None,
            now=clock(),
        )
        _regie(conn, "anglet", "anglet-plage", clock)

    fronts.database.write(no_convention)
    before = _rows(fronts)
    with pytest.raises(NoConvention):
        versements.prepare_versement(
            fronts.context(Role.ASSOCIATION_OPERATOR), "anglet-plage", key="k"
        )
    assert _rows(fronts) == before


def test_a_versement_is_due_a_month_at_most_after_the_first_quittance(fronts: Fronts) -> None:
    clock = fronts.ops.clock
    town = set_up_town(fronts.database, clock)
    fronts.database.write(
        lambda conn: registry.record_convention(
            conn,
            town.authority,
            effective_from=date(2026, 11, 1),
            reconversion_fee_bps=0,
            payin_days=31,
            cash_cap=400,
            may_spend=False,
            reference="Avenant 2",
            by="admin",
            now=clock(),
        )
    )
    fronts.ops.converted("alice", "20", key="alice-card")
    counter = Counter(fronts.database, clock, town.pool)
    counter.transfer(300, object=FULL, key="one")  # on 2 November
    due = versements.versement_due(acting(fronts.database, clock, "comptable"), POOL)
    # 31 days would be 3 December: a month is less. The convention's cap is the lower.
    assert (due.due_on, due.cap, due.reason) == (date(2026, 12, 2), 400, None)
    counter.transfer(100, object=FULL, key="two")
    assert versements.versement_due(acting(fronts.database, clock, "comptable"), POOL).reason == (
        "cap"
    )
