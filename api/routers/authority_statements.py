"""What the public accountant receives: a régie's, or an authority account's, statement of
a year, as JSON, CSV or PDF.

As an account's statement (``/v1/accounts/{code}/statement``), the form is chosen with
``?format=``: ``json`` (by default), ``csv`` (``csv_style`` fr or en) or ``pdf``
(``lang`` fr or en). A statement is one year of one place: it is written whole before
it is sent, so a refusal is still a problem document, never half a file. Who may read
it is the act's to say, by duty (the refusal is 403 ``not_your_regie``).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response

from api.deps import acting
from api.problems import problem_responses
from api.routers.exports import CSV_MEDIA_TYPE, CsvStyle
from api.schemas.authority_statements import YearStatementOut
from monnaie_locale.acting import Context
from monnaie_locale.acts import authority_statements as statements

router = APIRouter(prefix="/v1", tags=["local authorities"])

Code = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.:-]+$")]
Year = Annotated[int, Path(ge=2000, le=9998, description="The calendar year, in the books' zone.")]
Format = Annotated[
    Literal["json", "csv", "pdf"],
    Query(alias="format", description="json, csv (one file, a section per row) or pdf."),
]
Lang = Annotated[Literal["fr", "en"], Query(description="PDF only: the labels' language.")]
_FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            CSV_MEDIA_TYPE: {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        }
    }
}
READING = {**_FILES, **problem_responses(401, 403, 404, 409, 422)}
_DESCRIPTION = (
    "Opening and closing balances of the year (whole days in the books' time zone) with "
    "every line between them; refused (409 statement_mismatch) when the lines do not tie "
    "with the ledger. With ?format=csv or ?format=pdf, the same as a file to download."
)


@router.get(
    "/regies/{code}/statements/{year}",
    summary="A régie's statement of a year: quittances, versements and balances",
    description=_DESCRIPTION,
    response_model=YearStatementOut,
    responses=READING,
)
def regie_statement(
    code: Code,
    year: Year,
    ctx: Annotated[Context, acting(statements.regie_statement)],
    output: Format = "json",
    csv_style: CsvStyle = "fr",
    lang: Lang = "fr",
) -> YearStatementOut | Response:
    found = statements.regie_statement(ctx, code, year)
    return _answer(found, output, csv_style=csv_style, lang=lang)


@router.get(
    "/authorities/{code}/statements/{year}",
    summary="An authority's account's statement of a year: mandates paid, other movements",
    description=_DESCRIPTION,
    response_model=YearStatementOut,
    responses=READING,
)
def authority_statement(
    code: Code,
    year: Year,
    ctx: Annotated[Context, acting(statements.authority_statement)],
    output: Format = "json",
    csv_style: CsvStyle = "fr",
    lang: Lang = "fr",
) -> YearStatementOut | Response:
    found = statements.authority_statement(ctx, code, year)
    return _answer(found, output, csv_style=csv_style, lang=lang)


def _answer(
    found: statements.YearStatement,
    output: str,
    *,
    csv_style: Literal["fr", "en"],
    lang: Literal["fr", "en"],
) -> YearStatementOut | Response:
    if output == "json":
        return YearStatementOut.of(found)
    if output == "csv":
        body, media_type = statements.statement_csv(found, style=csv_style), CSV_MEDIA_TYPE
    else:
        body, media_type = statements.statement_pdf(found, lang=lang), "application/pdf"
    # The code goes in a header: only what is safe in a file name.
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", found.code).strip("-.") or found.kind
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}-{found.year}.{output}"',
            "Cache-Control": "no-store",
        },
    )
