"""The back-office's bank pages: the association's bank accounts, importing a statement,
and the reconciliation line by line, with matching by hand.

A statement is a camt.053 file (its IBAN names the account) or a French bank's CSV export
(for the account chosen); the import matches each line to what it settles (a conversion
order, a till deposit, a payout) and the page shows what it booked. A file imported
again is recognised and books nothing. The reconciliation shows each line of a statement
beside what it matched, or "not reconciled" with a form to match it by hand to a ledger
transaction of the account, and a form to undo any match (what a match booked stays
booked). Each page admits the back-office's people among its act's roles: the auditor
reads every page, and the acts refuse them every form.

==================================================  ========================================
Page                                                Who may open it
==================================================  ========================================
``GET /gestion/banque``                             the association's operators and
                                                    administrators, the auditor: the
                                                    accounts and the import form
``POST /gestion/banque/releves``                    the operators and administrators: a
                                                    statement file imported, and what it
                                                    booked
``GET /gestion/banque/rapprochement``               the operators, administrators and the
                                                    auditor: each account's latest
                                                    statement (``?compte=``, ``&releve=``:
                                                    one account's, one statement), line by
                                                    line
``POST /gestion/banque/lignes/{id}/rapprocher``     the operators and administrators: a
                                                    line matched by hand to a transaction
``POST /gestion/banque/lignes/{id}/defaire``        the same: a line's match undone
==================================================  ========================================
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request, Response
from starlette.datastructures import UploadFile

from api.web.back_office import back_office_of
from api.web.fields import euros_of
from api.web.rendering import PageRoute, redirect, render
from api.web.session import CheckedForm, form_field
from api.web.shop import Ok, form_key, new_key
from monnaie_locale.acting import Context
from monnaie_locale.acts import bank, reserve
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.operations.bank_accounts import (
    RESERVE_DIGITAL_ROLE,
    SETTINGS_NAME,
    BankAccount,
)
from monnaie_locale.operations.bank_reconciliation import AccountReconciliation
from monnaie_locale.operations.errors import UnknownRecord

__all__ = ["router"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

LineId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Name = Annotated[str | None, Query(max_length=60)]
StatementName = Annotated[str | None, Query(max_length=140)]
_OK = ("matched", "unmatched")
_FORMATS = ("auto", "camt053", "csv")


def _accounts(ctx: Context) -> list[BankAccount]:
    """The accounts entered; while there is none, the settings' reserve account stands for
    the digital reserve's (as for imports and payout files)."""
    entered = bank.list_bank_accounts(ctx)
    if entered or ctx.deployment.reserve_iban is None:
        return entered
    settings = BankAccount(
        id=None,
        name=SETTINGS_NAME,
        role=RESERVE_DIGITAL_ROLE,
        iban=ctx.deployment.reserve_iban,
        bic=ctx.deployment.reserve_bic,
    )
    return [settings]


def _may_match(ctx: Context) -> bool:
    # The auditor reads: the forms are not drawn for them (the acts refuse them anyway).
    return ctx.actor.role in bank.match_line.roles


@router.get("/gestion/banque", response_class=Response)
def bank_page(
    request: Request, ctx: Annotated[Context, back_office_of(bank.list_bank_accounts)]
) -> Response:
    accounts = _accounts(ctx)
    return render(
        request,
        "web/bo_bank_accounts.html",
        {
            "accounts": accounts,
            "entered": [account for account in accounts if account.id is not None],
            "may_import": ctx.actor.role in reserve.import_statement_file.roles,
            "key": new_key(),
        },
        user=ctx.actor,
    )


def _file_format(chosen: str, content: bytes) -> Literal["camt053", "csv"]:
    """The format chosen, or the file's own: a camt.053 file is XML, a CSV export is not."""
    if chosen not in _FORMATS:
        raise InvalidRequest(f"{chosen!r} is not a statement format (camt053 or csv)")
    if chosen == "camt053" or (chosen == "auto" and content.lstrip().startswith(b"<")):
        return "camt053"
    return "csv"


@router.post("/gestion/banque/releves", response_class=Response)
def import_statement(
    request: Request,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(reserve.import_statement_file)],
) -> Response:
    upload = form.get("file")
    content = upload.file.read() if isinstance(upload, UploadFile) else b""
    if not content:
        raise InvalidRequest("choose the statement file to import")
    account = form_field(form, "account", limit=60) or None
    results = reserve.import_statement_file(
        ctx,
        content,
        file_format=_file_format(form_field(form, "format", limit=10) or "auto", content),
        key=form_key(form),
        account=account,
    )
    # The import's own result, shown at once: sent again (a reload), the statement is found
    # already imported and books nothing; the form's key sent with another file is refused.
    return render(
        request,
        "web/bo_bank_imported.html",
        {"results": results, "euros": euros_of(request)},
        user=ctx.actor,
    )


def _reconciliations(
    ctx: Context, account: str | None, statement: str | None
) -> list[tuple[str, AccountReconciliation | None]]:
    """The account named (at the statement named), or each account's latest statement,
    by the account's name; ``None`` for an account with no statement yet."""
    names = [account] if account is not None else [item.name for item in _accounts(ctx)]
    found: list[tuple[str, AccountReconciliation | None]] = []
    for name in names:
        try:
            found.append((name, bank.reconciliation_report(ctx, name, statement)))
        except UnknownRecord:
            if statement is not None:
                raise  # a statement asked for by name that the account does not have
            found.append((name, None))
    return found


@router.get("/gestion/banque/rapprochement", response_class=Response)
def reconciliation_page(
    request: Request,
    ctx: Annotated[Context, back_office_of(bank.reconciliation_report)],
    compte: Name = None,
    releve: StatementName = None,
    ok: Ok = None,
) -> Response:
    return render(
        request,
        "web/bo_bank_reconciliation.html",
        {
            "reports": _reconciliations(ctx, compte or None, releve or None),
            "one_account": bool(compte),
            "may_match": _may_match(ctx),
            "ok": ok if ok in _OK else None,
            "euros": euros_of(request),
        },
        user=ctx.actor,
    )


def _transaction(form: Any) -> int:
    """The transaction chosen in the list, or the number typed, which wins."""
    text = form_field(form, "number", limit=20) or form_field(form, "transaction", limit=20)
    if not text.isdigit() or not 0 < int(text) < 2**63:
        raise InvalidRequest("choose a transaction of the account, or type its number")
    return int(text)


def _back_to(line: Any, ok: str) -> str:
    query = urlencode({"compte": line.bank_account, "releve": line.statement_id, "ok": ok})
    return f"/gestion/banque/rapprochement?{query}#ligne-{line.id}"


@router.post("/gestion/banque/lignes/{line_id:int}/rapprocher", response_class=Response)
def match_line(
    request: Request,
    line_id: LineId,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(bank.match_line)],
) -> Response:
    line = bank.match_line(ctx, line_id, transaction_id=_transaction(form))
    return redirect(request, _back_to(line, "matched"))


@router.post("/gestion/banque/lignes/{line_id:int}/defaire", response_class=Response)
def unmatch_line(
    request: Request,
    line_id: LineId,
    form: CheckedForm,
    ctx: Annotated[Context, back_office_of(bank.unmatch_line)],
) -> Response:
    line = bank.unmatch_line(ctx, line_id)
    return redirect(request, _back_to(line, "unmatched"))
