"""The currency's public directory: where to spend the currency, and where to get it.

A business account may have a profile (its category, its town, a short description, an
address line); a listed profile of an active account is shown to anyone, under the name
payers are shown (the account's display name, or its code). An exchange office may have a
place: its address, its town and its opening hours, as people write them.

Searching is forgiving: case and accents are ignored ("epicerie" finds "Épicerie"), and
every word of the query must be found in the name, the category or the town. The
forgiving form of each is written with the profile (:func:`normalise`), so the database
compares plain lower-case text on SQLite as on PostgreSQL; renaming an account rewrites
its profile's form too (:func:`follow_rename`).

The tables are :mod:`monnaie_locale.store.tables_directory`'s; who may change what is
:mod:`monnaie_locale.acts.directory`'s to say.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, delete, insert, select, update

from monnaie_locale.clock import as_utc
from monnaie_locale.errors import InvalidRequest, NotFound
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.model import Account, AccountKind, AccountStatus, check_plain_text
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_directory import business_profiles, office_places

__all__ = [
    "MAX_ADDRESS",
    "MAX_CATEGORY",
    "MAX_DESCRIPTION",
    "MAX_HOURS",
    "MAX_PLACE_NAME",
    "MAX_QUERY",
    "MAX_RESULTS",
    "MAX_TOWN",
    "BusinessListing",
    "BusinessProfile",
    "NoProfile",
    "NotABusiness",
    "OfficePlace",
    "ProfileFields",
    "follow_rename",
    "normalise",
    "office_places_of",
    "read_profile",
    "save_office_place",
    "save_profile",
    "search",
]

MAX_CATEGORY = 60
MAX_TOWN = 80
MAX_DESCRIPTION = 280
MAX_ADDRESS = 120
MAX_PLACE_NAME = 120
MAX_HOURS = 200
MAX_QUERY = 100
MAX_RESULTS = 200
# A query of more words than this is cut: a directory has a few hundred entries.
_MAX_WORDS = 8
# Letters no decomposition splits, written as a French reader types them.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d"})


class NotABusiness(InvalidRequest):
    """Raised when a directory profile is asked of an account that is not a business's."""

    code = "not_a_business"

    def __init__(self, account: str, kind: str) -> None:
        super().__init__(
            f"account {account!r} is a {kind} account: only a business account has a "
            "directory profile; name the business's account"
        )
        self.account = account
        self.kind = kind


class NoProfile(NotFound):
    """Raised when a business account's profile is asked for before it was ever written."""

    code = "no_profile"

    def __init__(self, account: str) -> None:
        super().__init__(
            f"business account {account!r} has no directory profile yet: write it first "
            "(its category and town at least)"
        )
        self.account = account


def normalise(text: str) -> str:
    """``text`` lower case, without accents, its spaces and dashes made single spaces.

    "Épicerie  Saint-Esprit" and "epicerie saint esprit" normalise alike.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    spaced = "".join(" " if c.isspace() or unicodedata.category(c) == "Pd" else c for c in plain)
    return " ".join(spaced.split())


@dataclass(frozen=True, slots=True)
class ProfileFields:
    """What a business says of itself: checked by :meth:`checked` before it is stored."""

    category: str
    town: str
    description: str | None = None
    address: str | None = None
    listed: bool = True

    def checked(self) -> ProfileFields:
        """These fields trimmed, an empty optional one made ``None``; :class:`InvalidRequest`
        for a missing category or town, a field too long, or text that is not one line."""
        if not isinstance(self.listed, bool):
            raise InvalidRequest("listed is true or false")
        return ProfileFields(
            category=_required(self.category, "category", MAX_CATEGORY),
            town=_required(self.town, "town", MAX_TOWN),
            description=_optional(self.description, "description", MAX_DESCRIPTION),
            address=_optional(self.address, "address", MAX_ADDRESS),
            listed=self.listed,
        )


@dataclass(frozen=True, slots=True)
class BusinessProfile:
    """A business's profile, as its owner and the association see it (listed or not)."""

    account: str
    name: str
    category: str
    town: str
    description: str | None
    address: str | None
    listed: bool
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class BusinessListing:
    """A business as anyone sees it in the directory."""

    account: str
    name: str
    category: str
    town: str
    description: str | None
    address: str | None


@dataclass(frozen=True, slots=True)
class OfficePlace:
    """An exchange office as anyone sees it; ``None`` where its place is not given yet."""

    office: str
    name: str
    address: str | None
    town: str | None
    hours: str | None


def _required(value: str, what: str, max_length: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequest(f"the {what} is required: give it as text")
    return check_plain_text(value.strip(), what, max_length=max_length)


def _optional(value: str | None, what: str, max_length: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidRequest(f"the {what} must be text")
    return check_plain_text(value.strip(), what, max_length=max_length) or None


def _business(conn: Connection, code: str) -> Account:
    account = get_account(conn, code)
    if account.kind is not AccountKind.BUSINESS:
        raise NotABusiness(code, str(account.kind))
    return account


def _shown_name(account: Account) -> str:
    return account.display_name or account.code


def _search_key(name: str, category: str, town: str) -> str:
    return " | ".join(normalise(part) for part in (name, category, town))


def save_profile(
    conn: Connection, code: str, fields: ProfileFields, *, by: str, now: datetime
) -> BusinessProfile:
    """Write the profile of business account ``code`` (all its fields at once).

    :class:`~monnaie_locale.errors.UnknownAccount` for no such account,
    :class:`NotABusiness` for another kind's, :class:`InvalidRequest` for a bad field;
    nothing is written then. A frozen or closed account keeps its profile, unshown.
    """
    given = fields.checked()
    account = _business(conn, code)
    values = {
        "category": given.category,
        "town": given.town,
        "description": given.description,
        "address": given.address,
        "listed": given.listed,
        "search_key": _search_key(_shown_name(account), given.category, given.town),
        "town_key": normalise(given.town),
        "category_key": normalise(given.category),
        "updated_at": now,
        "updated_by": by,
    }
    changed = conn.execute(
        update(business_profiles)
        .where(business_profiles.c.account_id == account.id)
        .values(**values)
    ).rowcount
    if not changed:
        conn.execute(insert(business_profiles).values(account_id=account.id, **values))
    saved = read_profile(conn, code)
    assert saved is not None  # written just above
    return saved


def read_profile(conn: Connection, code: str) -> BusinessProfile | None:
    """The profile of business account ``code``, listed or not; ``None`` if it has none."""
    account = _business(conn, code)
    row = conn.execute(
        select(business_profiles).where(business_profiles.c.account_id == account.id)
    ).first()
    if row is None:
        return None
    return BusinessProfile(
        account=account.code,
        name=_shown_name(account),
        category=row.category,
        town=row.town,
        description=row.description,
        address=row.address,
        listed=bool(row.listed),
        updated_at=as_utc(row.updated_at),
    )


def follow_rename(conn: Connection, account: Account) -> None:
    """Rewrite the searchable form of ``account``'s profile after its name changed."""
    row = conn.execute(
        select(business_profiles.c.category, business_profiles.c.town).where(
            business_profiles.c.account_id == account.id
        )
    ).first()
    if row is not None:
        conn.execute(
            update(business_profiles)
            .where(business_profiles.c.account_id == account.id)
            .values(search_key=_search_key(_shown_name(account), row.category, row.town))
        )


def _like(word: str) -> str:
    """``word`` as a LIKE pattern matching it anywhere, its wildcards taken literally."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(
    conn: Connection,
    query: str = "",
    *,
    town: str | None = None,
    category: str | None = None,
    limit: int = 50,
) -> list[BusinessListing]:
    """The listed businesses of active accounts whose name, category or town holds every
    word of ``query``, in ``town`` and ``category`` when given (each compared whole, case
    and accents aside), by name; at most ``limit`` (1 to :data:`MAX_RESULTS`)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_RESULTS:
        raise InvalidRequest(f"the limit is a number from 1 to {MAX_RESULTS}")
    words = normalise(check_plain_text(query, "query", max_length=MAX_QUERY)).split()
    conditions = [
        business_profiles.c.listed == True,  # noqa: E712 (SQL, not Python)
        accounts.c.kind == str(AccountKind.BUSINESS),
        accounts.c.status == str(AccountStatus.ACTIVE),
    ]
    conditions += [
        business_profiles.c.search_key.like(_like(word), escape="\\") for word in words[:_MAX_WORDS]
    ]
    if town is not None:
        conditions.append(
            business_profiles.c.town_key
            == normalise(check_plain_text(town, "town", max_length=MAX_TOWN))
        )
    if category is not None:
        conditions.append(
            business_profiles.c.category_key
            == normalise(check_plain_text(category, "category", max_length=MAX_CATEGORY))
        )
    rows = conn.execute(
        select(
            accounts.c.code,
            accounts.c.display_name,
            business_profiles.c.category,
            business_profiles.c.town,
            business_profiles.c.description,
            business_profiles.c.address,
        )
        .select_from(
            business_profiles.join(accounts, accounts.c.id == business_profiles.c.account_id)
        )
        .where(and_(*conditions))
        .order_by(business_profiles.c.search_key, accounts.c.code)
        .limit(limit)
    ).all()
    return [
        BusinessListing(
            account=row.code,
            name=row.display_name or row.code,
            category=row.category,
            town=row.town,
            description=row.description,
            address=row.address,
        )
        for row in rows
    ]


def save_office_place(
    conn: Connection,
    office: str,
    *,
    address: str,
    town: str,
    hours: str,
    name: str | None = None,
    by: str,
    now: datetime,
) -> OfficePlace:
    """Write where office ``office`` is and when it opens (all at once); the office is
    the caller's to have checked. :class:`InvalidRequest` for a bad field, writing nothing."""
    values = {
        "name": _optional(name, "name", MAX_PLACE_NAME),
        "address": _required(address, "address", MAX_ADDRESS),
        "town": _required(town, "town", MAX_TOWN),
        "hours": _required(hours, "hours", MAX_HOURS),
        "updated_at": now,
        "updated_by": by,
    }
    conn.execute(delete(office_places).where(office_places.c.office == office))
    conn.execute(insert(office_places).values(office=office, **values))
    return office_places_of(conn, (office,))[0]


def office_places_of(conn: Connection, offices: tuple[str, ...]) -> list[OfficePlace]:
    """The places of ``offices``, in that order; an office with none given reads ``None``."""
    rows = {
        row.office: row
        for row in conn.execute(
            select(office_places).where(office_places.c.office.in_(offices))
        ).all()
    }
    places = []
    for office in offices:
        row = rows.get(office)
        places.append(
            OfficePlace(
                office=office,
                name=(row.name if row is not None and row.name else office),
                address=row.address if row is not None else None,
                town=row.town if row is not None else None,
                hours=row.hours if row is not None else None,
            )
        )
    return places
