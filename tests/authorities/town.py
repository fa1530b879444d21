"""A town for the tests: the authority, its pool's régie, its convention and its people.

:func:`set_up_town` works on any migrated database holding the MLC currency (the
``ledger`` fixture's, or the API worlds' of ``tests/api``): it opens the town's two
accounts, records the authority, the régie, two tariffs and a convention, and creates one
user per duty, each with the role ``authority_agent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from monnaie_locale.auth import Role, create_user
from monnaie_locale.authorities import duties, registry
from monnaie_locale.clock import Clock
from monnaie_locale.ledger.accounts import open_account
from monnaie_locale.model import AccountKind
from monnaie_locale.store import Database

TOWN = "bayonne"
TOWN_ACCOUNT = "authority:bayonne"
POOL = "bayonne-piscine"
POOL_ACCOUNT = "authority:regie-piscine-bayonne"
POOL_CAP = 50_000  # 500.00 of encaisse at most
TREASURY_IBAN = "FR7630001007941234567890185"  # a Banque de France-style test IBAN
TARIFFS = {"Entrée piscine, plein tarif": 450, "Entrée piscine, tarif réduit": 300}
CONVENTION_FROM = date(2026, 1, 1)
TOWN_PASSWORD = "correct horse battery staple"
# username -> (duty, at the pool's régie or town-wide)
PEOPLE = {
    "regisseur": ("regisseur", True),
    "mandataire": ("mandataire", True),
    "finances": ("finance", False),
    "ordonnateur": ("ordonnateur", False),
    "comptable": ("comptable", False),
}


@dataclass(frozen=True)
class Town:
    authority: registry.Authority
    pool: registry.Regie
    user_ids: dict[str, int]


def set_up_town(
    database: Database, clock: Clock, *, fee_bps: int = 0, may_spend: bool = True
) -> Town:
    def build(conn: Connection) -> Town:
        for code, name in ((TOWN_ACCOUNT, "Ville de Bayonne"), (POOL_ACCOUNT, "Piscine")):
            open_account(
                conn,
                code,
                kind=AccountKind.AUTHORITY,
                currency="MLC",
                now=clock(),
                display_name=name,
            )
        town = registry.create_authority(
            conn,
            TOWN,
            name="Ville de Bayonne",
            kind="commune",
            treasury_name="Trésorerie de Bayonne",
            treasury_iban=TREASURY_IBAN,
            treasury_bic="BDFEFRPP",
            account=TOWN_ACCOUNT,
            now=clock(),
        )
        pool = registry.create_regie(
            conn,
            TOWN,
            POOL,
            name="Piscine municipale",
            account=POOL_ACCOUNT,
            cash_cap=POOL_CAP,
            names_payers=False,
            now=clock(),
        )
        for label, amount in TARIFFS.items():
            registry.add_tariff(conn, pool, label=label, amount=amount, now=clock())
        registry.record_convention(
            conn,
            town,
            effective_from=CONVENTION_FROM,
            reconversion_fee_bps=fee_bps,
            payin_days=30,
            cash_cap=None,
            may_spend=may_spend,
            reference="Délibération 2025-112",
            by="admin",
            now=clock(),
        )
        user_ids: dict[str, int] = {}
        for username, (duty, at_pool) in PEOPLE.items():
            user = create_user(
                conn, username, password=TOWN_PASSWORD, role=Role.AUTHORITY_AGENT, now=clock()
            )
            user_ids[username] = user.id
            duties.grant_duty(
                conn, user.id, town, duty, regie=pool if at_pool else None, now=clock()
            )
        return Town(town, pool, user_ids)

    return database.write(build)
