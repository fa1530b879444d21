"""The town's pool with its counter open: payers with funds, a shop, the deployment's keys,
and each person's context for the acts (see :mod:`tests.authorities.town`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from monnaie_locale import checkout
from monnaie_locale.acting import Context, SigningKeys
from monnaie_locale.acts.sessions import acting_as
from monnaie_locale.auth import Principal, Role
from monnaie_locale.authorities.quittances import (
    QUITTANCE_COLUMNS,
    QUITTANCE_FROM,
    Quittance,
    quittance_from_row,
)
from monnaie_locale.authorities.sales import Sale
from monnaie_locale.deployment import Deployment
from monnaie_locale.model import AccountKind
from monnaie_locale.payments import KeyRing, SigningKey
from monnaie_locale.store.tables_authorities import quittance_counters, quittances, regie_sales
from monnaie_locale.store.tables_checkout import payment_requests
from tests.authorities.town import POOL_ACCOUNT, Town, set_up_town
from tests.conftest import MLC, SteppingClock
from tests.engine import Engine

DEPLOYMENT = Deployment(unit=MLC)  # the books' days in Europe/Paris
KEYS = SigningKeys(KeyRing(SigningKey.generate()), 7)
ALICE = "member:alice"
POOR = "member:poor"
SHOP = "business:bakery"
FUNDS = 100_00
OPERATOR = Principal(Role.ASSOCIATION_OPERATOR, frozenset(), "asso", user_id=None)


@dataclass
class Counter:
    ledger: Engine
    clock: SteppingClock
    town: Town

    @property
    def database(self) -> Any:
        return self.ledger.database

    def ctx(self, who: str | Principal) -> Context:
        actor = acting_as(self.database, who) if isinstance(who, str) else who
        return Context(
            database=self.database,
            actor=actor,
            deployment=DEPLOYMENT,
            clock=self.clock,
            signing=KEYS,
        )

    def pay(self, token: str, payer: str, *, key: str) -> checkout.Payment:
        """The payer's phone pays the QR ``token``, as the checkout's act does."""
        return self.database.write(  # type: ignore[no-any-return]
            lambda conn: checkout.pay(
                conn,
                token,
                payer_account=payer,
                idempotency_key=key,
                keyring=KEYS.keyring,
                deployment_id=KEYS.deployment_id,
                clock=self.clock,
                zone=DEPLOYMENT.zone,
            )
        )

    def pay_sale(self, sale: Sale, payer: str = ALICE) -> checkout.Payment:
        return self.pay(sale.token, payer, key=f"pay-{sale.request_id}")

    def quittances(self) -> list[Quittance]:
        def read(conn: Connection) -> list[Quittance]:
            rows = conn.execute(
                select(*QUITTANCE_COLUMNS)
                .select_from(QUITTANCE_FROM)
                .order_by(quittances.c.year, quittances.c.number)
            )
            return [quittance_from_row(row) for row in rows]

        return self.database.read(read)  # type: ignore[no-any-return]

    def counts(self) -> dict[str, int]:
        """Rows of what a sale or a quittance writes: equal before and after a refusal."""

        def read(conn: Connection) -> dict[str, int]:
            tables = {
                "quittances": quittances,
                "counters": quittance_counters,
                "sales": regie_sales,
                "requests": payment_requests,
            }
            return {
                name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for name, t in tables.items()
            }

        return self.database.read(read)  # type: ignore[no-any-return]

    def balance(self, code: str) -> int:
        return self.ledger.account(code).balance


def open_counter(ledger: Engine, clock: SteppingClock) -> Counter:
    town = set_up_town(ledger.database, clock)
    ledger.open_account(ALICE, kind=AccountKind.MEMBER, currency="MLC", display_name="Alice Etxe")
    ledger.open_account(POOR, kind=AccountKind.MEMBER, currency="MLC")
    ledger.open_account(SHOP, kind=AccountKind.BUSINESS, currency="MLC")
    ledger.transfer("issuance", ALICE, FUNDS, idempotency_key="fund-alice")
    ledger.transfer("issuance", POOR, 1_00, idempotency_key="fund-poor")
    assert ledger.account(POOL_ACCOUNT).balance == 0
    return Counter(ledger, clock, town)
