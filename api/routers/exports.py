"""Exports of the whole books, streamed: the FEC for the accountant, and a plain-text
journal that hledger or Ledger re-checks, as ``mlc export fec`` and ``mlc export journal``;
and one account's statement as CSV, which the accounts router answers with.

Each is read from one snapshot of the books and sent as they are written (see
:mod:`api.streaming`), so a long ledger costs the service no memory. Every parameter is
checked before the first byte goes out. The FEC follows the association's chart of
accounts, or, posted, one-off rules before it (the command line's ``--accounts-map``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Annotated, Any, BinaryIO, Literal, TextIO
from zoneinfo import ZoneInfo, available_timezones

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from api.deps import acting
from api.problems import problem_responses
from api.schemas.common import IsoDate
from api.schemas.fec import FecAccountsMapIn
from api.streaming import stream_binary, stream_text
from monnaie_locale import exports
from monnaie_locale.acting import Context
from monnaie_locale.acts import exports as exporting
from monnaie_locale.errors import InvalidRequest

__all__ = [
    "STATEMENT_CSV_RESPONSE",
    "CsvStyle",
    "TimeZone",
    "check_zone",
    "router",
]

router = APIRouter(prefix="/v1/exports", tags=["exports"])

Fec = Annotated[Context, acting(exporting.write_fec)]
# The zones of the IANA database as installed (the tzdata package): the document lists
# exactly the names the service accepts.
ZONES = frozenset(available_timezones())
TimeZone = Annotated[
    str | None,
    Query(
        alias="timezone",
        max_length=60,
        description="The IANA time zone that dates are written in; by default the "
        "deployment's (MLC_TIME_ZONE).",
        examples=["Europe/Paris"],
        json_schema_extra={"enum": sorted(ZONES)},
    ),
]


def check_zone(name: str | None) -> tzinfo | None:
    """The zone named, or None for the deployment's (the caller's context knows it)."""
    if name is None:
        return None
    if name not in ZONES:
        raise InvalidRequest(f"unknown time zone {name!r}; use an IANA name such as Europe/Paris")
    return ZoneInfo(name)


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


@dataclass(frozen=True, slots=True)
class FecOptions:
    """The FEC's query parameters, checked before the first byte goes out."""

    start: date | None
    end: date | None
    separator: str
    journal_code: str | None
    zone: tzinfo | None  # None: the deployment's


def _fec_options(
    start: Annotated[
        IsoDate | None, Query(alias="from", description="First day (inclusive), YYYY-MM-DD.")
    ] = None,
    end: Annotated[
        IsoDate | None, Query(alias="to", description="Last day (inclusive), YYYY-MM-DD.")
    ] = None,
    separator: Annotated[
        Literal["pipe", "tab"], Query(description="The column separator: | or a tab.")
    ] = "pipe",
    journal_code: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=10,
            pattern=r"^[A-Za-z0-9]+$",
            description="One JournalCode for every écriture; without it, journals per kind "
            "(BQ1-BQ3 banks, CA-<office> tills, ML units, OD others), each numbered on its own.",
        ),
    ] = None,
    zone_name: TimeZone = None,
) -> FecOptions:
    zone = check_zone(zone_name)
    if start is not None and end is not None and start > end:
        raise InvalidRequest(f"the period starts ({start}) after it ends ({end})")
    return FecOptions(
        start=start,
        end=end,
        separator="\t" if separator == "tab" else "|",
        journal_code=journal_code,
        zone=zone,
    )


# After the role check (declared before it in each route), so a refused caller learns
# nothing from the parameters.
FecOptionsDep = Annotated[FecOptions, Depends(_fec_options)]
FEC_DESCRIPTION = (
    "One écriture per ledger transaction, in journals per kind each numbered without gaps, "
    "dated by the operation's day in the time zone given (by default the deployment's), "
    "accounts under the association's chart; with `from`, an opening écriture (journal AN) "
    "carries the balances forward; debits equal credits. The file is named as the "
    "administration expects: SIREN (MLC_SIREN) + FEC + closing date."
)
FEC_RESPONSES: dict[int | str, dict[str, Any]] = {
    **_text_body(FEC_MEDIA_TYPE, "|".join(exports.FEC_COLUMNS) + "\r\n"),
    **problem_responses(401, 403, 422),
}


def _fec_response(
    ctx: Context, options: FecOptions, account_map: exports.AccountMap
) -> StreamingResponse:
    def write(out: BinaryIO) -> None:
        exporting.write_fec(
            ctx,
            out,
            separator=options.separator,
            zone=options.zone or ctx.deployment.zone,
            start=options.start,
            end=options.end,
            account_map=account_map,
            journal_code=options.journal_code,
        )

    name = exports.fec_file_name(ctx.deployment.siren, options.end)
    return StreamingResponse(
        stream_binary(write),
        media_type=FEC_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/fec",
    summary="The FEC (fichier des écritures comptables): 18 columns, ISO-8859-15, streamed",
    description=f"{FEC_DESCRIPTION} Accounts follow the association's chart of accounts "
    "(GET /v1/chart); POST one-off rules to try them before storing them.",
    response_class=StreamingResponse,
    responses=FEC_RESPONSES,
)
def fec(ctx: Fec, options: FecOptionsDep) -> StreamingResponse:
    return _fec_response(ctx, options, exports.AccountMap())


@router.post(
    "/fec",
    summary="The FEC under the accountant's own account plan, streamed",
    description=f"{FEC_DESCRIPTION} The body holds the accountant's rules, one object per "
    "line of the command line's --accounts-map CSV (pattern,number,label[,aux][,currency]): "
    "tried in order before the association's chart (GET /v1/chart), the first whose "
    "shell-style pattern matches an account's code (and its currency, if given) wins. The "
    "query parameters are the GET's. Reads only: no Idempotency-Key.",
    response_class=StreamingResponse,
    responses={**FEC_RESPONSES, **problem_responses(400, 401, 403, 413, 422)},
)
def fec_with_plan(body: FecAccountsMapIn, ctx: Fec, options: FecOptionsDep) -> StreamingResponse:
    # Built before the stream starts: a rule the core refuses is a 422, not a cut file.
    account_map = exports.AccountMap(one_off=tuple(r.rule() for r in body.rules))
    return _fec_response(ctx, options, account_map)


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
    ctx: Annotated[Context, acting(exporting.write_journal)],
    assertions: Annotated[
        bool, Query(description="Assert each account's balance after each posting.")
    ] = False,
    zone_name: TimeZone = None,
) -> StreamingResponse:
    zone = check_zone(zone_name) or ctx.deployment.zone

    def write(out: TextIO) -> None:
        exporting.write_journal(ctx, out, assertions=assertions, zone=zone)

    return StreamingResponse(
        stream_text(write, encoding="utf-8"),
        media_type=JOURNAL_MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="journal.ledger"'},
    )
