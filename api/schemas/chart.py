"""Bodies of the chart of accounts and of the association's income statement and balance
sheet (see :mod:`monnaie_locale.chart` and :mod:`monnaie_locale.books_report`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, StrictBool

from api.schemas.common import TEXT_PATTERN, RequestBody, ResponseBody
from api.schemas.money import AmountOut, amount_out
from api.schemas.operations import example
from monnaie_locale.books_report import BalanceSheet, IncomeStatement, ReportLine
from monnaie_locale.chart import ChartOfAccounts
from monnaie_locale.exports import AccountRule

__all__ = [
    "BalanceSheetOut",
    "ChartOut",
    "ChartRuleIn",
    "ChartRuleOut",
    "IncomeStatementOut",
]

Text = Annotated[str, Field(min_length=1, max_length=120, pattern=TEXT_PATTERN)]


class ChartRuleIn(RequestBody):
    model_config = example(pattern="association:fees", number="706100", label="Commissions")

    pattern: Text = Field(
        description="Ledger account codes it applies to, shell-style: income:*, reserve:digital.",
        examples=["income:*"],
    )
    number: str = Field(
        max_length=20,
        pattern=r"^[1-9][0-9]{2,}$",
        description="The chart of accounts (PCG) number.",
        examples=["706100"],
    )
    label: Text = Field(description="The account's label.", examples=["Commissions"])
    auxiliary: StrictBool = Field(
        default=False, description="Also name the ledger account as the auxiliary account."
    )
    currency: str | None = Field(
        default=None,
        pattern=r"^[A-Z][A-Z0-9]{2,9}$",
        description="Only accounts in this currency; absent: any.",
        examples=["EUR"],
    )


class ChartRuleOut(ResponseBody):
    pattern: str
    currency: str | None
    number: str
    label: str
    auxiliary: bool

    @classmethod
    def of(cls, rule: AccountRule) -> ChartRuleOut:
        return cls(
            pattern=rule.pattern,
            currency=rule.currency,
            number=rule.number,
            label=rule.label,
            auxiliary=rule.auxiliary,
        )


class ChartLineOut(ResponseBody):
    code: str = Field(description="A ledger account, or (member) for a kind of holder.")
    kind: str
    currency: str
    number: str
    label: str
    auxiliary: bool
    source: str = Field(description="association (a rule of its own) or built-in.")


class ChartOut(ResponseBody):
    """The association's rules, and the chart account of each account of the books."""

    rules: list[ChartRuleOut]
    accounts: list[ChartLineOut]

    @classmethod
    def of(cls, found: ChartOfAccounts) -> ChartOut:
        return cls(
            rules=[ChartRuleOut.of(rule) for rule in found.rules],
            accounts=[
                ChartLineOut(
                    code=line.code,
                    kind=line.kind,
                    currency=line.currency,
                    number=line.number,
                    label=line.label,
                    auxiliary=line.auxiliary,
                    source=line.source,
                )
                for line in found.accounts
            ],
        )


class ReportLineOut(ResponseBody):
    number: str = Field(examples=["756000"])
    label: str = Field(examples=["Cotisations"])
    amount: AmountOut

    @classmethod
    def of(cls, line: ReportLine) -> ReportLineOut:
        return cls(number=line.number, label=line.label, amount=amount_out(line.amount))


class IncomeStatementOut(ResponseBody):
    """Income (class 7) and expenses (class 6) of the period; result = income - expenses."""

    start: date | None
    end: date | None
    income: list[ReportLineOut]
    expenses: list[ReportLineOut]
    total_income: AmountOut
    total_expenses: AmountOut
    result: AmountOut

    @classmethod
    def of(cls, statement: IncomeStatement) -> IncomeStatementOut:
        return cls(
            start=statement.start,
            end=statement.end,
            income=[ReportLineOut.of(line) for line in statement.income],
            expenses=[ReportLineOut.of(line) for line in statement.expenses],
            total_income=amount_out(statement.total_income),
            total_expenses=amount_out(statement.total_expenses),
            result=amount_out(statement.result),
        )


class BalanceSheetOut(ResponseBody):
    """Balances at the end of ``end``: assets, then debts and the association's funds."""

    end: date | None
    assets: list[ReportLineOut]
    liabilities: list[ReportLineOut]
    retained: AmountOut = Field(description="The results of the periods before the start.")
    result: AmountOut = Field(description="The period's result.")
    total_assets: AmountOut
    total_liabilities: AmountOut = Field(description="Debts, retained results and the result.")
    balanced: bool
    reserve: AmountOut = Field(description="The reserve, as the reserve report counts it.")
    circulation: AmountOut = Field(description="Units in circulation, as the reserve report.")
    association_units: AmountOut = Field(description="Of which the association's own units.")

    @classmethod
    def of(cls, sheet: BalanceSheet) -> BalanceSheetOut:
        return cls(
            end=sheet.end,
            assets=[ReportLineOut.of(line) for line in sheet.assets],
            liabilities=[ReportLineOut.of(line) for line in sheet.liabilities],
            retained=amount_out(sheet.retained),
            result=amount_out(sheet.result),
            total_assets=amount_out(sheet.total_assets),
            total_liabilities=amount_out(sheet.total_liabilities),
            balanced=sheet.balanced,
            reserve=amount_out(sheet.reserve),
            circulation=amount_out(sheet.circulation),
            association_units=amount_out(sheet.association_units),
        )
