"""Who opens which account: the deployment's set-up, the association's operators, its
administrator.

Each hand opens its own accounts:

* the set-up (``mlc init``, ``mlc offices add``) opens the system accounts: issuance, the
  note stocks, ``reconversion:pending``, ``external``. The reserve report and the
  currency operations count on exactly those, so no one opens such an account one by one
  (:class:`KindOpenedBySetUp`);
* an association operator opens the accounts of members, businesses and authorities, in
  the local unit, under the deployment's limits
  (:func:`~monnaie_locale.deployment.open_holder_account`);
* the administrator may also open the association's own accounts and the exchange
  offices', in either currency, with limits of their own: what ``mlc accounts create``
  opens.

:class:`OpeningRights` writes these rules down once, for opening one account
(:func:`open_managed_account`) and for a CSV import line by line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert

from monnaie_locale.auth.errors import Forbidden
from monnaie_locale.auth.roles import Role
from monnaie_locale.deployment import HOLDER_KINDS, Deployment, open_holder_account
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.accounts import open_account
from monnaie_locale.model import Account, AccountKind
from monnaie_locale.rules import in_force
from monnaie_locale.store.tables_operations import account_categories

__all__ = [
    "ADMIN_RIGHTS",
    "NO_RIGHTS",
    "OPERATOR_RIGHTS",
    "SET_UP_KINDS",
    "KindOpenedBySetUp",
    "Limits",
    "OpeningForbidden",
    "OpeningRights",
    "default_limits",
    "open_managed_account",
    "rights_of",
]

# Kinds only the deployment's set-up opens.
SET_UP_KINDS = frozenset({AccountKind.SYSTEM})


class KindOpenedBySetUp(InvalidRequest):
    """Raised when asked to open a system account: the deployment's set-up opens those."""

    code = "kind_opened_by_set_up"

    def __init__(self, kind: AccountKind) -> None:
        super().__init__(
            f"{kind} accounts are opened by the deployment's set-up (mlc init, mlc offices "
            "add), never one by one; open a member, business, authority, association or "
            "exchange_office account"
        )
        self.kind = kind


class OpeningForbidden(Forbidden):
    """Raised when a role asks to open an account beyond its rights (see the module)."""

    code = "opening_forbidden"

    def __init__(self, role: Role, what: str) -> None:
        super().__init__(
            f"the {role} role opens member, business and authority accounts in the local "
            f"unit under the deployment's limits; {what} is for the administrator"
        )
        self.role = role
        self.what = what


@dataclass(frozen=True, slots=True)
class Limits:
    """An account's lowest and highest balance; ``None`` is no limit on that side."""

    lower: int | None
    upper: int | None


def default_limits(deployment: Deployment, kind: AccountKind) -> Limits:
    """No overdraft, and the deployment's highest balance for the kind (if it sets one)."""
    return Limits(lower=0, upper=deployment.max_balance.get(kind))


@dataclass(frozen=True, slots=True, kw_only=True)
class OpeningRights:
    """What a hand may open: which kinds, whether outside the local unit, with own limits."""

    kinds: frozenset[AccountKind]
    any_currency: bool
    own_limits: bool

    def overreach(
        self, deployment: Deployment, *, kind: AccountKind, currency: str, limits: Limits
    ) -> str | None:
        """What of the request these rights do not cover, in words, or ``None``."""
        if kind not in self.kinds:
            return f"opening a {kind} account"
        if not self.any_currency and currency != deployment.unit.code:
            return f"an account in {currency}"
        if not self.own_limits and limits != default_limits(deployment, kind):
            return "setting limits other than the deployment's"
        return None


ADMIN_RIGHTS = OpeningRights(
    kinds=frozenset(AccountKind) - SET_UP_KINDS, any_currency=True, own_limits=True
)
OPERATOR_RIGHTS = OpeningRights(kinds=HOLDER_KINDS, any_currency=False, own_limits=False)
NO_RIGHTS = OpeningRights(kinds=frozenset(), any_currency=False, own_limits=False)


def rights_of(role: Role) -> OpeningRights:
    """What ``role`` may open, over the API and on the command line alike."""
    if role is Role.ADMIN:
        return ADMIN_RIGHTS
    if role is Role.ASSOCIATION_OPERATOR:
        return OPERATOR_RIGHTS
    return NO_RIGHTS


def open_managed_account(
    conn: Connection,
    deployment: Deployment,
    code: str,
    *,
    kind: AccountKind,
    role: Role,
    now: datetime,
    currency: str | None = None,
    limits: Limits | None = None,
    owner_ref: str | None = None,
    display_name: str | None = None,
    category: str | None = None,
) -> Account:
    """Open an account as ``role`` may: in the local unit and under the deployment's
    limits unless ``currency`` or ``limits`` say otherwise.

    ``category`` (a reconversion fee category) goes with holder accounts only.
    """
    if kind in SET_UP_KINDS:
        raise KindOpenedBySetUp(kind)
    deployment = in_force(conn, deployment, on=now.date())
    currency = currency or deployment.unit.code
    usual = default_limits(deployment, kind)
    limits = limits or usual
    overreach = rights_of(role).overreach(deployment, kind=kind, currency=currency, limits=limits)
    if overreach is not None:
        raise OpeningForbidden(role, overreach)
    if kind in HOLDER_KINDS and currency == deployment.unit.code and limits == usual:
        return open_holder_account(
            conn,
            deployment,
            code,
            kind=kind,
            now=now,
            owner_ref=owner_ref,
            category=category,
            display_name=display_name,
        )
    if category is not None:
        _check_category(deployment, kind, category)
    account = open_account(
        conn,
        code,
        kind=kind,
        currency=currency,
        now=now,
        owner_ref=owner_ref,
        lower_limit=limits.lower,
        upper_limit=limits.upper,
        display_name=display_name,
    )
    if category is not None:
        conn.execute(insert(account_categories).values(account_id=account.id, category=category))
    return account


def _check_category(deployment: Deployment, kind: AccountKind, category: str) -> None:
    if kind not in HOLDER_KINDS:
        raise InvalidRequest(
            f"a reconversion category is for member, business and authority accounts, not {kind}"
        )
    if category not in deployment.reconversion_fees:
        raise InvalidRequest(f"the deployment sets no reconversion fee for category {category!r}")
