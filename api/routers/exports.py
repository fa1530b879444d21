"""Exports of the whole books, streamed: the FEC for the accountant, and a plain-text
journal that hledger or Ledger re-checks, as ``mlc export fec`` and ``mlc export journal``;
and one account's statement as CSV, which the accounts router answers with.

Each is read from one snapshot of the books and sent as they are written (see
:mod:`api.streaming`), so a long ledger costs the service no memory. Every parameter is
checked before the first byte goes out; the FEC's account plan is the default one (an
accountant's own plan goes through the command line's ``--accounts-map``).
"""

from __future__ import annotations

import re
from datetime import date, tzinfo
from typing import Annotated, Any, BinaryIO, Literal, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import Connection

from api.deps import DatabaseDep, require
from api.problems import problem_responses
from api.routers.operations_common import REPORT_READERS
from api.streaming import stream_binary, stream_text
from monnaie_locale import exports
from monnaie_locale.auth import Principal
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.store.database import Database

__all__ = [
    "STATEMENT_CSV_RESPONSE",
    "CsvStyle",
    "TimeZone",
    "check_zone",
    "router",
    "statement_csv_response",
]

router = APIRouter(prefix="/v1/exports", tags=["exports"])

Reader = Annotated[Principal, require(*REPORT_READERS)]
TimeZone = Annotated[
    str,
    Query(
        alias="timezone",
        max_length=60,
        pattern=r"^[A-Za-z0-9_+/-]+$",
        description="The IANA time zone that dates are written in.",
        examples=["Europe/Paris"],
    ),
]


def check_zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidRequest(
            f"unknown time zone {name!r}; use an IANA name such as Europe/Paris"
        ) from exc


def _text_body(media_type: str, example: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {media_type: {"schema": {"type": "string"}, "example": example}}}}


FEC_MEDIA_TYPE = f"text/plain; charset={exports.FEC_ENCODING}"
JOURNAL_MEDIA_TYPE = "text/plain; charset=utf-8"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
STATEMENT_CSV_RESPONSE = _text_body(CSV_MEDIA_TYPE, ";".join(exports.STATEMENT_COLUMNS) + "\n")
CsvStyle = Annotated[
    Literal["fr", "en"],
    Query(
        alias="csv_style",
        description="CSV only: fr writes ';' and decimal commas, as French spreadsheets "
        "expect; en writes ',' and decimal points.",
    ),
]


def statement_csv_response(
    database: Database, code: str, *, style: Literal["fr", "en"], zone: tzinfo
) -> StreamingResponse:
    """Every posting of the account, oldest first, as CSV (checked to exist beforehand)."""
    delimiter, decimal = (";", ",") if style == "fr" else (",", ".")

    def write(conn: Connection, out: TextIO) -> None:
        exports.statement_csv(
            conn, code, out, delimiter=delimiter, decimal_separator=decimal, zone=zone
        )

    # The code goes in a header: keep only what is safe in a file name.
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", code).strip("-.") or "account"
    return StreamingResponse(
        stream_text(database, write, encoding="utf-8"),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="statement-{safe}.csv"'},
    )


@router.get(
    "/fec",
    summary="The FEC (fichier des écritures comptables): 18 columns, ISO-8859-15, streamed",
    description="One écriture per ledger transaction, numbered without gaps, dated in "
    "the time zone given; debits equal credits. Name the saved file as the "
    "administration expects: SIREN + FEC + closing date, e.g. 123456789FEC20261231.txt.",
    response_class=StreamingResponse,
    responses={
        **_text_body(FEC_MEDIA_TYPE, "|".join(exports.FEC_COLUMNS) + "\r\n"),
        **problem_responses(401, 403, 422),
    },
)
def fec(
    _reader: Reader,
    database: DatabaseDep,
    start: Annotated[
        date | None, Query(alias="from", description="First day (inclusive), YYYY-MM-DD.")
    ] = None,
    end: Annotated[
        date | None, Query(alias="to", description="Last day (inclusive), YYYY-MM-DD.")
    ] = None,
    separator: Annotated[
        Literal["pipe", "tab"], Query(description="The column separator: | or a tab.")
    ] = "pipe",
    journal_code: Annotated[
        str, Query(min_length=1, max_length=10, pattern=r"^[A-Za-z0-9]+$")
    ] = "ML",
    zone_name: TimeZone = "Europe/Paris",
) -> StreamingResponse:
    zone = check_zone(zone_name)
    if start is not None and end is not None and start > end:
        raise InvalidRequest(f"the period starts ({start}) after it ends ({end})")

    def write(conn: Connection, out: BinaryIO) -> None:
        exports.fec(
            conn,
            out,
            separator="\t" if separator == "tab" else "|",
            zone=zone,
            start=start,
            end=end,
            journal_code=journal_code,
        )

    name = f"FEC{end:%Y%m%d}.txt" if end is not None else "FEC.txt"
    return StreamingResponse(
        stream_binary(database, write),
        media_type=FEC_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/journal.ledger",
    summary="The books as a plain-text journal (hledger / Ledger format), streamed",
    description="Signs are those of plain-text accounting (debits positive), the ledger's "
    "opposite. With assertions, each posting asserts its account's balance after it, so "
    "`hledger -f journal.ledger check` re-checks every step.",
    response_class=StreamingResponse,
    responses={
        **_text_body(JOURNAL_MEDIA_TYPE, "2026-11-02 * (1) conversion  ; kind:conversion\n"),
        **problem_responses(401, 403, 422),
    },
)
def journal(
    _reader: Reader,
    database: DatabaseDep,
    assertions: Annotated[
        bool, Query(description="Assert each account's balance after each posting.")
    ] = False,
    zone_name: TimeZone = "Europe/Paris",
) -> StreamingResponse:
    zone = check_zone(zone_name)

    def write(conn: Connection, out: TextIO) -> None:
        exports.hledger_journal(conn, out, assertions=assertions, zone=zone)

    return StreamingResponse(
        stream_text(database, write, encoding="utf-8"),
        media_type=JOURNAL_MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="journal.ledger"'},
    )
