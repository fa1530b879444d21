"""Bank accounts and reconciliation: statements from the association's banks, matched to
the books.

The association's bank accounts are data: each has a role naming the ledger account its
statements are compared with (``reserve_digital``, ``reserve_notes``, ``operating``), and
an IBAN checked when it is entered. A statement upload is a camt.053 file (its IBAN names
the account) or a CSV export (``account`` names it); each line is matched to what it
settles (a conversion order, a till deposit, a payout) and the result says what matched,
what did not, and how the bank's closing balance compares with the books at the closing
date. A statement imported twice is recognised (same file, or same account and statement
id) and changes nothing the second time; the idempotency key, as on every call that moves
money, refuses a key reused for another file (see
:func:`monnaie_locale.acts.reserve.import_statement_file`). Lines can be matched to a
ledger transaction by hand and unmatched; none of these moves money, so none takes an
``Idempotency-Key``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query

from api.deps import IdempotencyKey, acting
from api.problems import problem_responses
from api.schemas.bank import (
    AccountReconciliationOut,
    BankAccountChangeIn,
    BankAccountIn,
    BankAccountOut,
    BankLineOut,
    MatchIn,
)
from api.schemas.operations import BankStatementIn, ReconciliationOut
from monnaie_locale.acting import Context
from monnaie_locale.acts import bank, reserve

router = APIRouter(prefix="/v1/bank", tags=["bank reconciliation"])

AccountName = Annotated[str, Path(min_length=1, max_length=60)]
LineNumber = Annotated[int, Path(ge=1, le=2**63 - 1)]


@router.post(
    "/statements",
    summary="Import a statement of one of the association's bank accounts and reconcile it",
    description="A statement already imported (the same file, or the same account and "
    "statement id) is recognised: the result says so, and nothing moves again.",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
def import_statement(
    body: Annotated[BankStatementIn, Form(media_type="multipart/form-data")],
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(reserve.import_statement_file)],
) -> list[ReconciliationOut]:
    results = reserve.import_statement_file(
        ctx,
        body.file.file.read(),
        file_format=body.file_format,
        key=idempotency_key,
        account=body.account,
    )
    return [ReconciliationOut.of(item) for item in results]


@router.get(
    "/accounts",
    summary="The association's bank accounts and the ledger account each stands for",
    responses=problem_responses(401, 403),
)
def list_accounts(
    ctx: Annotated[Context, acting(bank.list_bank_accounts)],
) -> list[BankAccountOut]:
    return [BankAccountOut.of(item) for item in bank.list_bank_accounts(ctx)]


@router.post(
    "/accounts",
    status_code=201,
    summary="Enter a bank account; its IBAN and BIC are checked now",
    description="One account per role. An invalid IBAN or BIC is refused "
    "(invalid_bank_details, saying what to fix) and nothing is written.",
    responses=problem_responses(400, 401, 403, 409, 413, 422),
)
def add_account(
    body: BankAccountIn, ctx: Annotated[Context, acting(bank.add_bank_account)]
) -> BankAccountOut:
    return BankAccountOut.of(
        bank.add_bank_account(ctx, body.name, role=body.role, iban=body.iban, bic=body.bic)
    )


@router.patch(
    "/accounts/{name}",
    summary="Change a bank account's IBAN, BIC or name, checked as on entry",
    responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
)
def change_account(
    name: AccountName,
    body: BankAccountChangeIn,
    ctx: Annotated[Context, acting(bank.change_bank_account)],
) -> BankAccountOut:
    return BankAccountOut.of(
        bank.change_bank_account(ctx, name, iban=body.iban, bic=body.bic, new_name=body.name)
    )


@router.get(
    "/accounts/{name}/reconciliation",
    summary="A statement of the account beside its ledger account at the closing date",
    description="The latest statement unless one is named. The difference is 0.00 when "
    "every line and every posting of the period is matched.",
    responses=problem_responses(401, 403, 404, 422),
)
def reconciliation(
    name: AccountName,
    ctx: Annotated[Context, acting(bank.reconciliation_report)],
    statement: Annotated[str | None, Query(max_length=140)] = None,
) -> AccountReconciliationOut:
    return AccountReconciliationOut.of(bank.reconciliation_report(ctx, name, statement))


@router.get(
    "/lines/{line}",
    summary="A bank line, what it is matched to, and the changes made by hand",
    responses=problem_responses(401, 403, 404, 422),
)
def get_line(line: LineNumber, ctx: Annotated[Context, acting(bank.bank_line)]) -> BankLineOut:
    return BankLineOut.of(bank.bank_line(ctx, line))


@router.post(
    "/lines/{line}/match",
    summary="Match a bank line to a ledger transaction by hand",
    description="Refused when the line is matched already, or the transaction does not "
    "move the line's ledger account. Who and when are kept.",
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
def match(
    line: LineNumber, body: MatchIn, ctx: Annotated[Context, acting(bank.match_line)]
) -> BankLineOut:
    return BankLineOut.of(bank.match_line(ctx, line, transaction_id=body.transaction_id))


@router.post(
    "/lines/{line}/unmatch",
    summary="Undo a bank line's match; what the match booked stays booked",
    responses=problem_responses(401, 403, 404, 409, 422),
)
def unmatch(line: LineNumber, ctx: Annotated[Context, acting(bank.unmatch_line)]) -> BankLineOut:
    return BankLineOut.of(bank.unmatch_line(ctx, line))
