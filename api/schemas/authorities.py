"""Local authorities' requests and answers: the authority, its régies, the convention's
versions, the tariffs and the duties. Amounts are decimal strings (:mod:`api.schemas.money`);
a reconversion fee is a percentage written as text ("0", "1,5")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, ConfigDict, Field, StrictBool

from api.schemas.common import TEXT_PATTERN, IsoDate, JsonInt, RequestBody, ResponseBody
from api.schemas.money import AmountIn, AmountOut, amount_out, optional_amount_out
from monnaie_locale.acts.authorities import AuthorityView
from monnaie_locale.authorities.registry import Authority, Convention, Regie, Tariff
from monnaie_locale.authorities.staff import DutyHeld

__all__ = [
    "AuthorityDetailOut",
    "AuthorityIn",
    "AuthorityOut",
    "ConventionIn",
    "ConventionOut",
    "DutyIn",
    "DutyOut",
    "RegieIn",
    "RegieOut",
    "TariffIn",
    "TariffOut",
]

# A code, as in a path: lower-case letters, digits and dashes.
CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{0,59}$"
Code = Annotated[str, Field(pattern=CODE_PATTERN, examples=["bayonne"])]
FEE_PATTERN = r"^(100|[0-9]{1,2})([.,][0-9]{1,2})?$"


def _example(**body: Any) -> ConfigDict:
    return ConfigDict(extra="forbid", frozen=True, json_schema_extra={"examples": [body]})


def _text(max_length: int, example: str) -> object:
    return Field(min_length=1, max_length=max_length, pattern=TEXT_PATTERN, examples=[example])


Kind = Literal["commune", "epci", "departement", "region", "other"]
DutyName = Literal["regisseur", "mandataire", "finance", "ordonnateur", "comptable"]


class AuthorityIn(RequestBody):
    """A local authority, where its régies pay in, and whether it has an account of its own."""

    model_config = _example(
        code="bayonne",
        name="Ville de Bayonne",
        kind="commune",
        treasury_name="Trésorerie de Bayonne",
        treasury_iban="FR7630001007941234567890185",
        own_account=True,
    )

    code: Code
    name: Annotated[str, _text(200, "Ville de Bayonne")]
    kind: Kind
    treasury_name: Annotated[str, _text(140, "Trésorerie de Bayonne")]
    treasury_iban: Annotated[str, Field(min_length=1, max_length=50)]
    treasury_bic: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    own_account: StrictBool = False


class AuthorityOut(ResponseBody):
    code: str
    name: str
    kind: str
    account: str | None
    treasury_name: str
    treasury_iban: str
    treasury_bic: str | None

    @classmethod
    def of(cls, authority: Authority) -> AuthorityOut:
        return cls(
            code=authority.code,
            name=authority.name,
            kind=authority.kind,
            account=authority.account,
            treasury_name=authority.treasury_name,
            treasury_iban=authority.treasury_iban,
            treasury_bic=authority.treasury_bic,
        )


class RegieIn(RequestBody):
    """A régie of the authority: its account is opened with it."""

    model_config = _example(code="bayonne-piscine", name="Piscine municipale", cash_cap="1000.00")

    code: Code
    name: Annotated[str, _text(200, "Piscine municipale")]
    cash_cap: AmountIn
    names_payers: StrictBool = False


class RegieOut(ResponseBody):
    code: str
    name: str
    authority: str
    account: str
    cash_cap: AmountOut
    names_payers: bool

    @classmethod
    def of(cls, regie: Regie) -> RegieOut:
        return cls(
            code=regie.code,
            name=regie.name,
            authority=regie.authority,
            account=regie.account,
            cash_cap=amount_out(regie.cash_cap),
            names_payers=regie.names_payers,
        )


class ConventionIn(RequestBody):
    """A new version of the convention, in force from ``effective_from``."""

    model_config = _example(
        effective_from="2026-01-01",
        reconversion_fee="0",
        payin_days=30,
        may_spend=True,
        reference="Délibération 2025-112",
    )

    effective_from: IsoDate
    reconversion_fee: Annotated[
        str,
        Field(pattern=FEE_PATTERN, description="A percentage, such as 0 or 1,5", examples=["0"]),
    ]
    payin_days: JsonInt = Field(ge=1, le=31)
    cash_cap: AmountIn | None = None
    may_spend: StrictBool = False
    reference: Annotated[str, Field(max_length=500, pattern=TEXT_PATTERN)] = ""


class ConventionOut(ResponseBody):
    effective_from: date
    reconversion_fee_bps: int
    payin_days: int
    cash_cap: AmountOut | None
    may_spend: bool
    reference: str
    created_at: datetime
    created_by: str

    @classmethod
    def of(cls, convention: Convention) -> ConventionOut:
        return cls(
            effective_from=convention.effective_from,
            reconversion_fee_bps=convention.reconversion_fee_bps,
            payin_days=convention.payin_days,
            cash_cap=optional_amount_out(convention.cash_cap),
            may_spend=convention.may_spend,
            reference=convention.reference,
            created_at=convention.created_at,
            created_by=convention.created_by,
        )


class AuthorityDetailOut(AuthorityOut):
    regies: list[RegieOut]
    convention: ConventionOut | None  # the version in force today

    @classmethod
    def of_view(cls, view: AuthorityView) -> AuthorityDetailOut:
        return cls(
            **AuthorityOut.of(view.authority).model_dump(),
            regies=[RegieOut.of(regie) for regie in view.regies],
            convention=None if view.convention is None else ConventionOut.of(view.convention),
        )


class TariffIn(RequestBody):
    model_config = _example(label="Entrée piscine, plein tarif", amount="4.50")

    label: Annotated[str, _text(120, "Entrée piscine, plein tarif")]
    amount: AmountIn


class TariffOut(ResponseBody):
    id: int
    label: str
    amount: AmountOut

    @classmethod
    def of(cls, tariff: Tariff) -> TariffOut:
        return cls(id=tariff.id, label=tariff.label, amount=amount_out(tariff.amount))


class DutyIn(RequestBody):
    """A duty for a user with the role authority_agent: at a régie for a régisseur or a
    mandataire, town-wide for the others."""

    model_config = _example(username="lea", duty="regisseur", regie="bayonne-piscine")

    username: Annotated[str, Field(min_length=1, max_length=200)]
    duty: DutyName
    regie: Code | None = None


class DutyOut(ResponseBody):
    id: int
    username: str
    authority: str
    regie: str | None
    duty: str
    granted_at: AwareDatetime

    @classmethod
    def of(cls, duty: DutyHeld) -> DutyOut:
        return cls(
            id=duty.id,
            username=duty.username,
            authority=duty.authority,
            regie=duty.regie,
            duty=duty.duty,
            granted_at=duty.granted_at,
        )
