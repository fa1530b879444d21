"""Accounts: the list a caller may see, one account's balances, and its statement
(in pages, or a period of it as CSV)."""

from __future__ import annotations

import base64
import re
from datetime import date, tzinfo
from typing import Annotated, Literal, TextIO

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import Connection

from api.access import EVERYONE
from api.deps import DatabaseDep, LedgerDep, require
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
from monnaie_locale import exports
from monnaie_locale.auth import Principal
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.accounts import accounts_by_code, list_accounts
from monnaie_locale.ledger.history import MAX_PAGE
from monnaie_locale.model import Account
from monnaie_locale.store.database import Database

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


def _visible(conn: Connection, principal: Principal, *, after_id: int, limit: int) -> list[Account]:
    if principal.sees_all_accounts:
        return list_accounts(conn, after_id=after_id, limit=limit)
    # A holder has a handful of accounts: read them all, page in memory.
    held = sorted(accounts_by_code(conn, principal.accounts).values(), key=lambda a: a.id)
    return [account for account in held if account.id > after_id][:limit]


@router.get(
    "",
    summary="The accounts the caller may see, in pages",
    responses=problem_responses(401, 422),
)
def list_visible_accounts(
    principal: Annotated[Principal, require(*EVERYONE)],
    database: DatabaseDep,
    cursor: Cursor = None,
    limit: Limit = 100,
) -> AccountPage:
    after_id = 0 if cursor is None else _decode_cursor(cursor)
    found = database.read(
        lambda conn: _visible(conn, principal, after_id=after_id, limit=limit + 1)
    )
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
def get_account(
    code: Code, principal: Annotated[Principal, require(*EVERYONE)], ledger: LedgerDep
) -> AccountOut:
    # Checked before reading, so a holder cannot probe which account codes exist.
    principal.check_read(code)
    return AccountOut.of(ledger.account(code))


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
    principal: Annotated[Principal, require(*EVERYONE)],
    ledger: LedgerDep,
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
    zone_name: TimeZone = "Europe/Paris",
) -> StatementPage | StreamingResponse:
    principal.check_read(code)
    zone = check_zone(zone_name)  # a bad zone is refused whatever the format
    if output == "csv":
        ledger.account(code)  # an unknown account is a 404 before the body starts
        if start is not None and end is not None and start > end:
            raise InvalidRequest(f"the period starts ({start}) after it ends ({end})")
        return _statement_csv(
            ledger.database, code, style=csv_style, zone=zone, start=start, end=end
        )
    if start is not None or end is not None:
        raise InvalidRequest("from and to apply to format=csv; the JSON pages go by cursor")
    page = ledger.statement(code, cursor=cursor, limit=limit)
    return StatementPage(
        account=code,
        items=[StatementLineOut.of(line) for line in page.lines],
        next_cursor=page.next_cursor,
    )


def _statement_csv(
    database: Database,
    code: str,
    *,
    style: Literal["fr", "en"],
    zone: tzinfo,
    start: date | None,
    end: date | None,
) -> StreamingResponse:
    """The period's postings of the account as CSV (its code checked beforehand)."""
    delimiter, decimal = (";", ",") if style == "fr" else (",", ".")

    def write(conn: Connection, out: TextIO) -> None:
        exports.statement_csv(
            conn,
            code,
            out,
            start=start,
            end=end,
            delimiter=delimiter,
            decimal_separator=decimal,
            zone=zone,
        )

    # The code goes in a header: keep only what is safe in a file name.
    parts = [re.sub(r"[^A-Za-z0-9_.-]+", "-", code).strip("-.") or "account"]
    if start is not None:
        parts.append(f"from-{start}")
    if end is not None:
        parts.append(f"to-{end}")
    name = "-".join(parts)
    return StreamingResponse(
        stream_from_snapshot(database, write, encoding="utf-8"),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="statement-{name}.csv"'},
    )
