"""A deployment: one local currency, its rules, and the system accounts its books need.

The account plan, in two currencies that each balance on their own:

Local unit (the deployment's currency)
    ``issuance``              counterpart of every unit created or destroyed; reads minus
                              everything issued (digital and printed) and not destroyed
    ``notes:vault``           printed notes kept by the association (not in circulation)
    ``notes:office:<id>``     notes in stock at an exchange office (not in circulation)
    ``notes:circulation``     paper notes in the public's hands
    ``reconversion:pending``  units of paid reconversions on their way to destruction
    ``association:fees``, ``association:bonus``, ``association:demurrage``
                              the association's own units (in circulation, so backed)
Euro
    ``reserve:digital``, ``reserve:notes``   the guarantee fund's two bank accounts
    ``office:<id>:till``      cash at an exchange office
    ``transit``               cash on its way from a till to the bank
    ``association:operating`` the association's own euros (membership fees, donations)
    ``association:losses``    cash found missing (debit) or in excess (credit) at a count
    ``external``              the outside world
    ``income:<what>``         the association's income in euros: membership fees,
                              donations, grants, interest, reconversion fees (credits)
    ``expense:<what>``        its expenses in euros: bank and card fees, conversion
                              bonuses, chargebacks (debits)

Sign convention of the ledger: a balance is the sum of postings, credits positive. Euro
assets of the association (reserve, tills, transit, operating) therefore read negative; they
get ``upper_limit=0`` so that no till or bank account can ever hold negative cash, which also
makes "the association's own euros fund the bonus" a rule the database enforces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Literal

from sqlalchemy import Connection, insert, select

from monnaie_locale.clock import DEFAULT_TIME_ZONE, zone_named
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.accounts import add_currency, open_account
from monnaie_locale.model import Account, AccountKind
from monnaie_locale.money import EUR, Currency
from monnaie_locale.siren import siren_is_valid
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_operations import account_categories

if TYPE_CHECKING:
    from monnaie_locale.config import Settings

__all__ = [
    "ASSOCIATION_BONUS",
    "ASSOCIATION_DEMURRAGE",
    "ASSOCIATION_FEES",
    "ASSOCIATION_LOSSES",
    "ASSOCIATION_OPERATING",
    "EXPENSE_ACCOUNTS",
    "EXPENSE_BANK_FEES",
    "EXPENSE_BONUS",
    "EXPENSE_CARD_FEES",
    "EXPENSE_CHARGEBACKS",
    "EXPENSE_OTHER",
    "EXTERNAL",
    "HOLDER_KINDS",
    "INCOME_ACCOUNTS",
    "INCOME_DONATIONS",
    "INCOME_GRANTS",
    "INCOME_INTEREST",
    "INCOME_MEMBERSHIP",
    "INCOME_OTHER",
    "INCOME_RECONVERSION_FEES",
    "ISSUANCE",
    "NOTES_CIRCULATION",
    "NOTES_VAULT",
    "RECONVERSION_PENDING",
    "RESERVE_DIGITAL",
    "RESERVE_NOTES",
    "TRANSIT",
    "AccountSpec",
    "Deployment",
    "MembershipFee",
    "add_office",
    "category_of",
    "create_system_accounts",
    "office_notes",
    "office_till",
    "offices_in_books",
    "open_holder_account",
    "system_account_specs",
]

ISSUANCE = "issuance"
NOTES_VAULT = "notes:vault"
NOTES_CIRCULATION = "notes:circulation"
RECONVERSION_PENDING = "reconversion:pending"
ASSOCIATION_FEES = "association:fees"
ASSOCIATION_BONUS = "association:bonus"
ASSOCIATION_DEMURRAGE = "association:demurrage"
ASSOCIATION_OPERATING = "association:operating"
ASSOCIATION_LOSSES = "association:losses"
RESERVE_DIGITAL = "reserve:digital"
RESERVE_NOTES = "reserve:notes"
TRANSIT = "transit"
EXTERNAL = "external"
# The association's income and expenses, in euros: the books' class 7 and class 6.
INCOME_MEMBERSHIP = "income:membership"
INCOME_DONATIONS = "income:donations"
INCOME_GRANTS = "income:grants"
INCOME_INTEREST = "income:interest"
INCOME_OTHER = "income:other"
INCOME_RECONVERSION_FEES = "income:reconversion_fees"
EXPENSE_BANK_FEES = "expense:bank_fees"
EXPENSE_CARD_FEES = "expense:card_fees"
EXPENSE_BONUS = "expense:bonus"
EXPENSE_CHARGEBACKS = "expense:chargebacks"
EXPENSE_OTHER = "expense:other"
INCOME_ACCOUNTS = (
    INCOME_MEMBERSHIP,
    INCOME_DONATIONS,
    INCOME_GRANTS,
    INCOME_INTEREST,
    INCOME_OTHER,
    INCOME_RECONVERSION_FEES,
)
EXPENSE_ACCOUNTS = (
    EXPENSE_BANK_FEES,
    EXPENSE_CARD_FEES,
    EXPENSE_BONUS,
    EXPENSE_CHARGEBACKS,
    EXPENSE_OTHER,
)

# Accounts of people and organisations that hold units: what "digital circulation" counts,
# together with the association's own unit accounts.
HOLDER_KINDS = frozenset({AccountKind.MEMBER, AccountKind.BUSINESS, AccountKind.AUTHORITY})

_BASIS_POINTS = 10_000
_OFFICE_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")


def office_till(office: str) -> str:
    """The euro till of exchange office ``office``."""
    return f"office:{office}:till"


def office_notes(office: str) -> str:
    """The note stock of exchange office ``office``."""
    return f"notes:office:{office}"


@dataclass(frozen=True, slots=True)
class MembershipFee:
    """The fee an account kind pays per period ("year" or "month")."""

    amount: int
    period: Literal["year", "month"] = "year"

    def __post_init__(self) -> None:
        if self.amount <= 0:
            raise ValueError("a membership fee is a positive amount of minor units")
        if self.period not in ("year", "month"):
            raise ValueError("a membership period is a year or a month")


@dataclass(frozen=True, slots=True, kw_only=True)
class Deployment:
    """One currency's configuration: its unit and the rules its association chose.

    Rates are in basis points (500 = 5 %), so no float ever touches a fee or a bonus.
    ``reconversion_fees`` is keyed by category: an account's category if one was set
    (:func:`open_holder_account`), else its kind ("business", "authority", "member").
    """

    unit: Currency
    offices: tuple[str, ...] = ()
    conversion_bonus_bps: int = 0
    reconversion_fees: Mapping[str, int] = field(
        default_factory=lambda: {"business": 500, "authority": 500, "member": 500}
    )
    members_may_reconvert: bool = False
    authorities_may_reconvert: bool = True
    max_conversion: Mapping[AccountKind, int] = field(default_factory=dict)
    max_balance: Mapping[AccountKind, int] = field(default_factory=dict)
    denominations: tuple[int, ...] = (100, 200, 500, 1000, 2000, 5000)
    membership_fees: Mapping[AccountKind, MembershipFee] = field(default_factory=dict)
    association_name: str = "Association"
    reserve_iban: str | None = None
    reserve_bic: str | None = None
    # The rule change behind each rule ("reconversion_fee.business" -> its id) when the
    # rules come from the database (monnaie_locale.rules.in_force); empty: as built here.
    rule_versions: Mapping[str, int] = field(default_factory=dict)
    # The deployment's time zone (MLC_TIME_ZONE): the days people read and type.
    zone: tzinfo = field(default_factory=lambda: zone_named(DEFAULT_TIME_ZONE))
    siren: str | None = None

    def __post_init__(self) -> None:
        if self.unit.code == EUR.code:
            raise ValueError("the local unit needs a code of its own, not EUR")
        if not 0 <= self.conversion_bonus_bps <= _BASIS_POINTS:
            raise ValueError("the conversion bonus is between 0 and 10000 basis points")
        for category, fee in self.reconversion_fees.items():
            if not 0 <= fee < _BASIS_POINTS:
                raise ValueError(f"the reconversion fee of {category!r} must be 0 to 9999 bps")
        if self.siren is not None and not siren_is_valid(self.siren):
            raise ValueError(f"SIREN {self.siren!r} is not 9 digits with a valid Luhn key")
        if not self.denominations or any(d <= 0 for d in self.denominations):
            raise ValueError("denominations are positive amounts of minor units")
        for office in self.offices:
            if not _OFFICE_ID.fullmatch(office):
                raise ValueError(f"an office id is 1 to 40 letters, digits, '-' or '_': {office!r}")
        for kind, limit in self.max_balance.items():
            if kind not in HOLDER_KINDS or limit <= 0:
                raise ValueError(
                    f"a maximum balance is a positive amount for a member, business or "
                    f"authority account, not {limit} for {kind}"
                )

    def today(self, now: datetime) -> date:
        """The books' day at ``now``."""
        return now.astimezone(self.zone).date()

    def bonus_for(self, amount: int) -> int:
        """The bonus on a conversion of ``amount``, rounded down to the cent."""
        return amount * self.conversion_bonus_bps // _BASIS_POINTS

    def fee_for(self, amount: int, *, category: str) -> int:
        """The reconversion fee on ``amount`` for ``category``, rounded half up to the cent."""
        rate = self.reconversion_fees.get(category)
        if rate is None:
            raise InvalidRequest(f"the deployment sets no reconversion fee for {category!r}")
        return (amount * rate + _BASIS_POINTS // 2) // _BASIS_POINTS


@dataclass(frozen=True, slots=True)
class AccountSpec:
    """How one system account is opened."""

    code: str
    kind: AccountKind
    currency: str
    lower_limit: int | None
    upper_limit: int | None


def _euro_asset(code: str, kind: AccountKind = AccountKind.ASSOCIATION) -> AccountSpec:
    return AccountSpec(code, kind, EUR.code, lower_limit=None, upper_limit=0)


def _office_specs(office: str, unit: str) -> tuple[AccountSpec, ...]:
    return (
        _euro_asset(office_till(office), AccountKind.EXCHANGE_OFFICE),
        AccountSpec(office_notes(office), AccountKind.EXCHANGE_OFFICE, unit, 0, None),
    )


def system_account_specs(deployment: Deployment) -> tuple[AccountSpec, ...]:
    """Every system account of ``deployment``, its offices included."""
    unit = deployment.unit.code
    specs = [
        # Issuance can never read above zero: nothing is destroyed that was not issued.
        AccountSpec(ISSUANCE, AccountKind.SYSTEM, unit, lower_limit=None, upper_limit=0),
        AccountSpec(NOTES_VAULT, AccountKind.SYSTEM, unit, 0, None),
        AccountSpec(NOTES_CIRCULATION, AccountKind.SYSTEM, unit, 0, None),
        AccountSpec(RECONVERSION_PENDING, AccountKind.SYSTEM, unit, 0, None),
        AccountSpec(ASSOCIATION_FEES, AccountKind.ASSOCIATION, unit, 0, None),
        AccountSpec(ASSOCIATION_BONUS, AccountKind.ASSOCIATION, unit, 0, None),
        AccountSpec(ASSOCIATION_DEMURRAGE, AccountKind.ASSOCIATION, unit, 0, None),
        _euro_asset(RESERVE_DIGITAL),
        _euro_asset(RESERVE_NOTES),
        _euro_asset(TRANSIT),
        _euro_asset(ASSOCIATION_OPERATING),
        # Losses and gains at till counts: an expense account, either sign.
        AccountSpec(ASSOCIATION_LOSSES, AccountKind.ASSOCIATION, EUR.code, None, None),
        AccountSpec(EXTERNAL, AccountKind.SYSTEM, EUR.code, None, None),
        # Income reads positive (credits), expenses negative; a correction may cross zero.
        *(
            AccountSpec(code, AccountKind.ASSOCIATION, EUR.code, None, None)
            for code in (*INCOME_ACCOUNTS, *EXPENSE_ACCOUNTS)
        ),
    ]
    for office in deployment.offices:
        specs.extend(_office_specs(office, unit))
    return tuple(specs)


def create_system_accounts(
    conn: Connection, deployment: Deployment, *, now: datetime
) -> list[Account]:
    """Register both currencies and open every system account not yet open.

    Safe to run again (after adding an office, say): accounts that exist are left alone.
    Returns the accounts opened by this call.
    """
    add_currency(conn, EUR)
    add_currency(conn, deployment.unit)
    return _open_missing(conn, system_account_specs(deployment), now=now)


def add_office(conn: Connection, deployment: Deployment, office: str, *, now: datetime) -> None:
    """Open the till and the note stock of a new exchange office (once)."""
    _check_office_id(office)
    _open_missing(conn, _office_specs(office, deployment.unit.code), now=now)


def _open_missing(
    conn: Connection, specs: tuple[AccountSpec, ...], *, now: datetime
) -> list[Account]:
    wanted = [spec.code for spec in specs]
    existing = set(
        conn.execute(select(accounts.c.code).where(accounts.c.code.in_(wanted))).scalars()
    )
    return [
        open_account(
            conn,
            spec.code,
            kind=spec.kind,
            currency=spec.currency,
            now=now,
            lower_limit=spec.lower_limit,
            upper_limit=spec.upper_limit,
        )
        for spec in specs
        if spec.code not in existing
    ]


def open_holder_account(
    conn: Connection,
    deployment: Deployment,
    code: str,
    *,
    kind: AccountKind,
    now: datetime,
    owner_ref: str | None = None,
    category: str | None = None,
    display_name: str | None = None,
) -> Account:
    """Open a member's, business's or authority's unit account under the deployment's limits.

    ``category`` selects a reconversion fee other than the kind's (a reduced rate for
    some businesses, say); it must be one the deployment prices. ``display_name`` is the
    name payers are shown ("Boulangerie Etchegaray"); without it they see the code.
    """
    if kind not in HOLDER_KINDS:
        raise InvalidRequest(f"a holder account is a member, business or authority, not {kind}")
    if category is not None and category not in deployment.reconversion_fees:
        raise InvalidRequest(f"the deployment sets no reconversion fee for category {category!r}")
    account = open_account(
        conn,
        code,
        kind=kind,
        currency=deployment.unit.code,
        now=now,
        owner_ref=owner_ref,
        lower_limit=0,
        upper_limit=deployment.max_balance.get(kind),
        display_name=display_name,
    )
    if category is not None:
        conn.execute(insert(account_categories).values(account_id=account.id, category=category))
    return account


def category_of(conn: Connection, account: Account) -> str:
    """The account's reconversion category: the one set on opening, else its kind."""
    category = conn.execute(
        select(account_categories.c.category).where(account_categories.c.account_id == account.id)
    ).scalar()
    return str(category) if category is not None else str(account.kind)


def _check_office_id(office: str) -> None:
    if not _OFFICE_ID.fullmatch(office):
        raise InvalidRequest(f"an office id is 1 to 40 letters, digits, '-' or '_': {office!r}")


def from_settings(settings: Settings, *, offices: tuple[str, ...] = ()) -> Deployment:
    """The deployment ``settings`` describe, with ``offices`` added to theirs.

    The one place where settings become rules, for the service and the CLI alike. Its
    rules are the base :func:`monnaie_locale.rules.in_force` starts from: once ``mlc init``
    recorded them in the database, the database's rules of the day apply instead.
    """
    return Deployment(
        unit=settings.currency,
        offices=tuple(dict.fromkeys((*settings.offices, *offices))),
        conversion_bonus_bps=settings.conversion_bonus_bps,
        reconversion_fees=dict(settings.reconversion_fees_bps),
        members_may_reconvert=settings.members_may_reconvert,
        authorities_may_reconvert=settings.authorities_may_reconvert,
        membership_fees={
            AccountKind(kind): MembershipFee(amount, settings.membership_period)
            for kind, amount in settings.membership_fees.items()
        },
        max_balance={AccountKind(kind): limit for kind, limit in settings.max_balances.items()},
        association_name=settings.association_name,
        reserve_iban=settings.reserve_iban,
        reserve_bic=settings.reserve_bic,
        zone=settings.zone,
        siren=settings.siren,
    )


_TILL_PREFIX, _TILL_SUFFIX = "office:", ":till"


def offices_in_books(conn: Connection) -> tuple[str, ...]:
    """The ids of the exchange offices whose till is open, in order."""
    codes = conn.execute(
        select(accounts.c.code)
        .where(accounts.c.kind == str(AccountKind.EXCHANGE_OFFICE))
        .where(accounts.c.code.like(f"{_TILL_PREFIX}%{_TILL_SUFFIX}"))
        .where(accounts.c.status != "closed")
        .order_by(accounts.c.code)
    ).scalars()
    return tuple(code[len(_TILL_PREFIX) : -len(_TILL_SUFFIX)] for code in codes)
