"""The back-office's accounts: members' and businesses' accounts, found, opened, imported,
frozen, closed.

Each page admits the back-office's people among its act's roles
(:func:`~api.web.back_office.back_office_of`): the auditor, and the exchange offices'
operators who read every account, open the pages that read; every form that writes is
the association's (its operators and administrators), refused to the others by its act.
None of these forms moves money, so none carries an idempotency key (as the API's
routes take none): opening a code twice is refused (``duplicate_account``), importing a
file twice is refused line by line (its codes are taken), and a status change repeated
comes out the same.

=============================================  ==========================================
Page                                           Who may open it
=============================================  ==========================================
``GET /gestion/comptes``                       the back-office's readers of every account:
                                               a search by code, name or kind, with each
                                               account's balance and state
``POST /gestion/comptes``                      the association: open an account
``GET /gestion/comptes/import``                the back-office's readers: the form and
                                               the file's format
``POST /gestion/comptes/import``               the association: the dry run, each line's
                                               fate, nothing written
``POST /gestion/comptes/import/confirmer``     the same: the file of the dry run, imported
``GET /gestion/comptes/{code}``                the back-office's readers: one account, its
                                               balance, state and last postings
``POST /gestion/comptes/{code}/geler``         the association: stop its movements
``POST /gestion/comptes/{code}/degeler``       the same: let it move money again
``POST /gestion/comptes/{code}/cloturer``      the same, once confirmed: close it for good
=============================================  ==========================================

(``import`` is a page of its own before it is an account's code: an account coded
``import`` is read through the search or the API.)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.datastructures import UploadFile

from api.schemas.common import ACCOUNT_CODE_PATTERN
from api.typography import money, typeset
from api.web.back_office import back_office_of
from api.web.rendering import PageRoute, language_of, redirect, render
from api.web.session import CheckedForm, form_field
from api.web.shop import Ok
from monnaie_locale.acting import Context
from monnaie_locale.acts import accounts
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.i18n import Language, Messages
from monnaie_locale.model import Account, AccountKind
from monnaie_locale.operations.account_import import ImportOutcome
from monnaie_locale.operations.account_opening import rights_of
from monnaie_locale.sides import holder_side

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

Code = Annotated[str, Path(min_length=1, max_length=120, pattern=ACCOUNT_CODE_PATTERN)]
_OK = ("opened", "frozen", "unfrozen", "closed", "imported")
# What the import page offers: the spreadsheets' usual encodings (UTF-8, Excel's French).
ENCODINGS = ("utf-8", "cp1252", "latin-1")
# The base64 of a file, in hidden fields of this many characters each.
_PART = 512 * 1024
# Room left in the confirmation's body for its other fields and multipart's headers.
_FORM_ROOM = 64 * 1024
# Postings shown on an account's page; the rest are in its statement.
_LAST_POSTINGS = 20


def amounts(request: Request, ctx: Context) -> Any:
    """How a page writes an account's amount: from its holder's side (the reserve's euros
    read positive, :mod:`monnaie_locale.sides`), in its currency (the local unit's symbol,
    or another currency's code, such as the association's euro accounts)."""
    language = language_of(request)
    symbol = request.app.state.settings.currency_symbol
    unit = ctx.deployment.unit.code

    def amount(account: Account, minor: int) -> str:
        shown = holder_side(minor, account)
        return money(shown, language, symbol if account.currency == unit else account.currency)

    return amount


def account_path(code: str) -> str:
    """The account's page (its code quoted: a code may hold ':' or spaces)."""
    return "/gestion/comptes/" + quote(code, safe=":@")


@router.get("/gestion/comptes", response_class=Response)
def accounts_page(
    request: Request,
    ctx: Annotated[Context, back_office_of(accounts.find_accounts)],
    q: Annotated[str, Query(max_length=accounts.MAX_SEARCH_TEXT)] = "",
    # Text, not the enum: the form's "every kind" sends it empty.
    kind: Annotated[str, Query(max_length=30)] = "",
    ok: Ok = None,
) -> Response:
    chosen = _kind(kind) if kind else None
    found = accounts.find_accounts(ctx, q.strip(), kind=chosen, limit=accounts.MAX_FOUND)
    return render(
        request,
        "web/bo_accounts_list.html",
        {
            "found": found,
            "q": q.strip(),
            "kind": chosen,
            "kinds": list(AccountKind),
            "openable": sorted(rights_of(ctx.actor.role).kinds),
            "full": len(found) == accounts.MAX_FOUND,
            "ok": ok if ok in _OK else None,
            "account_path": account_path,
            "amount": amounts(request, ctx),
        },
        user=ctx.actor,
    )


@router.post("/gestion/comptes", response_class=Response)
def open_account(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(accounts.open_account)],
) -> Response:
    kind = _kind(form_field(form, "kind", limit=30))
    code = form_field(form, "code", limit=121)
    name = form_field(form, "display_name", limit=121) or None
    owner = form_field(form, "owner_ref", limit=121) or None
    opened = accounts.open_account(ctx, code, kind=kind, display_name=name, owner_ref=owner)
    return redirect(request, account_path(opened.code) + "?ok=opened")


def _kind(value: str) -> AccountKind:
    try:
        return AccountKind(value)
    except ValueError:
        raise InvalidRequest(f"unknown kind {value!r}") from None


# The import: a dry run first, then the same file confirmed.
#
# The file travels back with the confirmation inside the dry run's page: its bytes (in
# base64, so any encoding and line ending survives) in hidden fields, sealed with an HMAC
# of the deployment's secret key over the actor, the encoding and the bytes. Nothing is
# kept on the server between the two steps (no upload folder to clean, nothing left
# behind by a dry run never confirmed, nothing tied to one worker process), and the seal
# proves the confirmed bytes are the very ones this actor's dry run showed, not a page
# edited meanwhile. The act checks every line again when it imports, all or nothing: a
# code opened since the dry run refuses the file.
#
# The confirmation is posted as multipart, under the uploads' body limit
# (``MLC_MAX_UPLOAD_BYTES``), the base64 cut in parts the form parser takes (1 MB each at
# most); a file whose base64 would not fit is refused at the dry run, pointing to
# ``mlc accounts import``.


@router.get("/gestion/comptes/import", response_class=Response)
def import_page(
    request: Request,
    # The form and the format it explains are for whoever reads the accounts; the dry
    # run and the import are the import act's, refused to the others.
    ctx: Annotated[Context, back_office_of(accounts.find_accounts)],
    ok: Ok = None,
    nombre: Annotated[int, Query(ge=0, le=10**7)] = 0,
) -> Response:
    return render(
        request,
        "web/bo_accounts_import.html",
        {"encodings": ENCODINGS, "ok": ok == "imported", "count": nombre, "checked": None},
        user=ctx.actor,
    )


@router.post("/gestion/comptes/import", response_class=Response)
def dry_run(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(accounts.import_accounts)],
) -> Response:
    encoding = _encoding(form_field(form, "encoding", limit=20))
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidRequest("choose the CSV file to import")
    data = upload.file.read()
    outcome = accounts.import_accounts(ctx, data, encoding=encoding, dry_run=True)
    return _checked_page(request, ctx, data, encoding, outcome, name=upload.filename or "")


@router.post("/gestion/comptes/import/confirmer", response_class=Response)
def confirm_import(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(accounts.import_accounts)],
) -> Response:
    encoding = _encoding(form_field(form, "encoding", limit=20))
    parts = form.getlist("content")
    if not parts or not all(isinstance(part, str) for part in parts):
        raise InvalidRequest("the file of the dry run is missing; upload it again")
    content = "".join(str(part) for part in parts)
    try:
        data = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest("the file of the dry run is damaged; upload it again") from None
    if not hmac.compare_digest(str(form.get("seal", "")), _seal(request, ctx, data, encoding)):
        raise InvalidRequest("this file is not the one of your dry run; upload it again")
    outcome = accounts.import_accounts(ctx, data, encoding=encoding, dry_run=False)
    if outcome.problems:
        # Something changed since the dry run (a code opened meanwhile): nothing was
        # opened; the page says which lines, as a dry run would.
        name = form_field(form, "name", limit=300)
        return _checked_page(request, ctx, data, encoding, outcome, name=name, status=422)
    return redirect(request, f"/gestion/comptes/import?ok=imported&nombre={len(outcome.opened)}")


def _encoding(value: str) -> str:
    if value not in ENCODINGS:
        raise InvalidRequest(f"choose the file's encoding among {', '.join(ENCODINGS)}")
    return value


def _seal(request: Request, ctx: Context, data: bytes, encoding: str) -> str:
    secret = request.app.state.settings.secret_key.get_secret_value().encode()
    signed = b"\0".join((b"account-import", ctx.actor.subject.encode(), encoding.encode(), data))
    return hmac.new(secret, signed, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class LineFate:
    """What the import does with one line of the file: opens its account, or refuses it."""

    line: int
    text: str
    code: str | None
    kind: str | None
    reasons: tuple[str, ...]


def _fates(data: bytes, encoding: str, outcome: ImportOutcome, language: Language) -> Any:
    """Each line's fate, in the file's order, and the problems of the file as a whole."""
    messages = Messages(language)

    def words(key: str, fields: dict[str, object]) -> str:
        return typeset(messages(f"import.p.{key}", **fields), language)

    by_line: dict[int, list[str]] = {}
    for problem in outcome.problems:
        by_line.setdefault(problem.line, []).append(words(problem.key, problem.fields))
    rows = {row.line: row for row in outcome.rows}
    lines = data.decode(encoding, errors="replace").splitlines()
    fates = [
        LineFate(
            line=number,
            text=text[:200],
            code=rows[number].code if number in rows else None,
            kind=str(rows[number].kind) if number in rows else None,
            reasons=tuple(by_line.get(number, ())),
        )
        for number, text in enumerate(lines, start=1)
        if number > 1 and (text.strip() or number in by_line)
    ]
    whole_file = [
        reason
        for line, found in by_line.items()
        for reason in found
        if line <= 1 or line > len(lines)
    ]
    return fates, whole_file


def _checked_page(
    request: Request,
    ctx: Context,
    data: bytes,
    encoding: str,
    outcome: ImportOutcome,
    *,
    name: str,
    status: int = 200,
) -> Response:
    fates, whole_file = _fates(data, encoding, outcome, language_of(request))
    ready = not outcome.problems and bool(outcome.rows)
    content = base64.b64encode(data).decode() if ready else ""
    if len(content) + _FORM_ROOM > request.app.state.settings.max_upload_bytes:
        raise InvalidRequest(
            "this file is too large to be confirmed through the page; split it, or import it "
            "with mlc accounts import"
        )
    return render(
        request,
        "web/bo_accounts_import.html",
        {
            "encodings": ENCODINGS,
            "encoding": encoding,
            "ok": False,
            "checked": {
                "name": name[:300],
                "fates": fates,
                "whole_file": whole_file,
                "problems": len(outcome.problems),
                "opened": len(outcome.rows),
                "ready": ready,
                # Carried to the confirmation only when there is something to confirm.
                "content": [content[at : at + _PART] for at in range(0, len(content), _PART)],
                "seal": _seal(request, ctx, data, encoding) if ready else "",
                "sha256": hashlib.sha256(data).hexdigest(),
            },
        },
        status=status,
        user=ctx.actor,
    )


@router.get("/gestion/comptes/{code}", response_class=Response)
def account_page(
    request: Request,
    code: Code,
    ctx: Annotated[Context, back_office_of(accounts.get_account)],
    ok: Ok = None,
) -> Response:
    account = accounts.get_account(ctx, code)
    page = accounts.statement(ctx, code, limit=_LAST_POSTINGS)
    return render(
        request,
        "web/bo_accounts_account.html",
        {
            "account": account,
            "lines": page.lines,
            "more": page.next_cursor is not None,
            "ok": ok if ok in _OK else None,
            "here": account_path(account.code),
            "amount": amounts(request, ctx),
            "manages": ctx.actor.role in accounts.freeze.roles,
        },
        user=ctx.actor,
    )


@router.post("/gestion/comptes/{code}/geler", response_class=Response)
def freeze(
    request: Request,
    code: Code,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(accounts.freeze)],
) -> Response:
    accounts.freeze(ctx, code)
    return redirect(request, account_path(code) + "?ok=frozen")


@router.post("/gestion/comptes/{code}/degeler", response_class=Response)
def unfreeze(
    request: Request,
    code: Code,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(accounts.unfreeze)],
) -> Response:
    accounts.unfreeze(ctx, code)
    return redirect(request, account_path(code) + "?ok=unfrozen")


@router.post("/gestion/comptes/{code}/cloturer", response_class=Response)
def close(
    request: Request,
    code: Code,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(accounts.close)],
) -> Response:
    # Closing is final: the form's box says the consequences were read.
    if form_field(form, "confirm", limit=10) != "yes":
        raise InvalidRequest("tick the box to confirm the account is to be closed for good")
    accounts.close(ctx, code)
    return redirect(request, account_path(code) + "?ok=closed")
