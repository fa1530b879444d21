"""An authority's mandates, on each engine: proposed by the ordonnateur, paid by the
comptable, never both by one person; only where the convention in force lets the town
spend; a payment refused leaves the mandate proposed and the books as they were."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, update
from sqlalchemy.exc import IntegrityError

from monnaie_locale.acting import Context
from monnaie_locale.acts import mandates
from monnaie_locale.acts.sessions import acting_as
from monnaie_locale.auth import Role, create_user
from monnaie_locale.auth.errors import RoleForbidden
from monnaie_locale.authorities import duties, registry
from monnaie_locale.authorities.errors import (
    NoConvention,
    NotYourRegie,
    SameProposer,
    SpendingNotAllowed,
)
from monnaie_locale.authorities.mandate_errors import (
    DuplicateMandate,
    MandateNotProposed,
    NoAuthorityAccount,
    UnknownMandate,
)
from monnaie_locale.config import Settings
from monnaie_locale.deployment import from_settings
from monnaie_locale.errors import (
    AccountNotActive,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidAmount,
    InvalidRequest,
    MonnaieLocaleError,
    UnknownAccount,
)
from monnaie_locale.model import AccountKind, AccountStatus
from monnaie_locale.store.tables_authorities import mandates as mandates_table
from tests.authorities.town import TOWN, TOWN_ACCOUNT, TOWN_PASSWORD, Town, set_up_town
from tests.conftest import SteppingClock
from tests.engine import Engine
from tests.support import every_row

PAYEE = "member:club"
FUNDS = 100_000  # 1,000.00 in the town's account
# A subsidy to a sports club: chapitre 65, article 6574, fonction 40 (sport et jeunesse).
ORDER: dict[str, Any] = {
    "exercice": 2026,
    "bordereau": "B-2026-014",
    "number": "1207",
    "chapitre": "65",
    "article": "6574",
    "fonction": "40",
    "object": "Subvention au club de pelote",
}


@pytest.fixture
def town(ledger: Engine, clock: SteppingClock) -> Town:
    return _build(ledger, clock, may_spend=True)


def _build(ledger: Engine, clock: SteppingClock, *, may_spend: bool) -> Town:
    built = set_up_town(ledger.database, clock, may_spend=may_spend)
    ledger.open_account(PAYEE, kind=AccountKind.MEMBER, currency="MLC")
    ledger.transfer("issuance", TOWN_ACCOUNT, FUNDS, idempotency_key="funds")

    def people(conn: Connection) -> None:
        for name, role in (
            ("assoc", Role.ASSOCIATION_OPERATOR),
            ("admin", Role.ADMIN),
            ("auditor", Role.AUDITOR),
            ("both", Role.AUTHORITY_AGENT),
        ):
            create_user(conn, name, password=TOWN_PASSWORD, role=role, now=clock())

    ledger.database.write(people)
    return built


def _ctx(ledger: Engine, clock: SteppingClock, name: str) -> Context:
    return Context(
        database=ledger.database,
        actor=acting_as(ledger.database, name),
        deployment=from_settings(Settings()),
        clock=clock,
    )


def _propose(ctx: Context, amount: int = 25_000, *, key: str = "m1", **changed: Any) -> Any:
    return mandates.propose_mandate(
        ctx, TOWN, amount=amount, key=key, **{"payee": PAYEE, **ORDER, **changed}
    )


def _refused(ledger: Engine, error: type[MonnaieLocaleError], call: Any) -> MonnaieLocaleError:
    """``call`` refused with ``error``, every row of the database as it was."""
    before = every_row(ledger.database)
    with pytest.raises(error) as caught:
        call()
    assert every_row(ledger.database) == before
    return caught.value


def _grant(ledger: Engine, clock: SteppingClock, town: Town, name: str, duty: str) -> None:
    user_id = acting_as(ledger.database, name).user_id
    assert user_id is not None
    ledger.database.write(
        lambda conn: duties.grant_duty(conn, user_id, town.authority, duty, regie=None, now=clock())
    )


def test_one_person_with_both_duties_proposes_but_may_not_approve(
    ledger: Engine, clock: SteppingClock, town: Town
) -> None:
    for duty in ("ordonnateur", "comptable"):
        _grant(ledger, clock, town, "both", duty)
    both = _ctx(ledger, clock, "both")
    proposed = _propose(both)
    assert (proposed.status, proposed.proposed_by, proposed.transaction_id) == (
        "proposed",
        "both",
        None,
    )
    _refused(
        ledger, SameProposer, lambda: mandates.approve_mandate(both, TOWN, proposed.id, key="a")
    )
    _refused(
        ledger,
        SameProposer,
        lambda: mandates.reject_mandate(both, TOWN, proposed.id, reason="mine"),
    )
    assert ledger.account(TOWN_ACCOUNT).balance == FUNDS
    assert ledger.account(PAYEE).balance == 0
    # Another comptable may decide on it.
    paid = mandates.approve_mandate(_ctx(ledger, clock, "comptable"), TOWN, proposed.id, key="a")
    assert (paid.status, paid.decided_by) == ("paid", "comptable")


def test_two_people_pay_a_mandate_from_the_town_to_the_payee(
    ledger: Engine, clock: SteppingClock, town: Town
) -> None:
    ordonnateur, comptable = (_ctx(ledger, clock, n) for n in ("ordonnateur", "comptable"))
    proposed = _propose(ordonnateur, 25_000)
    # Proposing moves nothing; a retry with its key gets the same mandate.
    assert ledger.account(TOWN_ACCOUNT).balance == FUNDS
    assert _propose(ordonnateur, 25_000) == proposed
    paid = mandates.approve_mandate(comptable, TOWN, proposed.id, key="pay-1207")
    assert (paid.status, paid.proposed_by, paid.decided_by) == ("paid", "ordonnateur", "comptable")
    assert paid.decided_at is not None and paid.transaction_id is not None
    assert ledger.account(TOWN_ACCOUNT).balance == FUNDS - 25_000
    assert ledger.account(PAYEE).balance == 25_000
    payment = ledger.transaction(paid.transaction_id)
    assert sorted((p.account, p.amount) for p in payment.postings) == [
        (TOWN_ACCOUNT, -25_000),
        (PAYEE, 25_000),
    ]
    assert payment.kind == "mandate" and payment.reference == f"mandate:{paid.id}"
    for words in ("1207", "B-2026-014", "2026", "65/6574/40", "Subvention au club de pelote"):
        assert words in payment.memo
    # Approved again with its key: the same mandate, nothing paid twice.
    assert mandates.approve_mandate(comptable, TOWN, proposed.id, key="pay-1207") == paid
    assert ledger.account(PAYEE).balance == 25_000
    assert mandates.get_mandate(comptable, TOWN, paid.id) == paid
    assert mandates.list_mandates(comptable, TOWN, status="paid", exercice=2026) == [paid]
    assert mandates.list_mandates(comptable, TOWN, status="proposed") == []
    assert mandates.list_mandates(comptable, TOWN, exercice=2025) == []


def test_the_database_refuses_a_decision_by_the_proposer(
    ledger: Engine, clock: SteppingClock, town: Town
) -> None:
    proposed = _propose(_ctx(ledger, clock, "ordonnateur"))
    proposer = town.user_ids["ordonnateur"]

    def decide_by_proposer(conn: Connection) -> None:
        conn.execute(
            update(mandates_table)
            .where(mandates_table.c.id == proposed.id)
            .values(status="rejected", decided_by=proposer, decided_at=clock())
        )

    with pytest.raises(IntegrityError):
        ledger.database.write(decide_by_proposer)
    assert mandates.get_mandate(_ctx(ledger, clock, "comptable"), TOWN, proposed.id) == proposed


def test_a_convention_that_does_not_let_the_town_spend_refuses_until_a_new_version_does(
    ledger: Engine, clock: SteppingClock
) -> None:
    town = _build(ledger, clock, may_spend=False)
    ordonnateur = _ctx(ledger, clock, "ordonnateur")
    _refused(ledger, SpendingNotAllowed, lambda: _propose(ordonnateur))
    # A new version lets it spend from the 10th: still refused on the 2nd, let on the 10th.
    today = clock().date()
    ledger.database.write(
        lambda conn: registry.record_convention(
            conn,
            town.authority,
            effective_from=today + timedelta(days=8),
            reconversion_fee_bps=0,
            payin_days=30,
            cash_cap=None,
            may_spend=True,
            reference="Avenant 2: dépenses",
            by="admin",
            now=clock(),
        )
    )
    _refused(ledger, SpendingNotAllowed, lambda: _propose(ordonnateur))
    clock.advance(timedelta(days=8))
    proposed = _propose(ordonnateur)
    paid = mandates.approve_mandate(_ctx(ledger, clock, "comptable"), TOWN, proposed.id, key="a")
    assert paid.status == "paid" and ledger.account(PAYEE).balance == 25_000


def test_a_convention_withdrawn_after_the_proposal_refuses_the_payment(
    ledger: Engine, clock: SteppingClock, town: Town
) -> None:
    proposed = _propose(_ctx(ledger, clock, "ordonnateur"))
    ledger.database.write(
        lambda conn: registry.record_convention(
            conn,
            town.authority,
            effective_from=clock().date() + timedelta(days=1),
            reconversion_fee_bps=0,
            payin_days=30,
            cash_cap=None,
            may_spend=False,
            reference="Avenant 3",
            by="admin",
            now=clock(),
        )
    )
    clock.advance(timedelta(days=1))
    comptable = _ctx(ledger, clock, "comptable")
    _refused(
        ledger,
        SpendingNotAllowed,
        lambda: mandates.approve_mandate(comptable, TOWN, proposed.id, key="a"),
    )
    assert mandates.get_mandate(comptable, TOWN, proposed.id).status == "proposed"


def test_insufficient_funds_leave_the_mandate_proposed_and_the_key_unused(
    ledger: Engine, clock: SteppingClock, town: Town
) -> None:
    proposed = _propose(_ctx(ledger, clock, "ordonnateur"), FUNDS + 1)
    comptable = _ctx(ledger, clock, "comptable")
    error = _refused(
        ledger,
        InsufficientFunds,
        lambda: mandates.approve_mandate(comptable, TOWN, proposed.id, key="a"),
    )
    assert isinstance(error, InsufficientFunds) and error.needed == FUNDS + 1
    still = mandates.get_mandate(comptable, TOWN, proposed.id)
    assert (still.status, still.decided_by, still.decided_at) == ("proposed", None, None)
    ledger.transfer("issuance", TOWN_ACCOUNT, 1, idempotency_key="one more")
    paid = mandates.approve_mandate(comptable, TOWN, proposed.id, key="a")
    assert paid.status == "paid"
    assert ledger.account(TOWN_ACCOUNT).balance == 0


def test_only_a_proposed_mandate_is_decided(
    ledger: Engine, clock: SteppingClock, town: Town
) -> None:
    ordonnateur, comptable = (_ctx(ledger, clock, n) for n in ("ordonnateur", "comptable"))
    rejected = mandates.reject_mandate(
        comptable, TOWN, _propose(ordonnateur).id, reason="Pièces justificatives manquantes"
    )
    assert (rejected.status, rejected.refusal, rejected.decided_by) == (
        "rejected",
        "Pièces justificatives manquantes",
        "comptable",
    )
    _refused(
        ledger,
        MandateNotProposed,
        lambda: mandates.approve_mandate(comptable, TOWN, rejected.id, key="a"),
    )
    paid = mandates.approve_mandate(
        comptable, TOWN, _propose(ordonnateur, key="m2", number="1208").id, key="b"
    )
    _refused(
        ledger,
        MandateNotProposed,
        lambda: mandates.reject_mandate(comptable, TOWN, paid.id, reason="late"),
    )
    _refused(
        ledger,
        MandateNotProposed,
        lambda: mandates.approve_mandate(comptable, TOWN, paid.id, key="c"),
    )
    _refused(ledger, UnknownMandate, lambda: mandates.get_mandate(comptable, TOWN, 999))
    _refused(
        ledger,
        InvalidRequest,
        lambda: mandates.reject_mandate(comptable, TOWN, paid.id, reason=" "),
    )


def test_only_the_ordonnateur_proposes_and_only_the_comptable_decides(
    ledger: Engine, clock: SteppingClock, town: Town
) -> None:
    proposed = _propose(_ctx(ledger, clock, "ordonnateur"))
    for name in ("regisseur", "mandataire", "finances", "comptable"):
        ctx = _ctx(ledger, clock, name)
        _refused(ledger, NotYourRegie, lambda ctx=ctx: _propose(ctx, key="other"))
    for name in ("regisseur", "mandataire", "finances", "ordonnateur"):
        ctx = _ctx(ledger, clock, name)
        _refused(
            ledger,
            NotYourRegie,
            lambda ctx=ctx: mandates.approve_mandate(ctx, TOWN, proposed.id, key="a"),
        )
        _refused(
            ledger,
            NotYourRegie,
            lambda ctx=ctx: mandates.reject_mandate(ctx, TOWN, proposed.id, reason="x"),
        )
    # The association keeps the books, it is not the town: it neither proposes nor decides.
    for name in ("assoc", "admin", "auditor"):
        ctx = _ctx(ledger, clock, name)
        _refused(ledger, RoleForbidden, lambda ctx=ctx: _propose(ctx, key="other"))
        _refused(
            ledger,
            RoleForbidden,
            lambda ctx=ctx: mandates.approve_mandate(ctx, TOWN, proposed.id, key="a"),
        )
    # The town's finance people, the association and the auditor read them; the counter not.
    for name in ("ordonnateur", "comptable", "finances", "assoc", "admin", "auditor"):
        assert mandates.list_mandates(_ctx(ledger, clock, name), TOWN) == [proposed]
    for name in ("regisseur", "mandataire", "both"):
        ctx = _ctx(ledger, clock, name)
        _refused(ledger, NotYourRegie, lambda ctx=ctx: mandates.list_mandates(ctx, TOWN))
        _refused(ledger, NotYourRegie, lambda ctx=ctx: mandates.get_mandate(ctx, TOWN, proposed.id))


@pytest.mark.parametrize(
    "changed",
    [
        {"exercice": 2027},  # a later exercice than today's year
        {"exercice": 1999},
        {"bordereau": "B 14"},
        {"number": ""},
        {"chapitre": "6a"},
        {"chapitre": "6"},
        {"article": "x574"},
        {"fonction": "sport"},
        {"object": "  "},
        {"object": "Subvention\nau club"},
    ],
)
def test_a_mandate_s_references_have_their_shape(
    ledger: Engine, clock: SteppingClock, town: Town, changed: dict[str, Any]
) -> None:
    ordonnateur = _ctx(ledger, clock, "ordonnateur")
    _refused(ledger, InvalidRequest, lambda: _propose(ordonnateur, **changed))


def test_a_mandate_pays_an_active_holder_once_per_reference(
    ledger: Engine, clock: SteppingClock, town: Town
) -> None:
    ordonnateur = _ctx(ledger, clock, "ordonnateur")
    first = _propose(ordonnateur, article="6574A")
    assert first.article == "6574A"
    _refused(ledger, DuplicateMandate, lambda: _propose(ordonnateur, key="m2"))
    # The same key for another request is refused, not taken for a retry.
    _refused(ledger, IdempotencyConflict, lambda: _propose(ordonnateur, 1, number="9"))
    _refused(ledger, UnknownAccount, lambda: _propose(ordonnateur, key="m3", payee="member:x"))
    for payee in ("issuance", TOWN_ACCOUNT):
        _refused(
            ledger, InvalidRequest, lambda payee=payee: _propose(ordonnateur, key="m4", payee=payee)
        )
    ledger.set_status(PAYEE, AccountStatus.FROZEN)
    _refused(ledger, AccountNotActive, lambda: _propose(ordonnateur, key="m5", number="2"))
    _refused(ledger, InvalidAmount, lambda: _propose(ordonnateur, 0, key="m6", number="3"))


def test_an_authority_without_an_account_or_a_convention_does_not_spend(
    ledger: Engine, clock: SteppingClock, town: Town
) -> None:
    def other_town(conn: Connection) -> None:
        found = registry.create_authority(
            conn,
            "anglet",
            name="Ville d'Anglet",
            kind="commune",
            treasury_name="Trésorerie d'Anglet",
            treasury_iban="FR7630001007941234567890185",
            treasury_bic=None,
            account=None,
            now=clock(),
        )
        duties.grant_duty(
            conn, town.user_ids["ordonnateur"], found, "ordonnateur", regie=None, now=clock()
        )

    ledger.database.write(other_town)
    ordonnateur = _ctx(ledger, clock, "ordonnateur")

    def propose() -> object:
        return mandates.propose_mandate(
            ordonnateur, "anglet", payee=PAYEE, amount=1, key="anglet", **ORDER
        )

    _refused(ledger, NoConvention, propose)
    ledger.database.write(
        lambda conn: registry.record_convention(
            conn,
            registry.authority_by_code(conn, "anglet"),
            effective_from=date(2026, 1, 1),
            reconversion_fee_bps=0,
            payin_days=30,
            cash_cap=None,
            may_spend=True,
            reference="Délibération 2026-3",
            by="admin",
            now=clock(),
        )
    )
    _refused(ledger, NoAuthorityAccount, propose)
