"""Every payment into a régie gets one quittance, in the transaction that posts it: a QR
payment of a sale prepared at the counter (with its euro part), a plain transfer; other
payments get none, and a refused one uses no number. On both engines."""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from monnaie_locale.acts import regie_counter, transfers
from monnaie_locale.auth import Principal, Role, create_user
from monnaie_locale.auth.errors import RoleForbidden
from monnaie_locale.authorities import duties, registry
from monnaie_locale.authorities.errors import NotYourRegie
from monnaie_locale.authorities.quittance_errors import UnknownQuittance
from monnaie_locale.authorities.quittance_signing import (
    QuittanceSignatureError,
    signed_quittance,
    verify_quittance,
)
from monnaie_locale.authorities.quittances import ANONYMOUS
from monnaie_locale.checkout import issue_dynamic
from monnaie_locale.errors import (
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    InvalidRequest,
)
from monnaie_locale.ledger.accounts import open_account
from monnaie_locale.model import AccountKind
from monnaie_locale.payments import KeyRing, SigningKey
from monnaie_locale.store.tables_authorities import regies
from tests.authorities.counter import (
    ALICE,
    FUNDS,
    KEYS,
    OPERATOR,
    POOR,
    SHOP,
    Counter,
    open_counter,
)
from tests.authorities.town import (
    POOL,
    POOL_ACCOUNT,
    TARIFFS,
    TOWN,
    TOWN_ACCOUNT,
    TOWN_PASSWORD,
)
from tests.conftest import SteppingClock
from tests.engine import Engine

FULL = "Entrée piscine, plein tarif"


@pytest.fixture
def counter(ledger: Engine, clock: SteppingClock) -> Counter:
    return open_counter(ledger, clock)


def _tariff_id(counter: Counter, label: str) -> int:
    tariffs = counter.database.read(lambda conn: registry.tariffs_of(conn, counter.town.pool))
    return next(t.id for t in tariffs if t.label == label)


def test_a_qr_payment_at_the_counter_gets_quittance_one_with_its_object_and_euro_part(
    counter: Counter,
) -> None:
    sale = regie_counter.prepare_sale(
        counter.ctx("mandataire"),
        POOL,
        tariff_id=_tariff_id(counter, FULL),
        euros=1_50,
        euro_means="card",
        euro_reference="CB-8841",
        key="sale-1",
    )
    # The tariff is the whole price; the QR asks for what is not paid in euros.
    assert (sale.units, sale.euros, sale.object) == (TARIFFS[FULL] - 1_50, 1_50, FULL)
    waiting = regie_counter.sale_status(counter.ctx("mandataire"), POOL, sale.request_id)
    assert (waiting.status, waiting.quittance) == ("open", None)

    counter.pay_sale(sale)

    status = regie_counter.sale_status(counter.ctx("regisseur"), POOL, sale.request_id)
    quittance = status.quittance
    assert status.paid and quittance is not None
    assert (quittance.year, quittance.number, quittance.label) == (2026, 1, "2026-000001")
    assert (quittance.object, quittance.units, quittance.euros) == (FULL, 3_00, 1_50)
    assert (quittance.euro_means, quittance.euro_reference) == ("card", "CB-8841")
    assert quittance.payer_name == ANONYMOUS and quittance.payer_account is None
    assert counter.balance(POOL_ACCOUNT) == 3_00
    assert counter.balance(ALICE) == FUNDS - 3_00
    # The ledger holds the unit part, and names the euro part's reference.
    posted = counter.ledger.transaction(quittance.transaction_id)
    assert posted.amount_for(POOL_ACCOUNT) == 3_00
    assert "CB-8841" in posted.memo and "150" in posted.memo
    assert counter.quittances() == [quittance]


def test_a_signed_quittance_verifies_and_a_tampered_one_does_not(counter: Counter) -> None:
    sale = regie_counter.prepare_sale(
        counter.ctx("regisseur"), POOL, amount=12_00, object="Abonnement 10 entrées", key="s"
    )
    counter.pay_sale(sale)
    quittance = regie_counter.get_quittance(counter.ctx("comptable"), POOL, 2026, 1)
    assert quittance.key_id == KEYS.keyring.active.key_id.hex()
    document = signed_quittance(quittance, regie=POOL)
    keys = KEYS.keyring.jwks()["keys"]
    fields = verify_quittance(document, keys=keys)
    assert (fields["units"], fields["object"], fields["number"]) == (12_00, quittance.object, 1)

    for name, value in (("units", 1), ("euros", 5_00), ("object", "Autre chose"), ("number", 2)):
        tampered = copy.deepcopy(document)
        tampered["quittance"][name] = value  # type: ignore[index]
        with pytest.raises(QuittanceSignatureError, match="bad signature"):
            verify_quittance(tampered, keys=keys)
    extra = copy.deepcopy(document)
    extra["quittance"]["note"] = "added"  # type: ignore[index]
    with pytest.raises(QuittanceSignatureError):
        verify_quittance(extra, keys=keys)
    other_key = KeyRing(SigningKey.generate()).jwks()["keys"]
    with pytest.raises(QuittanceSignatureError, match="no published key"):
        verify_quittance(document, keys=other_key)


def test_a_transfer_into_a_regie_gets_a_quittance_and_names_payers_only_if_the_regie_does(
    counter: Counter,
) -> None:
    asso = counter.ctx(OPERATOR)
    transfers.transfer(asso, ALICE, POOL_ACCOUNT, 7_00, key="t1", memo="Cantine novembre")
    transfers.transfer(asso, ALICE, POOL_ACCOUNT, 2_00, key="t2")
    counter.database.write(lambda conn: conn.execute(update(regies).values(names_payers=True)))
    transfers.transfer(asso, ALICE, POOL_ACCOUNT, 1_00, key="t3", memo="Leçon")
    # A retried transfer keeps its quittance: no second one, no number used.
    transfers.transfer(asso, ALICE, POOL_ACCOUNT, 1_00, key="t3", memo="Leçon")

    found = counter.quittances()
    assert [(q.number, q.object, q.units) for q in found] == [
        (1, "Cantine novembre", 7_00),
        (2, "Virement", 2_00),
        (3, "Leçon", 1_00),
    ]
    assert [q.payer_name for q in found] == [ANONYMOUS, ANONYMOUS, "Alice Etxe"]
    assert [q.payer_account for q in found] == [None, None, ALICE]
    assert counter.balance(POOL_ACCOUNT) == 10_00
    assert all(q.signature for q in found)


def test_ordinary_payments_get_no_quittance(counter: Counter) -> None:
    asso = counter.ctx(OPERATOR)
    before = counter.counts()
    transfers.transfer(asso, ALICE, POOR, 1_00, key="to-a-member")
    # The town's own account is an authority's, but no régie collects into it.
    transfers.transfer(asso, ALICE, TOWN_ACCOUNT, 1_00, key="to-the-town")
    request = counter.database.write(
        lambda conn: issue_dynamic(
            conn,
            merchant_account=SHOP,
            amount=2_00,
            keyring=KEYS.keyring,
            deployment_id=KEYS.deployment_id,
            clock=counter.clock,
        )
    )
    counter.pay(request.token, ALICE, key="at-the-bakery")
    after = counter.counts()
    assert counter.balance(SHOP) == 2_00
    assert after == {**before, "requests": before["requests"] + 1}
    assert counter.quittances() == []


def test_a_refused_payment_leaves_no_quittance_and_uses_no_number(counter: Counter) -> None:
    ctx = counter.ctx("regisseur")
    sale = regie_counter.prepare_sale(ctx, POOL, amount=5_00, object="Stage", key="big")
    before = counter.counts()
    with pytest.raises(InsufficientFunds):
        counter.pay_sale(sale, payer=POOR)
    with pytest.raises(InsufficientFunds):
        transfers.transfer(counter.ctx(OPERATOR), POOR, POOL_ACCOUNT, 5_00, key="too-much")
    assert counter.counts() == before
    assert counter.balance(POOL_ACCOUNT) == 0
    assert regie_counter.sale_status(ctx, POOL, sale.request_id).status == "open"

    counter.pay_sale(sale)
    assert [(q.number, q.units) for q in counter.quittances()] == [(1, 5_00)]


def test_a_sale_is_prepared_once_per_key(counter: Counter) -> None:
    ctx = counter.ctx("mandataire")
    first = regie_counter.prepare_sale(ctx, POOL, amount=3_00, object="Bonnet", key="k")
    again = regie_counter.prepare_sale(ctx, POOL, amount=3_00, object="Bonnet", key="k")
    assert again.request_id == first.request_id and again.token == first.token
    before = counter.counts()
    with pytest.raises(IdempotencyConflict):
        regie_counter.prepare_sale(ctx, POOL, amount=4_00, object="Bonnet", key="k")
    assert counter.counts() == before


@pytest.mark.parametrize(
    "fields",
    [
        {"amount": 3_00},  # no object
        {"object": "Bonnet"},  # no amount
        {"amount": 3_00, "object": "Bonnet", "tariff_id": 1},  # both
        {"tariff_id": 9999},  # not a tariff of the régie
        {"amount": 0, "object": "Rien"},
        {"amount": 3_00, "object": "Bonnet", "euros": 3_00, "euro_means": "cash"},
        {"amount": 3_00, "object": "Bonnet", "euros": 1_00},  # by what means?
        {"amount": 3_00, "object": "Bonnet", "euros": 1_00, "euro_means": "cheque"},
        {"amount": 3_00, "object": "Bonnet", "euro_reference": "CB-1"},  # no euro part
        {"amount": 3_00, "object": "Bon\nnet"},
    ],
)
def test_a_sale_that_cannot_be_made_is_refused_and_changes_nothing(
    counter: Counter, fields: dict[str, object]
) -> None:
    before = counter.counts()
    with pytest.raises((InvalidRequest, InvalidAmount)):
        regie_counter.prepare_sale(counter.ctx("regisseur"), POOL, key="bad", **fields)  # type: ignore[arg-type]
    assert counter.counts() == before


def test_only_the_regie_s_counter_prepares_its_sales(counter: Counter) -> None:
    other = _second_regie(counter)
    before = counter.counts()
    for who in ("ordonnateur", "finances", "comptable"):
        with pytest.raises(NotYourRegie):
            regie_counter.prepare_sale(
                counter.ctx(who), POOL, amount=1_00, object="x", key=f"by-{who}"
            )
    # The mandataire of the museum collects at the museum, not at the pool.
    with pytest.raises(NotYourRegie):
        regie_counter.prepare_sale(counter.ctx(other), POOL, amount=1_00, object="x", key="m")
    with pytest.raises(NotYourRegie):
        regie_counter.list_quittances(counter.ctx(other), POOL)
    with pytest.raises(NotYourRegie):
        regie_counter.list_quittances(counter.ctx("ordonnateur"), POOL)
    assert counter.counts() == before
    # Who reads the pool's quittances: its counter, the town's finances and comptable.
    for who in ("regisseur", "mandataire", "finances", "comptable"):
        assert regie_counter.list_quittances(counter.ctx(who), POOL) == []


def test_a_member_cannot_reach_a_counter(counter: Counter) -> None:
    member = Principal(Role.MEMBER, frozenset({ALICE}), "alice", user_id=None)
    with pytest.raises(RoleForbidden):
        regie_counter.prepare_sale(counter.ctx(member), POOL, amount=1_00, object="x", key="k")
    with pytest.raises(RoleForbidden):
        regie_counter.list_quittances(counter.ctx(member), POOL)


def test_quittances_are_listed_by_the_books_days_and_read_by_number(counter: Counter) -> None:
    asso = counter.ctx(OPERATOR)
    transfers.transfer(asso, ALICE, POOL_ACCOUNT, 1_00, key="monday")  # 2 Nov 2026
    counter.clock.advance(timedelta(days=1))
    transfers.transfer(asso, ALICE, POOL_ACCOUNT, 2_00, key="tuesday")
    counter.clock.advance(timedelta(days=1))
    transfers.transfer(asso, ALICE, POOL_ACCOUNT, 3_00, key="wednesday")
    reader = counter.ctx("finances")

    def units(start: date | None, end: date | None) -> list[int]:
        found = regie_counter.list_quittances(reader, POOL, start=start, end=end)
        return [q.units for q in found]

    assert units(None, None) == [1_00, 2_00, 3_00]
    assert units(date(2026, 11, 3), None) == [2_00, 3_00]
    assert units(None, date(2026, 11, 3)) == [1_00, 2_00]
    assert units(date(2026, 11, 3), date(2026, 11, 3)) == [2_00]
    assert regie_counter.get_quittance(reader, POOL, 2026, 2).units == 2_00
    with pytest.raises(UnknownQuittance):
        regie_counter.get_quittance(reader, POOL, 2026, 4)


def test_numbers_start_again_each_year_of_the_books_zone(counter: Counter) -> None:
    asso = counter.ctx(OPERATOR)
    # 31 December, 23:30 in Paris: still 2026 in the books, 2026 in UTC too.
    counter.clock.start = counter.clock.start.replace(month=12, day=31, hour=22, minute=30)
    transfers.transfer(asso, ALICE, POOL_ACCOUNT, 1_00, key="last")
    # 23:30 UTC is 00:30 on 1 January in Paris: the books' new year.
    counter.clock.advance(timedelta(hours=1))
    transfers.transfer(asso, ALICE, POOL_ACCOUNT, 2_00, key="first")
    found = counter.quittances()
    assert [(q.year, q.number, q.units) for q in found] == [(2026, 1, 1_00), (2027, 1, 2_00)]


def _second_regie(counter: Counter) -> str:
    """A museum's régie of the same town, with its own mandataire; returns that user."""

    def build(conn):  # type: ignore[no-untyped-def]
        open_account(
            conn,
            "authority:regie-musee",
            kind=AccountKind.AUTHORITY,
            currency="MLC",
            now=counter.clock(),
        )
        museum = registry.create_regie(
            conn,
            TOWN,
            "bayonne-musee",
            name="Musée basque",
            account="authority:regie-musee",
            cash_cap=10_000,
            names_payers=False,
            now=counter.clock(),
        )
        user = create_user(
            conn,
            "guichet-musee",
            password=TOWN_PASSWORD,
            role=Role.AUTHORITY_AGENT,
            now=counter.clock(),
        )
        duties.grant_duty(
            conn, user.id, counter.town.authority, "mandataire", regie=museum, now=counter.clock()
        )

    counter.database.write(build)
    return "guichet-musee"


def test_a_hold_posted_into_a_regie_gets_a_quittance_for_what_it_paid(counter: Counter) -> None:
    asso = counter.ctx(OPERATOR)
    hold = transfers.place_hold(asso, ALICE, POOL_ACCOUNT, 8_00, key="h", memo="Stage été")
    assert counter.quittances() == []  # held, not paid
    transfers.post_hold(asso, hold.id, key="post", amount=6_00)
    (quittance,) = counter.quittances()
    assert (quittance.number, quittance.object, quittance.units) == (1, "Stage été", 6_00)
    assert counter.balance(POOL_ACCOUNT) == 6_00
