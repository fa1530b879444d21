"""A shop's own management: its cashiers, its takings, what a reconversion would pay.

What a merchant's space shows and does, without an administrator. The shop's owner lists
the cashiers of a shop account they hold, adds one (a user who may only take payments and
refund within a limit at that shop), disables one, lets one back in, or sets a new
password for one; a cashier who is not of the owner's shop is answered as unknown
(``unknown_user``), as a name nobody has. The shop's owner and cashiers, and those who
read the association's reports, read its takings by day and month; a holder sees the fee
a reconversion would cost before asking for it. The rules are those of
:mod:`monnaie_locale.acts.cashiers`, :mod:`monnaie_locale.acts.takings` and
:mod:`monnaie_locale.acts.reconversions`.

None of these moves money, so none takes an ``Idempotency-Key``: adding a cashier twice
is refused (``duplicate_user``), and the other changes come out the same when repeated.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from api.deps import acting
from api.principal_cache import forgets_credentials
from api.problems import problem_responses
from api.schemas.common import ACCOUNT_CODE_PATTERN, IsoDate
from api.schemas.merchant_space import CashierIn, CashierList, QuoteOut, TakingsOut
from api.schemas.money import AmountIn
from api.schemas.users import USERNAME_PATTERN, PasswordResetIn, UserOut
from monnaie_locale.acting import Context
from monnaie_locale.acts import cashiers, reconversions, takings

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["merchant space"])

Code = Annotated[str, Path(max_length=120, pattern=ACCOUNT_CODE_PATTERN, examples=["bakery"])]
Username = Annotated[str, Path(pattern=USERNAME_PATTERN, examples=["lea.bakery"])]
CHANGING = problem_responses(401, 403, 404, 422)
# The routes that end a cashier's sessions have their credentials checked afresh after.
REVOKING = [Depends(forgets_credentials)]


@router.get(
    "/accounts/{code}/cashiers",
    summary="The cashiers of a shop account the caller owns, active or not",
    responses=CHANGING,
)
def list_cashiers(
    code: Code, ctx: Annotated[Context, acting(cashiers.list_cashiers)]
) -> CashierList:
    return CashierList(items=[UserOut.of(user) for user in cashiers.list_cashiers(ctx, code)])


@router.post(
    "/accounts/{code}/cashiers",
    status_code=201,
    summary="Add a cashier to the shop: a user who takes payments and refunds within a limit",
    description="The cashier holds this shop account and nothing else, and may sign in at "
    "once. The password is 10 characters or more; tell the cashier to change it "
    "(POST /v1/auth/password).",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
def add_cashier(
    code: Code, body: CashierIn, ctx: Annotated[Context, acting(cashiers.add_cashier)]
) -> UserOut:
    return UserOut.of(cashiers.add_cashier(ctx, code, body.username, body.password))


@router.post(
    "/accounts/{code}/cashiers/{username}/disable",
    summary="Stop a cashier of the shop from signing in, and end their sessions",
    responses=CHANGING,
    dependencies=REVOKING,
)
def disable_cashier(
    code: Code, username: Username, ctx: Annotated[Context, acting(cashiers.disable_cashier)]
) -> UserOut:
    return UserOut.of(cashiers.disable_cashier(ctx, code, username))


@router.post(
    "/accounts/{code}/cashiers/{username}/enable",
    summary="Let a disabled cashier of the shop sign in again (old sessions stay ended)",
    responses=CHANGING,
)
def enable_cashier(
    code: Code, username: Username, ctx: Annotated[Context, acting(cashiers.enable_cashier)]
) -> UserOut:
    return UserOut.of(cashiers.enable_cashier(ctx, code, username))


@router.post(
    "/accounts/{code}/cashiers/{username}/password",
    summary="Set a cashier's password; they are signed out everywhere, any lock is lifted",
    responses=problem_responses(400, 401, 403, 404, 413, 422),
    dependencies=REVOKING,
)
def reset_cashier_password(
    code: Code,
    username: Username,
    body: PasswordResetIn,
    ctx: Annotated[Context, acting(cashiers.reset_cashier_password)],
) -> UserOut:
    return UserOut.of(cashiers.reset_cashier_password(ctx, code, username, body.password))


@router.get(
    "/accounts/{code}/takings",
    summary="What the shop received and refunded on a day and over a month, day by day",
    description="Days in the deployment's time zone. By default today and this month; "
    "with only a month, its days and today's (or its first day's) totals.",
    responses=problem_responses(400, 401, 403, 404, 422),
)
def read_takings(
    code: Code,
    ctx: Annotated[Context, acting(takings.takings)],
    day: Annotated[IsoDate | None, Query(description="The day, YYYY-MM-DD.")] = None,
    month: Annotated[
        str | None,
        Query(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="The month, YYYY-MM."),
    ] = None,
) -> TakingsOut:
    first = None if month is None else takings.parse_month(month)
    return TakingsOut.of(takings.takings(ctx, code, day=day, month=first))


@router.get(
    "/reconversions/quote",
    summary="The fee and the euros a reconversion of an account would get, under today's rules",
    description="Exactly what POST /v1/reconversions would fix now, refused alike; "
    "nothing is held or written.",
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
def quote_reconversion(
    account: Annotated[
        str,
        Query(min_length=1, max_length=120, pattern=ACCOUNT_CODE_PATTERN, examples=["bakery"]),
    ],
    amount: Annotated[AmountIn, Query(description="The units to give back, e.g. 150.00.")],
    ctx: Annotated[Context, acting(reconversions.reconversion_quote)],
) -> QuoteOut:
    return QuoteOut.of(reconversions.reconversion_quote(ctx, account, amount))
