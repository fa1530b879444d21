"""The public directory: the businesses that take the currency, the offices that sell it.

Anyone reads the directory, signed in or not: the listed businesses of active accounts
and the open exchange offices, with what their keepers chose to show
(:mod:`monnaie_locale.directory`). A business's owner keeps its profile; the association
keeps any, and the offices' places.

=====================  =================================================================
Act                    Who may do it
=====================  =================================================================
search_businesses      anyone, without an actor: the listed businesses of active
                       accounts, searched by name, category or town
list_office_places     anyone, without an actor: every open exchange office, with its
                       address, town and hours where given
set_business_profile   a business's owner, for an account they hold; the association's
                       operators and administrators, for any business account
get_business_profile   the same, listed or not
set_office_place       the association's operators and administrators
=====================  =================================================================
"""

from __future__ import annotations

from sqlalchemy import Connection

from monnaie_locale import directory
from monnaie_locale.acting import Context, act
from monnaie_locale.auth.roles import OPERATORS, Role
from monnaie_locale.deployment import offices_in_books
from monnaie_locale.directory import (
    BusinessListing,
    BusinessProfile,
    NoProfile,
    NotABusiness,
    OfficePlace,
    ProfileFields,
)
from monnaie_locale.operations.errors import UnknownRecord
from monnaie_locale.store.database import Database

__all__ = [
    "PROFILE_KEEPERS",
    "BusinessListing",
    "BusinessProfile",
    "NoProfile",
    "NotABusiness",
    "OfficePlace",
    "ProfileFields",
    "get_business_profile",
    "list_office_places",
    "search_businesses",
    "set_business_profile",
    "set_office_place",
]

# A shop's owner speaks for their shop; the association for every one.
PROFILE_KEEPERS = (Role.MERCHANT_OWNER, *OPERATORS)


def search_businesses(
    database: Database,
    query: str = "",
    *,
    town: str | None = None,
    category: str | None = None,
    limit: int = 50,
) -> list[BusinessListing]:
    """The listed businesses of active accounts matching every word of ``query`` in their
    name, category or town (case and accents aside), in ``town`` and ``category`` if given.

    No actor: the directory is public, and shows only what its businesses chose to list.
    """
    return database.read(
        lambda conn: directory.search(conn, query, town=town, category=category, limit=limit)
    )


def list_office_places(database: Database) -> list[OfficePlace]:
    """Every open exchange office, in order, with its place where one is given. No actor."""

    def read(conn: Connection) -> list[OfficePlace]:
        return directory.office_places_of(conn, offices_in_books(conn))

    return database.read(read)


@act(*PROFILE_KEEPERS)
def set_business_profile(
    ctx: Context,
    account: str,
    *,
    category: str,
    town: str,
    description: str | None = None,
    address: str | None = None,
    listed: bool = True,
) -> BusinessProfile:
    """Write the directory profile of business ``account``, every field at once.

    The holder's right is checked before the account is looked up, so an owner cannot
    probe which codes exist; then :class:`~monnaie_locale.errors.UnknownAccount`,
    :class:`NotABusiness` and :class:`~monnaie_locale.errors.InvalidRequest` refuse what
    cannot be a profile, writing nothing.
    """
    ctx.actor.check_move_from(account)
    fields = ProfileFields(
        category=category, town=town, description=description, address=address, listed=listed
    ).checked()
    by = ctx.actor.name
    return ctx.write(
        lambda conn: directory.save_profile(conn, account, fields, by=by, now=ctx.clock())
    )


@act(*PROFILE_KEEPERS)
def get_business_profile(ctx: Context, account: str) -> BusinessProfile:
    """The directory profile of business ``account``, listed or not; :class:`NoProfile` if
    it has none yet."""
    ctx.actor.check_move_from(account)
    profile = ctx.read(lambda conn: directory.read_profile(conn, account))
    if profile is None:
        raise NoProfile(account)
    return profile


@act(*OPERATORS)
def set_office_place(
    ctx: Context,
    office: str,
    *,
    address: str,
    town: str,
    hours: str,
    name: str | None = None,
) -> OfficePlace:
    """Write where exchange office ``office`` is and when it opens, every field at once.

    :class:`~monnaie_locale.operations.errors.UnknownRecord` for an office that is not
    open (never opened, or closed for good), writing nothing.
    """
    by = ctx.actor.name

    def work(conn: Connection) -> OfficePlace:
        if office not in offices_in_books(conn):
            raise UnknownRecord("office", office)
        return directory.save_office_place(
            conn, office, address=address, town=town, hours=hours, name=name, by=by,
            now=ctx.clock(),
        )  # fmt: skip

    return ctx.write(work)
