"""The acts of the public directory: who writes a business's profile or an office's place,
what anyone finds in it. Each refusal is checked on the act, the API and ``mlc``, and must
leave the directory as it was (see :mod:`tests.acts.edges`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from monnaie_locale.acts import accounts, directory
from monnaie_locale.auth import Role
from monnaie_locale.auth.errors import NotYourAccount, RoleForbidden
from monnaie_locale.directory import NoProfile, NotABusiness, normalise
from monnaie_locale.errors import InvalidRequest, UnknownAccount
from monnaie_locale.model import AccountKind
from monnaie_locale.operations.errors import UnknownRecord
from tests.api.operations_support import OFFICE

if TYPE_CHECKING:
    # Imported by pytest as a plugin (below): imported here too, it would not be rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

OPERATOR, OWNER = Role.ASSOCIATION_OPERATOR, Role.MERCHANT_OWNER
GROCERY = {"category": "Épicerie fine", "town": "Bayonne", "address": "4 rue Pannecau"}
BOOKS = {"category": "Librairie", "town": "Biarritz", "description": "Livres basques"}


def _listed(fronts: Fronts, query: str = "", **filters: Any) -> list[str]:
    found = directory.search_businesses(fronts.database, query, **filters)
    return [listing.account for listing in found]


@pytest.fixture
def shops(fronts: Fronts) -> Fronts:
    """bakery (held by the owner) an épicerie in Bayonne, bookshop a librairie in Biarritz."""
    operator = fronts.context(OPERATOR)
    accounts.open_account(
        operator, "bookshop", kind=AccountKind.BUSINESS, display_name="Librairie Zazpi"
    )
    accounts.rename(operator, "bakery", "Épicerie Etxea")
    directory.set_business_profile(fronts.context(OWNER), "bakery", **GROCERY)
    directory.set_business_profile(operator, "bookshop", **BOOKS)
    return fronts


def test_the_search_form_drops_case_accents_and_dashes() -> None:
    assert normalise("  Épicerie   Saint-Esprit ") == "epicerie saint esprit"
    assert normalise("Œufs & CAFÉ") == "oeufs & cafe"
    assert normalise("Ça") == normalise("ca")


def test_a_search_without_accents_finds_the_accented_name_and_category(shops: Fronts) -> None:
    assert _listed(shops, "epicerie") == ["bakery"]
    assert _listed(shops, "EPICERIE bayonne") == ["bakery"]
    assert _listed(shops, "zazpi") == ["bookshop"]
    # Every word must be found: one that is nowhere finds nothing.
    assert _listed(shops, "epicerie biarritz") == []
    assert _listed(shops, "boucherie") == []
    # A wildcard typed is a character looked for, not "anything".
    assert _listed(shops, "%") == []
    assert _listed(shops, "_") == []
    assert sorted(_listed(shops)) == ["bakery", "bookshop"]


def test_what_anyone_sees_of_a_business(shops: Fronts) -> None:
    (seen,) = directory.search_businesses(shops.database, "fine")
    assert (seen.account, seen.name, seen.category, seen.town) == (
        "bakery",
        "Épicerie Etxea",
        "Épicerie fine",
        "Bayonne",
    )
    assert (seen.address, seen.description) == ("4 rue Pannecau", None)


def test_the_town_and_category_filters_take_the_whole_word(shops: Fronts) -> None:
    assert _listed(shops, town="biarritz") == ["bookshop"]
    assert _listed(shops, town="BAYONNE") == ["bakery"]
    assert _listed(shops, town="Bayon") == []
    assert _listed(shops, category="epicerie fine") == ["bakery"]
    assert _listed(shops, "librairie", town="Bayonne") == []


def test_an_unlisted_business_is_not_shown_but_its_owner_reads_it(shops: Fronts) -> None:
    directory.set_business_profile(shops.context(OWNER), "bakery", **GROCERY, listed=False)
    assert _listed(shops) == ["bookshop"]
    kept = directory.get_business_profile(shops.context(OWNER), "bakery")
    assert (kept.listed, kept.category, kept.address) == (False, "Épicerie fine", "4 rue Pannecau")


def test_a_frozen_or_closed_business_is_not_shown(shops: Fronts) -> None:
    operator = shops.context(OPERATOR)
    accounts.freeze(operator, "bookshop")
    assert _listed(shops) == ["bakery"]
    accounts.unfreeze(operator, "bookshop")
    assert sorted(_listed(shops)) == ["bakery", "bookshop"]
    accounts.close(operator, "bookshop")  # empty: it closes
    assert _listed(shops) == ["bakery"]


def test_a_renamed_business_is_found_by_its_new_name(shops: Fronts) -> None:
    accounts.rename(shops.context(OPERATOR), "bakery", "Maison Érrecart")
    assert _listed(shops, "errecart") == ["bakery"]
    assert _listed(shops, "etxea") == []
    accounts.rename(shops.context(OPERATOR), "bakery", None)  # the code is shown again
    assert _listed(shops, "bakery") == ["bakery"]


def test_the_owner_writes_their_profile_whole_and_the_command_says_so(shops: Fronts) -> None:
    result = shops.mlc(
        "directory", "set-profile", "bakery", "--category", "Boulangerie", "--town", "Anglet",
        actor="baker",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Boulangerie" in result.output and "Anglet" in result.output
    profile = directory.get_business_profile(shops.context(OWNER), "bakery")
    # Written whole: the address not given again is cleared.
    assert (profile.category, profile.town, profile.address, profile.listed) == (
        "Boulangerie",
        "Anglet",
        None,
        True,
    )


def test_the_owner_of_another_shop_is_refused(shops: Fronts) -> None:
    before = directory.get_business_profile(shops.context(OPERATOR), "bookshop")
    error = shops.refused(
        OWNER,
        lambda ctx: directory.set_business_profile(ctx, "bookshop", category="X", town="Y"),
        status=403,
        api=lambda: shops.ops.client.put(
            "/v1/accounts/bookshop/profile",
            json={"category": "X", "town": "Y"},
            headers=shops.ops.auth(OWNER),
        ),
        cli=["directory", "set-profile", "bookshop", "--category", "X", "--town", "Y"],
    )
    assert isinstance(error, NotYourAccount)
    assert directory.get_business_profile(shops.context(OPERATOR), "bookshop") == before
    with pytest.raises(NotYourAccount):
        directory.get_business_profile(shops.context(OWNER), "bookshop")


@pytest.mark.parametrize("role", [Role.MEMBER, Role.MERCHANT_CASHIER, Role.OFFICE_OPERATOR])
def test_a_member_a_cashier_and_an_office_operator_write_no_profile(
    shops: Fronts, role: Role
) -> None:
    error = shops.refused(
        role,
        lambda ctx: directory.set_business_profile(ctx, "bakery", category="X", town="Y"),
        status=403,
        api=lambda: shops.ops.client.put(
            "/v1/accounts/bakery/profile",
            json={"category": "X", "town": "Y"},
            headers=shops.ops.auth(role),
        ),
        cli=["directory", "set-profile", "bakery", "--category", "X", "--town", "Y"],
    )
    assert isinstance(error, RoleForbidden)
    with pytest.raises(RoleForbidden):
        directory.get_business_profile(shops.context(role), "bakery")


def test_an_operator_writes_any_business_profile(shops: Fronts) -> None:
    result = shops.mlc(
        "directory", "set-profile", "bookshop", "--category", "Librairie", "--town", "Biarritz",
        "--description", "Livres et cartes", "--unlisted", actor="assoc",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    profile = directory.get_business_profile(shops.context(OPERATOR), "bookshop")
    assert (profile.description, profile.listed) == ("Livres et cartes", False)
    assert _listed(shops) == ["bakery"]


@pytest.mark.parametrize(
    ("fields", "flags"),
    [
        ({"category": "x" * 61, "town": "Bayonne"}, ["--category", "x" * 61, "--town", "B"]),
        ({"category": "Café", "town": "y" * 81}, ["--category", "Café", "--town", "y" * 81]),
        (
            {"category": "Café", "town": "Bayonne", "description": "z" * 281},
            ["--category", "Café", "--town", "Bayonne", "--description", "z" * 281],
        ),
        (
            {"category": "Café", "town": "Bayonne", "address": "a" * 121},
            ["--category", "Café", "--town", "Bayonne", "--address", "a" * 121],
        ),
        ({"category": "  ", "town": "Bayonne"}, ["--category", "  ", "--town", "Bayonne"]),
        ({"category": "Café\nBar", "town": "Bayonne"}, ["--category", "Café\nBar", "--town", "B"]),
    ],
)
def test_a_bad_field_is_refused_and_nothing_changes(
    shops: Fronts, fields: dict[str, str], flags: list[str]
) -> None:
    before = directory.get_business_profile(shops.context(OPERATOR), "bakery")
    error = shops.refused(
        OPERATOR,
        lambda ctx: directory.set_business_profile(ctx, "bakery", **fields),
        status=422,
        cli=["directory", "set-profile", "bakery", *flags],
    )
    assert isinstance(error, InvalidRequest)
    assert directory.get_business_profile(shops.context(OPERATOR), "bakery") == before


def test_an_unknown_account_is_refused(shops: Fronts) -> None:
    error = shops.refused(
        OPERATOR,
        lambda ctx: directory.set_business_profile(ctx, "nobody", category="X", town="Y"),
        status=404,
        api=lambda: shops.ops.client.put(
            "/v1/accounts/nobody/profile",
            json={"category": "X", "town": "Y"},
            headers=shops.ops.auth(OPERATOR),
        ),
        cli=["directory", "set-profile", "nobody", "--category", "X", "--town", "Y"],
    )
    assert isinstance(error, UnknownAccount)


def test_a_member_or_authority_account_has_no_profile(shops: Fronts) -> None:
    for account in ("alice", "town"):
        error = shops.refused(
            OPERATOR,
            lambda ctx, code=account: directory.set_business_profile(
                ctx, code, category="X", town="Y"
            ),
            status=422,
            api=lambda code=account: shops.ops.client.put(
                f"/v1/accounts/{code}/profile",
                json={"category": "X", "town": "Y"},
                headers=shops.ops.auth(OPERATOR),
            ),
            cli=["directory", "set-profile", account, "--category", "X", "--town", "Y"],
        )
        assert isinstance(error, NotABusiness)
        assert "business" in error.message
    with pytest.raises(NotABusiness):
        directory.get_business_profile(shops.context(OPERATOR), "alice")


def test_a_business_without_a_profile_is_not_listed_and_says_so(fronts: Fronts) -> None:
    assert _listed(fronts) == []
    with pytest.raises(NoProfile):
        directory.get_business_profile(fronts.context(OWNER), "bakery")


def test_an_operator_gives_an_office_its_place_and_anyone_reads_it(fronts: Fronts) -> None:
    result = fronts.mlc(
        "directory", "set-office", OFFICE, "--address", "Place de la gare", "--town", "Bayonne",
        "--hours", "lun.–ven. 9h–12h", "--name", "Comptoir de la gare", actor="assoc",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    places = {place.office: place for place in directory.list_office_places(fronts.database)}
    assert set(places) == {OFFICE, "port"}
    gare = places[OFFICE]
    assert (gare.name, gare.address, gare.town, gare.hours) == (
        "Comptoir de la gare",
        "Place de la gare",
        "Bayonne",
        "lun.–ven. 9h–12h",
    )
    # An office without a place is shown under its id, with nothing else yet.
    port = places["port"]
    assert (port.name, port.address, port.town, port.hours) == ("port", None, None, None)
    shown = fronts.mlc("directory", "offices", actor=None)
    assert shown.exit_code == 0, shown.output
    assert "Comptoir de la gare" in shown.output and "9h–12h" in shown.output


def test_only_the_association_places_an_office(fronts: Fronts) -> None:
    for role in (Role.OFFICE_OPERATOR, Role.MERCHANT_OWNER, Role.AUDITOR):
        error = fronts.refused(
            role,
            lambda ctx: directory.set_office_place(
                ctx, OFFICE, address="A", town="T", hours="H"
            ),
            status=403,
            api=lambda role=role: fronts.ops.client.put(
                f"/v1/offices/{OFFICE}/place",
                json={"address": "A", "town": "T", "hours": "H"},
                headers=fronts.ops.auth(role),
            ),
            cli=["directory", "set-office", OFFICE, "--address", "A", "--town", "T",
                 "--hours", "H"],
        )  # fmt: skip
        assert isinstance(error, RoleForbidden)


def test_an_unknown_office_or_bad_hours_are_refused(fronts: Fronts) -> None:
    error = fronts.refused(
        OPERATOR,
        lambda ctx: directory.set_office_place(ctx, "nowhere", address="A", town="T", hours="H"),
        status=404,
        api=lambda: fronts.ops.client.put(
            "/v1/offices/nowhere/place",
            json={"address": "A", "town": "T", "hours": "H"},
            headers=fronts.ops.auth(OPERATOR),
        ),
        cli=["directory", "set-office", "nowhere", "--address", "A", "--town", "T",
             "--hours", "H"],
    )  # fmt: skip
    assert isinstance(error, UnknownRecord)
    error = fronts.refused(
        OPERATOR,
        lambda ctx: directory.set_office_place(
            ctx, OFFICE, address="A", town="T", hours="h" * 201
        ),
        status=422,
        cli=["directory", "set-office", OFFICE, "--address", "A", "--town", "T",
             "--hours", "h" * 201],
    )  # fmt: skip
    assert isinstance(error, InvalidRequest)
    assert directory.list_office_places(fronts.database)[0].address is None


def test_the_command_lists_what_anyone_sees_without_a_user(shops: Fronts) -> None:
    result = shops.mlc("directory", "list", "epicerie", actor=None)
    assert result.exit_code == 0, result.output
    assert "Épicerie Etxea" in result.output and "4 rue Pannecau" in result.output
    assert "Zazpi" not in result.output
    by_town = shops.mlc("directory", "list", "--town", "biarritz", actor=None)
    assert "Librairie Zazpi" in by_town.output and "Etxea" not in by_town.output
    nothing = shops.mlc("directory", "list", "boucherie", actor=None)
    assert nothing.exit_code == 0 and "No business" in nothing.output
    french = shops.mlc("directory", "list", "--help", lang="fr", actor=None)
    assert "sans égard aux majuscules ni aux accents" in french.output
