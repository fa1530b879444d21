"""A demonstration deployment, created only on request and never in production.

It opens the account plan of a currency, an exchange office, two members, a bakery and a
grocery (both in the public directory, as the office is), the town of Bayonne with its
pool's régie, its tariffs, its convention and its people (:func:`_set_up_town`), one user
per role with a published password, and gives the members units converted by card, so a
newcomer can sign in and pay within a minute. The office's stock holds notes to sell and
the association holds euros of its own, so its counter can be worked at once too.
Running it again changes nothing: every step is idempotent. It is set up through
:func:`monnaie_locale.acts.demo.set_up_demo`, which says when it may be.

The demo plays the whole story with its own sign-ins, so its settings carry what the
story needs (:func:`demo_settings`): the exchange office the counter operator holds, and a
reserve account to pay reconversions from. Its signing key is made once, in a file
(:func:`with_demo_signing_key`): every worker process, and every restart, signs with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Connection

from monnaie_locale.auth.roles import Role
from monnaie_locale.auth.users import create_user, find_user, link_account
from monnaie_locale.authorities import duties, registry
from monnaie_locale.clock import Clock
from monnaie_locale.config import Settings
from monnaie_locale.deployment import (
    create_system_accounts,
    from_settings,
    office_notes,
    office_till,
    open_holder_account,
)
from monnaie_locale.directory import (
    ProfileFields,
    office_places_of,
    read_profile,
    save_office_place,
    save_profile,
)
from monnaie_locale.errors import InvalidRequest, UnknownAccount
from monnaie_locale.ledger.accounts import accounts_by_code
from monnaie_locale.model import AccountKind
from monnaie_locale.operations.conversion import convert_by_card
from monnaie_locale.operations.funds import receive_association_funds
from monnaie_locale.operations.notes import deliver_notes, print_notes
from monnaie_locale.payments import SigningKey
from monnaie_locale.signing_keys import write_new_key

__all__ = [
    "DEMO_ADMIN",
    "DEMO_KEY_FILE",
    "DEMO_OFFICE",
    "DEMO_RESERVE_IBAN",
    "DEMO_USERS",
    "DemoInProduction",
    "DemoUser",
    "demo_settings",
    "seed_demo",
    "with_demo_signing_key",
]

DEMO_OFFICE = "centre"
# The demo's administrator: any other one means a deployment of real people.
DEMO_ADMIN = "admin"
# A test IBAN with valid check digits (a French bank code, a made-up account): pain.001
# files name it as the account to pay from, and no bank holds it.
DEMO_RESERVE_IBAN = "FR7630006000011234567890189"
DEMO_KEY_FILE = "demo-signing.pem"


class DemoInProduction(InvalidRequest):
    """Raised when demo data, with its published passwords, is asked for in production."""

    code = "demo_in_production"

    def __init__(self) -> None:
        super().__init__("demo data is never created in production mode")


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    password: str
    role: Role
    accounts: tuple[str, ...] = ()  # the accounts the user holds


DEMO_USERS = (
    DemoUser(DEMO_ADMIN, "admin-demo-2026", Role.ADMIN),
    DemoUser("asso", "asso-demo-2026", Role.ASSOCIATION_OPERATOR),
    DemoUser("audit", "audit-demo-2026", Role.AUDITOR),
    # An office operator acts for the offices whose till or notes they hold.
    DemoUser(
        "comptoir",
        "comptoir-demo-2026",
        Role.OFFICE_OPERATOR,
        (office_till(DEMO_OFFICE), office_notes(DEMO_OFFICE)),
    ),
    DemoUser("alice", "alice-demo-2026", Role.MEMBER, ("member:alice",)),
    DemoUser("bob", "bob-demo-2026", Role.MEMBER, ("member:bob",)),
    DemoUser(
        "boulangerie", "boulangerie-demo-2026", Role.MERCHANT_OWNER, ("business:boulangerie",)
    ),
    DemoUser("caisse", "caisse-demo-2026", Role.MERCHANT_CASHIER, ("business:boulangerie",)),
    # The town's people act through their duties (_TOWN_DUTIES), holding no account.
    DemoUser("regisseur", "regisseur-demo-2026", Role.AUTHORITY_AGENT),
    DemoUser("guichet-piscine", "guichet-piscine-demo-2026", Role.AUTHORITY_AGENT),
    DemoUser("finances", "finances-demo-2026", Role.AUTHORITY_AGENT),
    DemoUser("ordonnateur", "ordonnateur-demo-2026", Role.AUTHORITY_AGENT),
    DemoUser("tresorerie", "tresorerie-demo-2026", Role.AUTHORITY_AGENT),
    # The town hall's wallet: the town's own account, never its régie's, whose units leave
    # only by its versements. Last of its role: the pages' tests sign in as it.
    DemoUser("mairie", "mairie-demo-2026", Role.AUTHORITY_AGENT, ("authority:bayonne",)),
)

# code -> (kind, the name payers are shown, or None to show the code)
_HOLDERS = {
    "member:alice": (AccountKind.MEMBER, None),
    "member:bob": (AccountKind.MEMBER, None),
    "business:boulangerie": (AccountKind.BUSINESS, "Boulangerie Etchegaray"),
    "business:epicerie": (AccountKind.BUSINESS, "Épicerie du marché"),
    "authority:bayonne": (AccountKind.AUTHORITY, "Ville de Bayonne"),
    "authority:regie-piscine": (AccountKind.AUTHORITY, "Piscine municipale (régie)"),
}
# The directory's entries, so that it is not empty: a business's profile, the office's place.
_PROFILES = {
    "business:boulangerie": ProfileFields(
        category="Boulangerie",
        town="Bayonne",
        description="Pain au levain et gâteau basque, cuits sur place.",
        address="12 rue d'Espagne",
    ),
    "business:epicerie": ProfileFields(
        category="Épicerie",
        town="Biarritz",
        description="Produits du pays, en vrac et de saison.",
        address="3 place Sainte-Eugénie",
    ),
}
_OFFICE_PLACE = {
    "name": "Comptoir du centre",
    "address": "Place de la Liberté",
    "town": "Bayonne",
    "hours": "lun.–ven. 9h–12h, 14h–18h ; sam. 9h–12h",
}
_STARTING_UNITS = {"member:alice": 10_000, "member:bob": 5_000}
# Notes at the office's counter, and euros of the association's own (membership fees):
# the office's screen has notes to sell, and a till's shortfall can be made good.
_OFFICE_NOTES = {500: 20, 1000: 20, 2000: 10}
_ASSOCIATION_FUNDS = 50_000


# The town: its régie, the régie's tariffs, the convention, who holds which duty.
_TOWN = "bayonne"
_POOL = "bayonne-piscine"
_POOL_CAP = 100_000  # 1000.00 of encaisse at most
_TOWN_IBAN = "FR7630001007941234567890185"  # a made-up account at the Banque de France
_TARIFFS = {"Entrée piscine, plein tarif": 450, "Entrée piscine, tarif réduit": 300}
# username -> (duty, at the pool's régie or town-wide)
_TOWN_DUTIES = {
    "regisseur": ("regisseur", True),
    "guichet-piscine": ("mandataire", True),
    "finances": ("finance", False),
    "ordonnateur": ("ordonnateur", False),
    "tresorerie": ("comptable", False),
}


def demo_settings(settings: Settings) -> Settings:
    """``settings`` with what the demo's story needs, where they do not say it themselves:
    its exchange office, a reserve IBAN, the association's name."""
    if settings.is_production:
        raise DemoInProduction()
    chosen = settings.model_fields_set
    return settings.model_copy(
        update={
            "offices": tuple(dict.fromkeys((*settings.offices, DEMO_OFFICE))),
            "reserve_iban": settings.reserve_iban or DEMO_RESERVE_IBAN,
            "association_name": (
                settings.association_name if "association_name" in chosen else "Association démo"
            ),
        }
    )


def with_demo_signing_key(settings: Settings, folder: Path) -> Settings:
    """``settings`` signing with the demo's key file in ``folder``, made on first use,
    unless they name a key of their own."""
    if settings.signing_key_file is not None or settings.signing_key_pem is not None:
        return settings
    path = (folder / DEMO_KEY_FILE).absolute()
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        write_new_key(path, SigningKey.generate(), passphrase=None)
    return settings.model_copy(update={"signing_key_file": path})


def seed_demo(conn: Connection, settings: Settings, *, clock: Clock) -> None:
    """Create (or complete) the demonstration deployment in one transaction.

    ``settings`` are those :func:`demo_settings` gives, the ones the demo is served with.
    """
    if settings.is_production:
        raise DemoInProduction()
    deployment = from_settings(settings)
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
        for account in user.accounts:
            link_account(conn, existing.id, account_code=account)
    _set_up_town(conn, clock=clock)
    for code, profile in _PROFILES.items():
        if read_profile(conn, code) is None:
            save_profile(conn, code, profile, by=DEMO_ADMIN, now=clock())
    if office_places_of(conn, (DEMO_OFFICE,))[0].address is None:
        save_office_place(conn, DEMO_OFFICE, **_OFFICE_PLACE, by=DEMO_ADMIN, now=clock())
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
    print_notes(
        conn, deployment, bundle=_OFFICE_NOTES, idempotency_key="demo-notes:printed", clock=clock
    )
    deliver_notes(
        conn,
        deployment,
        office=DEMO_OFFICE,
        bundle=_OFFICE_NOTES,
        idempotency_key="demo-notes:delivered",
        clock=clock,
    )
    receive_association_funds(
        conn,
        amount=_ASSOCIATION_FUNDS,
        memo="membership fees",
        idempotency_key="demo-funds:fees",
        clock=clock,
    )


def _set_up_town(conn: Connection, *, clock: Clock) -> None:
    """The town of Bayonne, its pool's régie on ``authority:regie-piscine``, two tariffs,
    a convention from 2026-01-01 (no fee, a versement every 30 days, may spend) and a
    duty for each of its people; once."""
    if not any(found.code == _TOWN for found in registry.list_authorities(conn)):
        town = registry.create_authority(
            conn,
            _TOWN,
            name="Ville de Bayonne",
            kind="commune",
            treasury_name="Trésorerie de Bayonne",
            treasury_iban=_TOWN_IBAN,
            treasury_bic=None,
            account="authority:bayonne",
            now=clock(),
        )
        pool = registry.create_regie(
            conn,
            _TOWN,
            _POOL,
            name="Piscine municipale",
            account="authority:regie-piscine",
            cash_cap=_POOL_CAP,
            names_payers=False,
            now=clock(),
        )
        for label, amount in _TARIFFS.items():
            registry.add_tariff(conn, pool, label=label, amount=amount, now=clock())
        registry.record_convention(
            conn,
            town,
            effective_from=date(2026, 1, 1),
            reconversion_fee_bps=0,
            payin_days=30,
            cash_cap=None,
            may_spend=True,
            reference="Délibération du conseil municipal (démonstration)",
            by=DEMO_ADMIN,
            now=clock(),
        )
    town, pool = registry.authority_by_code(conn, _TOWN), registry.regie_by_code(conn, _POOL)
    for username, (duty, at_pool) in _TOWN_DUTIES.items():
        user = find_user(conn, username)
        assert user is not None  # created with the demo's users
        # Granted again, a duty changes nothing: the demo stays as it was.
        duties.grant_duty(conn, user.id, town, duty, regie=pool if at_pool else None, now=clock())
