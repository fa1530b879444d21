"""An account's statement as a file to download, for the wallet, the shop and the audit.

The CSV speaks the visitor's language (``;`` and a decimal comma in French, as a French
spreadsheet opens it); the PDF is the statement to print. A statement is small: it is
written whole before it is sent, so a refusal is still a page.
"""

from __future__ import annotations

import io
import re
from datetime import date

from fastapi import Request, Response

from api.routers.exports import CSV_MEDIA_TYPE
from api.web.rendering import language_of
from monnaie_locale.acting import Context
from monnaie_locale.acts import exports

__all__ = ["statement_csv", "statement_pdf"]


def statement_csv(
    request: Request, ctx: Context, account: str, start: date | None, end: date | None
) -> Response:
    """``account``'s postings of the period as CSV, refused as its act refuses."""
    french = language_of(request) == "fr"
    out = io.StringIO(newline="")
    exports.write_statement_csv(
        ctx,
        account,
        out,
        start=start,
        end=end,
        delimiter=";" if french else ",",
        decimal_separator="," if french else ".",
        zone=ctx.deployment.zone,
    )
    return _download(out.getvalue().encode("utf-8"), CSV_MEDIA_TYPE, account, start, end, "csv")


def statement_pdf(
    request: Request,
    ctx: Context,
    account: str,
    start: date | None,
    end: date | None,
    *,
    holder: str | None,
) -> Response:
    """``account``'s statement of the period as a PDF, titled with ``holder``'s name."""
    out = io.BytesIO()
    exports.write_statement_pdf(
        ctx,
        account,
        out,
        start=start,
        end=end,
        zone=ctx.deployment.zone,
        lang=language_of(request),
        holder=holder,
    )
    return _download(out.getvalue(), "application/pdf", account, start, end, "pdf")


def _download(
    body: bytes, media_type: str, account: str, start: date | None, end: date | None, suffix: str
) -> Response:
    # The code goes in a header: only what is safe in a file name, as the API's.
    parts = [re.sub(r"[^A-Za-z0-9_.-]+", "-", account).strip("-.") or "account"]
    parts += [f"from-{start}"] if start else []
    parts += [f"to-{end}"] if end else []
    name = f"statement-{'-'.join(parts)}.{suffix}"
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
