"""Bodies of the association's hand on accounts: opening one, renaming one, importing many."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import UploadFile
from pydantic import ConfigDict, Field

from api.schemas.common import TEXT_PATTERN, AccountCode, RequestBody, ResponseBody
from api.schemas.money import AmountOut, SignedAmountIn, optional_amount_out
from monnaie_locale.model import MAX_DISPLAY_NAME, AccountKind
from monnaie_locale.operations.account_import import AccountRow, ImportProblem

__all__ = [
    "AccountImportIn",
    "AccountImportOut",
    "AccountOpenIn",
    "AccountRenameIn",
    "ImportProblemOut",
    "ImportedAccountOut",
]

DisplayName = Annotated[str, Field(min_length=1, max_length=MAX_DISPLAY_NAME, pattern=TEXT_PATTERN)]
OwnerRef = Annotated[str, Field(min_length=1, max_length=120, pattern=TEXT_PATTERN)]
Category = Annotated[str, Field(min_length=1, max_length=40, pattern=TEXT_PATTERN)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{2,9}$", examples=["EUR"])]


class AccountOpenIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"code": "carol", "kind": "member", "owner_ref": "M-0042"},
                {
                    "code": "epicerie",
                    "kind": "business",
                    "display_name": "Épicerie du marché",
                    "category": "business_reduced",
                },
                {
                    "code": "association:events",
                    "kind": "association",
                    "currency": "EUR",
                    "lower_limit": None,
                    "upper_limit": "0",
                },
            ]
        },
    )

    code: AccountCode
    kind: AccountKind = Field(
        description="Who holds it. Association operators open member, business and "
        "authority accounts; the administrator also association and exchange_office ones. "
        "system accounts are opened by the deployment's set-up only "
        "(kind_opened_by_set_up)."
    )
    display_name: DisplayName | None = Field(
        default=None, description="The name payers are shown; without it, the code."
    )
    owner_ref: OwnerRef | None = Field(
        default=None, description="The holder's reference, such as a member number."
    )
    category: Category | None = Field(
        default=None,
        description="A reconversion fee category other than the kind's; one the deployment "
        "prices. Holder accounts only.",
    )
    currency: CurrencyCode | None = Field(
        default=None,
        description="The local unit if absent. Another currency (EUR) is for the administrator.",
    )
    lower_limit: SignedAmountIn | None = Field(
        default=None,
        description="Lowest balance allowed; absent: 0 (no overdraft); null: unbounded. "
        "Other than 0 is for the administrator.",
    )
    upper_limit: SignedAmountIn | None = Field(
        default=None,
        description="Highest balance allowed; absent: the deployment's for the kind; null: "
        "unbounded. Other than the deployment's is for the administrator.",
    )


class AccountRenameIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"display_name": "Boulangerie Etchegaray"}, {"display_name": None}]
        },
    )

    display_name: DisplayName | None = Field(
        description="The name payers are shown from now on; null shows the code again."
    )


IMPORT_EXAMPLE = (
    "code;kind;currency;owner;lower_limit;display_name\r\n"
    "carol;member;MLC;M-0042;0;\r\n"
    "epicerie;business;MLC;P-0107;0;Épicerie du marché\r\n"
)


class AccountImportIn(RequestBody):
    """A membership tool's CSV export, uploaded as a form with its file."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"file": IMPORT_EXAMPLE, "dry_run": True}]},
    )

    file: UploadFile = Field(
        description="CSV with a header line naming code, kind, currency, owner, lower_limit "
        "and optionally upper_limit and display_name; comma or semicolon separated."
    )
    dry_run: bool = Field(default=False, description="Check every line, open nothing.")
    encoding: str = Field(
        default="utf-8",
        max_length=40,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="The file's encoding, such as latin-1 or cp1252.",
    )


class ImportedAccountOut(ResponseBody):
    line: int = Field(description="The file's line (the header is line 1).", examples=[2])
    code: str = Field(examples=["carol"])
    kind: str = Field(examples=["member"])
    currency: str = Field(examples=["MLC"])
    owner_ref: str | None = Field(examples=["M-0042"])
    display_name: str | None = Field(examples=["Épicerie du marché"])
    lower_limit: AmountOut | None
    upper_limit: AmountOut | None

    @classmethod
    def of(cls, row: AccountRow) -> ImportedAccountOut:
        return cls(
            line=row.line,
            code=row.code,
            kind=str(row.kind),
            currency=row.currency,
            owner_ref=row.owner,
            display_name=row.display_name,
            lower_limit=optional_amount_out(row.lower_limit),
            upper_limit=optional_amount_out(row.upper_limit),
        )


class ImportProblemOut(ResponseBody):
    line: int = Field(description="The file's line (the header is line 1).", examples=[3])
    column: str | None = Field(description="The column at fault, if one is.", examples=["kind"])
    code: str = Field(description="A stable name for the problem.", examples=["kind"])
    message: str = Field(examples=["unknown kind 'alien'; one of: member, business, ..."])

    @classmethod
    def of(cls, problem: ImportProblem) -> ImportProblemOut:
        return cls(
            line=problem.line, column=problem.column, code=problem.key, message=problem.message
        )


class AccountImportOut(ResponseBody):
    """What a dry run would open, or what was opened. Like ``mlc accounts import --json``,
    with the accounts themselves beside their count, and no problem (else: 422)."""

    dry_run: bool
    count: int = Field(description="How many accounts would be, or were, opened.")
    accounts: list[ImportedAccountOut]
    problems: list[ImportProblemOut] = Field(
        description="Empty here: a file with problems is refused with 422 and this list."
    )


def import_refused_schema() -> dict[str, Any]:
    """The 422 of an import: a problem document that lists every problem of the file
    (``import_refused``), or a form that is not one (``validation_failed``, no list)."""
    return {
        "allOf": [
            {"$ref": "#/components/schemas/Problem"},
            {
                "type": "object",
                "properties": {
                    "problems": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/ImportProblemOut"},
                    }
                },
            },
        ]
    }
