"""The public directory's requests and answers: businesses' profiles, offices' places."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, ConfigDict, Field, StrictBool

from api.schemas.common import TEXT_PATTERN, RequestBody, ResponseBody
from monnaie_locale.directory import (
    MAX_ADDRESS,
    MAX_CATEGORY,
    MAX_DESCRIPTION,
    MAX_HOURS,
    MAX_PLACE_NAME,
    MAX_TOWN,
    BusinessListing,
    BusinessProfile,
    OfficePlace,
)

__all__ = [
    "BusinessListingOut",
    "BusinessProfileIn",
    "BusinessProfileOut",
    "DirectoryOut",
    "OfficePlaceIn",
    "OfficePlaceOut",
    "OfficePlacesOut",
]


def _text(max_length: int, example: str) -> object:
    return Field(min_length=1, max_length=max_length, pattern=TEXT_PATTERN, examples=[example])


Category = Annotated[str, _text(MAX_CATEGORY, "Boulangerie")]
Town = Annotated[str, _text(MAX_TOWN, "Bayonne")]
Description = Annotated[str, _text(MAX_DESCRIPTION, "Pain au levain, cuit au feu de bois.")]
Address = Annotated[str, _text(MAX_ADDRESS, "12 rue d'Espagne")]
PlaceName = Annotated[str, _text(MAX_PLACE_NAME, "Comptoir de la gare")]
Hours = Annotated[str, _text(MAX_HOURS, "lun.–ven. 9h–12h, 14h–18h ; sam. 9h–12h")]


class BusinessProfileIn(RequestBody):
    """A business's whole profile: a field left out is cleared (category and town aside)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "category": "Boulangerie",
                    "town": "Bayonne",
                    "description": "Pain au levain, cuit au feu de bois.",
                    "address": "12 rue d'Espagne",
                    "listed": True,
                }
            ]
        },
    )

    category: Category = Field(description="What the business is, as people look for it.")
    town: Town
    description: Description | None = None
    address: Address | None = None
    listed: StrictBool = Field(
        default=True, description="Shown in the public directory (false: kept, not shown)."
    )


class BusinessProfileOut(ResponseBody):
    account: str = Field(examples=["bakery"])
    name: str = Field(description="The name payers are shown.", examples=["Boulangerie"])
    category: str
    town: str
    description: str | None
    address: str | None
    listed: bool
    updated_at: AwareDatetime

    @classmethod
    def of(cls, profile: BusinessProfile) -> BusinessProfileOut:
        return cls(
            account=profile.account,
            name=profile.name,
            category=profile.category,
            town=profile.town,
            description=profile.description,
            address=profile.address,
            listed=profile.listed,
            updated_at=profile.updated_at,
        )


class BusinessListingOut(ResponseBody):
    account: str = Field(description="The account to pay.", examples=["bakery"])
    name: str = Field(examples=["Boulangerie Etchegaray"])
    category: str = Field(examples=["Boulangerie"])
    town: str = Field(examples=["Bayonne"])
    description: str | None
    address: str | None

    @classmethod
    def of(cls, listing: BusinessListing) -> BusinessListingOut:
        return cls(
            account=listing.account,
            name=listing.name,
            category=listing.category,
            town=listing.town,
            description=listing.description,
            address=listing.address,
        )


class DirectoryOut(ResponseBody):
    businesses: list[BusinessListingOut]


class OfficePlaceIn(RequestBody):
    """Where an office is and when it opens, all at once; a name left out shows its id."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "name": "Comptoir de la gare",
                    "address": "Place de la gare",
                    "town": "Bayonne",
                    "hours": "lun.–ven. 9h–12h, 14h–18h ; sam. 9h–12h",
                }
            ]
        },
    )

    name: PlaceName | None = None
    address: Address
    town: Town
    hours: Hours = Field(description="The opening hours, as people write them.")


class OfficePlaceOut(ResponseBody):
    office: str = Field(examples=["gare"])
    name: str = Field(examples=["Comptoir de la gare"])
    address: str | None = Field(description="null: not given yet.")
    town: str | None
    hours: str | None

    @classmethod
    def of(cls, place: OfficePlace) -> OfficePlaceOut:
        return cls(
            office=place.office,
            name=place.name,
            address=place.address,
            town=place.town,
            hours=place.hours,
        )


class OfficePlacesOut(ResponseBody):
    offices: list[OfficePlaceOut]
