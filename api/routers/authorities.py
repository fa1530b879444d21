"""Local authorities: the authority, its régies, the convention's versions, the tariffs and
who works there. Each route is one act of :mod:`monnaie_locale.acts.authorities`, which
checks the caller's duty there (403 ``not_your_regie``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import acting
from api.problems import problem_responses
from api.schemas.authorities import (
    AuthorityDetailOut,
    AuthorityIn,
    AuthorityOut,
    ConventionIn,
    ConventionOut,
    DutyIn,
    DutyOut,
    RegieIn,
    RegieOut,
    TariffIn,
    TariffOut,
)
from api.schemas.common import RowIdInPath
from monnaie_locale.acting import Context
from monnaie_locale.acts import authorities

router = APIRouter(prefix="/v1", tags=["authorities"])

READING = problem_responses(401, 403, 404, 422)
SETTING = problem_responses(400, 401, 403, 404, 409, 413, 422)


@router.get("/authorities", summary="The local authorities the caller may read", responses=READING)
def list_authorities(
    ctx: Annotated[Context, acting(authorities.list_authorities)],
) -> list[AuthorityOut]:
    return [AuthorityOut.of(found) for found in authorities.list_authorities(ctx)]


@router.post(
    "/authorities",
    status_code=201,
    summary="Record a local authority and its treasury; optionally open its own account",
    responses=SETTING,
)
def create_authority(
    body: AuthorityIn, ctx: Annotated[Context, acting(authorities.create_authority)]
) -> AuthorityOut:
    created = authorities.create_authority(
        ctx,
        body.code,
        name=body.name,
        kind=body.kind,
        treasury_name=body.treasury_name,
        treasury_iban=body.treasury_iban,
        treasury_bic=body.treasury_bic,
        own_account=body.own_account,
    )
    return AuthorityOut.of(created)


@router.get(
    "/authorities/{code}",
    summary="One authority, its régies and the convention in force today",
    responses=READING,
)
def get_authority(
    code: str, ctx: Annotated[Context, acting(authorities.get_authority)]
) -> AuthorityDetailOut:
    return AuthorityDetailOut.of_view(authorities.get_authority(ctx, code))


@router.get(
    "/authorities/{code}/conventions",
    summary="Every version of the convention with the authority, oldest first",
    responses=READING,
)
def list_conventions(
    code: str, ctx: Annotated[Context, acting(authorities.list_conventions)]
) -> list[ConventionOut]:
    return [ConventionOut.of(found) for found in authorities.list_conventions(ctx, code)]


@router.post(
    "/authorities/{code}/conventions",
    status_code=201,
    summary="Record a new version of the convention, in force from its day",
    responses=SETTING,
)
def record_convention(
    code: str,
    body: ConventionIn,
    ctx: Annotated[Context, acting(authorities.record_convention)],
) -> ConventionOut:
    recorded = authorities.record_convention(
        ctx,
        code,
        effective_from=body.effective_from,
        reconversion_fee_bps=authorities.fee_bps(body.reconversion_fee),
        payin_days=body.payin_days,
        cash_cap=body.cash_cap,
        may_spend=body.may_spend,
        reference=body.reference,
    )
    return ConventionOut.of(recorded)


@router.post(
    "/authorities/{code}/regies",
    status_code=201,
    summary="Open a régie of the authority, and the account it collects into",
    responses=SETTING,
)
def create_regie(
    code: str, body: RegieIn, ctx: Annotated[Context, acting(authorities.create_regie)]
) -> RegieOut:
    created = authorities.create_regie(
        ctx,
        code,
        body.code,
        name=body.name,
        cash_cap=body.cash_cap,
        names_payers=body.names_payers,
    )
    return RegieOut.of(created)


@router.get(
    "/authorities/{code}/duties",
    summary="Who holds which duty at the authority",
    responses=READING,
)
def list_duties(
    code: str, ctx: Annotated[Context, acting(authorities.list_duties)]
) -> list[DutyOut]:
    return [DutyOut.of(found) for found in authorities.list_duties(ctx, code)]


@router.post(
    "/authorities/{code}/duties",
    status_code=201,
    summary="Give an authority agent a duty at the authority (at one régie, for its counter)",
    responses=SETTING,
)
def grant_duty(
    code: str, body: DutyIn, ctx: Annotated[Context, acting(authorities.grant_duty)]
) -> DutyOut:
    granted = authorities.grant_duty(ctx, code, body.username, body.duty, regie=body.regie)
    return DutyOut.of(granted)


@router.delete(
    "/authorities/{code}/duties/{duty_id:int}",
    status_code=204,
    summary="Take a duty back",
    responses=problem_responses(401, 403, 404, 422),
)
def revoke_duty(
    code: str,
    duty_id: RowIdInPath,
    ctx: Annotated[Context, acting(authorities.revoke_duty)],
) -> Response:
    authorities.revoke_duty(ctx, code, duty_id)
    return Response(status_code=204)


@router.get("/regies", summary="The régies the caller may read", responses=READING)
def my_regies(ctx: Annotated[Context, acting(authorities.my_regies)]) -> list[RegieOut]:
    return [RegieOut.of(found) for found in authorities.my_regies(ctx)]


@router.get("/regies/{code}", summary="One régie", responses=READING)
def get_regie(code: str, ctx: Annotated[Context, acting(authorities.get_regie)]) -> RegieOut:
    return RegieOut.of(authorities.get_regie(ctx, code))


@router.get("/regies/{code}/tariffs", summary="The régie's tariffs, by label", responses=READING)
def list_tariffs(
    code: str, ctx: Annotated[Context, acting(authorities.list_tariffs)]
) -> list[TariffOut]:
    return [TariffOut.of(found) for found in authorities.list_tariffs(ctx, code)]


@router.post(
    "/regies/{code}/tariffs",
    status_code=201,
    summary="Add a tariff to the régie's counter (its régisseur, or the association)",
    responses=SETTING,
)
def add_tariff(
    code: str, body: TariffIn, ctx: Annotated[Context, acting(authorities.add_tariff)]
) -> TariffOut:
    added = authorities.add_tariff(ctx, code, label=body.label, amount=body.amount)
    return TariffOut.of(added)
