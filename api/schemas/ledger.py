"""Bodies of accounts, statements, transfers, transactions, holds and reversals."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field

from api.schemas.common import AccountCode, IsoMoment, Memo, RequestBody, ResponseBody
from api.schemas.money import AmountIn, AmountOut, amount_out, optional_amount_out
from monnaie_locale.ledger.history import StatementLine
from monnaie_locale.model import Account, Hold, Posting, Transaction
from monnaie_locale.sides import holder_side

__all__ = [
    "AccountOut",
    "AccountPage",
    "HoldIn",
    "HoldOut",
    "HoldPostIn",
    "ReversalIn",
    "StatementLineOut",
    "StatementPage",
    "TransactionOut",
    "TransferIn",
]


class AccountOut(ResponseBody):
    code: str = Field(examples=["alice"])
    display_name: str | None = Field(
        description="The holder's name as payers are shown it; null: the code is shown.",
        examples=["Boulangerie Etchegaray"],
    )
    kind: str = Field(examples=["member"])
    currency: str = Field(examples=["MLC"])
    status: str = Field(examples=["active"])
    balance: AmountOut = Field(
        description="The ledger's signed balance: credits positive, so the association's "
        "euro assets (reserve, tills, transit, operating account) read negative."
    )
    holder_balance: AmountOut = Field(
        description="The balance as its holder reads it: the reserve's euros read positive "
        "(see monnaie_locale.sides). Show this one to people."
    )
    held: AmountOut
    available: AmountOut | None = Field(
        description="What may still be spent; null for accounts without a lower limit."
    )
    lower_limit: AmountOut | None
    upper_limit: AmountOut | None

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        return cls(
            code=account.code,
            display_name=account.display_name,
            kind=str(account.kind),
            currency=account.currency,
            status=str(account.status),
            balance=amount_out(account.balance),
            holder_balance=amount_out(holder_side(account.balance, account)),
            held=amount_out(account.held),
            available=None if account.lower_limit is None else amount_out(account.available),
            lower_limit=optional_amount_out(account.lower_limit),
            upper_limit=optional_amount_out(account.upper_limit),
        )


class AccountPage(ResponseBody):
    items: list[AccountOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page.")


class StatementLineOut(ResponseBody):
    posting_id: int
    transaction_id: int
    kind: str = Field(examples=["transfer"])
    memo: str
    amount: AmountOut = Field(
        description="Signed as the ledger keeps it: positive credits the account. For the "
        "holder's side, multiply by the sign that holder_balance and balance of the "
        "account differ by."
    )
    balance_after: AmountOut = Field(description="The ledger's signed balance after it.")
    created_at: datetime

    @classmethod
    def of(cls, line: StatementLine) -> StatementLineOut:
        return cls(
            posting_id=line.posting.id,
            transaction_id=line.posting.transaction_id,
            kind=line.kind,
            memo=line.memo,
            amount=amount_out(line.posting.amount),
            balance_after=amount_out(line.posting.balance_after),
            created_at=line.posting.created_at,
        )


class StatementPage(ResponseBody):
    account: str
    items: list[StatementLineOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page.")


class PostingOut(ResponseBody):
    account: str
    currency: str
    amount: AmountOut = Field(description="Positive credits the account, negative debits it.")

    @classmethod
    def of(cls, posting: Posting) -> PostingOut:
        return cls(
            account=posting.account, currency=posting.currency, amount=amount_out(posting.amount)
        )


class TransactionOut(ResponseBody):
    id: int
    kind: str = Field(examples=["transfer"])
    memo: str
    reference: str | None
    created_at: datetime
    reverses: int | None = Field(description="The transaction this one reverses, if any.")
    postings: list[PostingOut]

    @classmethod
    def of(cls, transaction: Transaction) -> TransactionOut:
        return cls(
            id=transaction.id,
            kind=transaction.kind,
            memo=transaction.memo,
            reference=transaction.reference,
            created_at=transaction.created_at,
            reverses=transaction.reverses,
            postings=[PostingOut.of(p) for p in transaction.postings],
        )


class TransferIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"payer": "alice", "payee": "bakery", "amount": "12.50", "memo": "bread"}]
        },
    )

    payer: AccountCode
    payee: AccountCode
    amount: AmountIn
    memo: Memo = ""


class HoldIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "payer": "alice",
                    "payee": "bakery",
                    "amount": "20.00",
                    "expires_at": "2026-12-01T18:00:00+01:00",
                    "memo": "order 42",
                }
            ]
        },
    )

    payer: AccountCode
    payee: AccountCode
    amount: AmountIn
    expires_at: IsoMoment | None = None
    memo: Memo = ""


class HoldPostIn(RequestBody):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"amount": "15.00"}]})

    amount: AmountIn | None = Field(
        default=None, description="Post only part of the hold; the rest is released."
    )


class HoldOut(ResponseBody):
    id: int
    payer: str
    payee: str
    amount: AmountOut
    posted_amount: AmountOut
    status: str = Field(examples=["pending"])
    expires_at: datetime | None
    created_at: datetime
    transaction_id: int | None
    memo: str

    @classmethod
    def of(cls, hold: Hold) -> HoldOut:
        return cls(
            id=hold.id,
            payer=hold.debit_account,
            payee=hold.credit_account,
            amount=amount_out(hold.amount),
            posted_amount=amount_out(hold.posted_amount),
            status=str(hold.status),
            expires_at=hold.expires_at,
            created_at=hold.created_at,
            transaction_id=hold.transaction_id,
            memo=hold.memo,
        )


class ReversalIn(RequestBody):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"memo": "paid twice by mistake"}]}
    )

    memo: Memo = ""
