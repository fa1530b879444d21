"""A demonstration deployment, created only on request and never in production.

It opens the account plan of a currency, an exchange office, two members, a bakery,
the town hall's régie, one user per role with a published password, and gives the
members units converted by card, so a newcomer can sign in and pay within a minute.
Running it again changes nothing: every step is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from monnaie_locale.auth.roles import Role
from monnaie_locale.auth.users import create_user, find_user, link_account
from monnaie_locale.clock import Clock
from monnaie_locale.deployment import Deployment, create_system_accounts, open_holder_account
from monnaie_locale.errors import InvalidRequest, UnknownAccount
from monnaie_locale.ledger.accounts import accounts_by_code
from monnaie_locale.model import AccountKind
from monnaie_locale.money import Currency
from monnaie_locale.operations.conversion import convert_by_card

__all__ = ["DEMO_OFFICE", "DEMO_USERS", "DemoUser", "seed_demo"]

DEMO_OFFICE = "centre"


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    password: str
    role: Role
    account: str | None  # the account the user holds, if any


DEMO_USERS = (
    DemoUser("admin", "admin-demo-2026", Role.ADMIN, None),
    DemoUser("asso", "asso-demo-2026", Role.ASSOCIATION_OPERATOR, None),
    DemoUser("audit", "audit-demo-2026", Role.AUDITOR, None),
    DemoUser("comptoir", "comptoir-demo-2026", Role.OFFICE_OPERATOR, None),
    DemoUser("alice", "alice-demo-2026", Role.MEMBER, "member:alice"),
    DemoUser("bob", "bob-demo-2026", Role.MEMBER, "member:bob"),
    DemoUser("boulangerie", "boulangerie-demo-2026", Role.MERCHANT_OWNER, "business:boulangerie"),
    DemoUser("caisse", "caisse-demo-2026", Role.MERCHANT_CASHIER, "business:boulangerie"),
    DemoUser("mairie", "mairie-demo-2026", Role.AUTHORITY_AGENT, "authority:regie-piscine"),
)

# code -> (kind, the name payers are shown, or None to show the code)
_HOLDERS = {
    "member:alice": (AccountKind.MEMBER, None),
    "member:bob": (AccountKind.MEMBER, None),
    "business:boulangerie": (AccountKind.BUSINESS, "Boulangerie Etchegaray"),
    "authority:regie-piscine": (AccountKind.AUTHORITY, "Piscine municipale (régie)"),
}
_STARTING_UNITS = {"member:alice": 10_000, "member:bob": 5_000}


def demo_deployment(unit: Currency) -> Deployment:
    return Deployment(unit=unit, offices=(DEMO_OFFICE,), association_name="Association démo")


def seed_demo(conn: Connection, unit: Currency, *, production: bool, clock: Clock) -> None:
    """Create (or complete) the demonstration deployment in one transaction."""
    if production:
        raise InvalidRequest("demo data is never created in production mode")
    deployment = demo_deployment(unit)
    create_system_accounts(conn, deployment, now=clock())
    for code, (kind, name) in _HOLDERS.items():
        try:
            accounts_by_code(conn, [code])
        except UnknownAccount:
            open_holder_account(conn, deployment, code, kind=kind, now=clock(), display_name=name)
    for user in DEMO_USERS:
        existing = find_user(conn, user.username)
        if existing is None:
            existing = create_user(
                conn, user.username, password=user.password, role=user.role, now=clock()
            )
        if user.account is not None:
            link_account(conn, existing.id, account_code=user.account)
    for code, amount in _STARTING_UNITS.items():
        convert_by_card(
            conn,
            deployment,
            account=code,
            amount=amount,
            payment_reference=f"demo-card-{code}",
            idempotency_key=f"demo-conversion:{code}",
            clock=clock,
        )
