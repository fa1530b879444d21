"""The public directory: the businesses that take the currency, the offices that sell it.

Reading it needs no sign-in; a business's owner keeps its profile, the association any
profile and the offices' places. Each route calls its act
(:mod:`monnaie_locale.acts.directory`). None of these moves money, so none takes an
``Idempotency-Key``: a profile or a place is written whole, and writing it again comes
out the same.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import DatabaseDep, Public, acting
from api.problems import problem_responses
from api.schemas.common import ACCOUNT_CODE_PATTERN, TEXT_PATTERN
from api.schemas.directory import (
    BusinessListingOut,
    BusinessProfileIn,
    BusinessProfileOut,
    DirectoryOut,
    OfficePlaceIn,
    OfficePlaceOut,
    OfficePlacesOut,
)
from monnaie_locale.acting import Context
from monnaie_locale.acts import directory
from monnaie_locale.directory import MAX_CATEGORY, MAX_QUERY, MAX_RESULTS, MAX_TOWN

router = APIRouter(prefix="/v1", tags=["directory"])

Code = Annotated[str, Path(max_length=120, pattern=ACCOUNT_CODE_PATTERN, examples=["bakery"])]
OfficeId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$", examples=["gare"])]


@router.get(
    "/directory",
    dependencies=[Public],
    summary="The businesses that take the currency: search by name, category or town",
    description="Listed businesses of active accounts only, by name. Every word of q must "
    "be found in the name, the category or the town; case and accents are ignored "
    "(q=epicerie finds Épicerie). town and category keep those whose town or category is "
    "that one, whole.",
    responses=problem_responses(422),
)
def search(
    database: DatabaseDep,
    q: Annotated[
        str, Query(max_length=MAX_QUERY, pattern=TEXT_PATTERN, examples=["boulangerie"])
    ] = "",
    town: Annotated[
        str | None, Query(max_length=MAX_TOWN, pattern=TEXT_PATTERN, examples=["Bayonne"])
    ] = None,
    category: Annotated[
        str | None,
        Query(max_length=MAX_CATEGORY, pattern=TEXT_PATTERN, examples=["Boulangerie"]),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_RESULTS)] = 50,
) -> DirectoryOut:
    found = directory.search_businesses(database, q, town=town, category=category, limit=limit)
    return DirectoryOut(businesses=[BusinessListingOut.of(listing) for listing in found])


@router.get(
    "/directory/offices",
    dependencies=[Public],
    summary="The exchange offices: where to get the currency, and when",
    description="Every open office; address, town and hours are null until given.",
)
def offices(database: DatabaseDep) -> OfficePlacesOut:
    places = directory.list_office_places(database)
    return OfficePlacesOut(offices=[OfficePlaceOut.of(place) for place in places])


@router.get(
    "/accounts/{code}/profile",
    summary="A business's directory profile, listed or not (its owner, the association)",
    description="404 no_profile for a business account whose profile was never written; "
    "422 not_a_business for another kind's account.",
    responses=problem_responses(401, 403, 404, 422),
)
def get_profile(
    code: Code, ctx: Annotated[Context, acting(directory.get_business_profile)]
) -> BusinessProfileOut:
    return BusinessProfileOut.of(directory.get_business_profile(ctx, code))


@router.put(
    "/accounts/{code}/profile",
    summary="Write a business's directory profile, every field at once",
    description="The business's owner, for their own account, or the association. A field "
    "left out is cleared; listed defaults to true. 422 not_a_business for another kind's "
    "account.",
    responses=problem_responses(400, 401, 403, 404, 413, 422),
)
def put_profile(
    code: Code,
    body: BusinessProfileIn,
    ctx: Annotated[Context, acting(directory.set_business_profile)],
) -> BusinessProfileOut:
    profile = directory.set_business_profile(
        ctx,
        code,
        category=body.category,
        town=body.town,
        description=body.description,
        address=body.address,
        listed=body.listed,
    )
    return BusinessProfileOut.of(profile)


@router.put(
    "/offices/{office}/place",
    summary="Write where an exchange office is and when it opens, every field at once",
    description="404 unknown_record for an office that is not open.",
    responses=problem_responses(400, 401, 403, 404, 413, 422),
)
def put_place(
    office: OfficeId,
    body: OfficePlaceIn,
    ctx: Annotated[Context, acting(directory.set_office_place)],
) -> OfficePlaceOut:
    place = directory.set_office_place(
        ctx, office, address=body.address, town=body.town, hours=body.hours, name=body.name
    )
    return OfficePlaceOut.of(place)
