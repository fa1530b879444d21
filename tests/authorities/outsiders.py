"""Authority agents who are not Bayonne's: one with no duty anywhere, one with duties at
another town (Biarritz, with a régie of its own). Beside :func:`tests.authorities.town.set_up_town`
they are who a town's pages and routes must refuse."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from monnaie_locale.auth import Role, create_user
from monnaie_locale.authorities import duties, registry
from monnaie_locale.clock import Clock
from monnaie_locale.ledger.accounts import open_account
from monnaie_locale.model import AccountKind
from monnaie_locale.store import Database
from tests.authorities.town import TOWN_PASSWORD, TREASURY_IBAN

OTHER_TOWN = "biarritz"
OTHER_POOL = "biarritz-plage"
OTHER_POOL_ACCOUNT = "authority:regie-plage-biarritz"
# An agent without any duty; one who is régisseur and finance officer at Biarritz.
NO_DUTY = "sans-mandat"
ELSEWHERE = "ailleurs"


@dataclass(frozen=True)
class Outsiders:
    other_town: registry.Authority
    other_pool: registry.Regie
    user_ids: dict[str, int]


def set_up_outsiders(database: Database, clock: Clock) -> Outsiders:
    def build(conn: Connection) -> Outsiders:
        open_account(
            conn,
            OTHER_POOL_ACCOUNT,
            kind=AccountKind.AUTHORITY,
            currency="MLC",
            now=clock(),
            display_name="Plage",
        )
        town = registry.create_authority(
            conn,
            OTHER_TOWN,
            name="Ville de Biarritz",
            kind="commune",
            treasury_name="Trésorerie de Biarritz",
            treasury_iban=TREASURY_IBAN,
            treasury_bic=None,
            account=None,
            now=clock(),
        )
        pool = registry.create_regie(
            conn,
            OTHER_TOWN,
            OTHER_POOL,
            name="Plage",
            account=OTHER_POOL_ACCOUNT,
            cash_cap=10_000,
            names_payers=False,
            now=clock(),
        )
        ids = {
            name: create_user(
                conn, name, password=TOWN_PASSWORD, role=Role.AUTHORITY_AGENT, now=clock()
            ).id
            for name in (NO_DUTY, ELSEWHERE)
        }
        duties.grant_duty(conn, ids[ELSEWHERE], town, "regisseur", regie=pool, now=clock())
        duties.grant_duty(conn, ids[ELSEWHERE], town, "finance", regie=None, now=clock())
        return Outsiders(town, pool, ids)

    return database.write(build)
