"""Accounts: the list a caller may see, one account's balances, and its statement
(in pages, or a period of it as CSV)."""

from __future__ import annotations

import base64
import re
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from api.deps import acting
from api.problems import problem_responses
from api.routers.exports import (
    CSV_MEDIA_TYPE,
    STATEMENT_CSV_RESPONSE,
    CsvStyle,
    TimeZone,
    check_zone,
)
from api.schemas.common import ACCOUNT_CODE_PATTERN, IsoDate
from api.schemas.ledger import AccountOut, AccountPage, StatementLineOut, StatementPage
from api.streaming import stream_from_snapshot
from monnaie_locale.acting import Context
from monnaie_locale.acts import accounts
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.history import MAX_PAGE

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])

Cursor = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The next_cursor of the previous page.",
    ),
]
Code = Annotated[str, Path(max_length=120, pattern=ACCOUNT_CODE_PATTERN, examples=["alice"])]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Lines per page.")]


def _encode_cursor(account_id: int) -> str:
    return base64.urlsafe_b64encode(f"a{account_id}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith("a"):
            raise ValueError(text)
        return min(max(int(text[1:]), 0), 2**63 - 1)
    except ValueError as exc:
        raise InvalidRequest("this cursor is not one the service gave; start again") from exc


@router.get(
    "",
    summary="The accounts the caller may see, in pages",
    responses=problem_responses(401, 422),
)
def list_visible_accounts(
    ctx: Annotated[Context, acting(accounts.list_accounts)],
    cursor: Cursor = None,
    limit: Limit = 100,
) -> AccountPage:
    after_id = 0 if cursor is None else _decode_cursor(cursor)
    found = accounts.list_accounts(ctx, after_id=after_id, limit=limit + 1)
    page = found[:limit]
    more = len(found) > limit
    return AccountPage(
        items=[AccountOut.of(account) for account in page],
        next_cursor=_encode_cursor(page[-1].id) if more else None,
    )


@router.get(
    "/{code}",
    summary="One account: balance, held and available amounts",
    responses=problem_responses(401, 403, 404, 422),
)
def get_account(code: Code, ctx: Annotated[Context, acting(accounts.get_account)]) -> AccountOut:
    return AccountOut.of(accounts.get_account(ctx, code))


@router.get(
    "/{code}/statement",
    summary="The account's postings, newest first, in pages; or a period of them as CSV",
    description="With ?format=csv: the postings of the period from..to (whole days in the "
    "time zone given, both inclusive; either side may be left open, and without both the "
    "whole history), oldest first, with the running balance, streamed as one CSV file "
    "(cursor and limit do not apply). The first row's balance less its amount is the "
    "balance before the period. A period may reach past today: it holds the postings so "
    "far, and one that has not started yet holds none (the header alone). from and to "
    "apply to the CSV only: the JSON pages go by cursor.",
    response_model=StatementPage,
    responses={**STATEMENT_CSV_RESPONSE, **problem_responses(401, 403, 404, 422)},
)
def get_statement(
    code: Code,
    ctx: Annotated[Context, acting(accounts.statement)],
    cursor: Cursor = None,
    limit: Limit = 100,
    output: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
    start: Annotated[
        IsoDate | None,
        Query(alias="from", description="CSV only: first day (inclusive), YYYY-MM-DD."),
    ] = None,
    end: Annotated[
        IsoDate | None,
        Query(alias="to", description="CSV only: last day (inclusive), YYYY-MM-DD."),
    ] = None,
    csv_style: CsvStyle = "fr",
    zone_name: TimeZone = None,
) -> StatementPage | StreamingResponse:
    # A bad zone is refused whatever the format; none given: the deployment's.
    zone = check_zone(zone_name) or ctx.deployment.zone
    if output == "csv":
        delimiter, decimal = (";", ",") if csv_style == "fr" else (",", ".")
        export = accounts.statement_export(
            ctx,
            code,
            start=start,
            end=end,
            delimiter=delimiter,
            decimal_separator=decimal,
            zone=zone,
        )
        return _statement_csv(ctx, export)
    if start is not None or end is not None:
        raise InvalidRequest("from and to apply to format=csv; the JSON pages go by cursor")
    page = accounts.statement(ctx, code, cursor=cursor, limit=limit)
    return StatementPage(
        account=code,
        items=[StatementLineOut.of(line) for line in page.lines],
        next_cursor=page.next_cursor,
    )


def _statement_csv(ctx: Context, export: accounts.StatementExport) -> StreamingResponse:
    """The export, streamed from a read transaction of its own."""
    # The code goes in a header: keep only what is safe in a file name.
    parts = [re.sub(r"[^A-Za-z0-9_.-]+", "-", export.account).strip("-.") or "account"]
    if export.start is not None:
        parts.append(f"from-{export.start}")
    if export.end is not None:
        parts.append(f"to-{export.end}")
    name = "-".join(parts)
    return StreamingResponse(
        stream_from_snapshot(ctx.database, export.write, encoding="utf-8"),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="statement-{name}.csv"'},
    )
