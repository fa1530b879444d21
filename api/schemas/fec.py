"""Bodies of the FEC export: the accountant's own account plan, as JSON.

The same rules as the command line's ``--accounts-map`` CSV (``pattern,number,label
[,auxiliary][,currency]``), one object per line of it; they are tried, in order, before
the association's chart of accounts (:mod:`monnaie_locale.chart`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool

from api.schemas.common import TEXT_PATTERN, RequestBody
from api.schemas.operations import example
from monnaie_locale.exports import AccountRule

__all__ = ["AccountRuleIn", "FecAccountsMapIn"]

Text = Annotated[str, Field(min_length=1, max_length=120, pattern=TEXT_PATTERN)]


class AccountRuleIn(RequestBody):
    pattern: Text = Field(
        description="Ledger account codes it applies to, shell-style: association:fees, "
        "reserve:*, office:*:till.",
        examples=["association:fees"],
    )
    number: str = Field(
        max_length=20,
        pattern=r"^[1-9][0-9]{2,}$",
        description="The chart-of-accounts number (CompteNum).",
        examples=["706100"],
    )
    label: Text = Field(description="The account's label (CompteLib).", examples=["Commissions"])
    auxiliary: StrictBool = Field(
        default=False,
        description="Also name the ledger account as the auxiliary account (CompAuxNum).",
    )
    currency: str | None = Field(
        default=None,
        pattern=r"^[A-Z][A-Z0-9]{2,9}$",
        description="Only accounts in this currency; absent: any.",
        examples=["EUR"],
    )

    def rule(self) -> AccountRule:
        """The core's rule (which refuses, say, a label of spaces alone)."""
        return AccountRule(self.pattern, self.number, self.label, self.auxiliary, self.currency)


class FecAccountsMapIn(RequestBody):
    model_config = example(
        rules=[
            {"pattern": "association:fees", "number": "706100", "label": "Commissions"},
            {
                "pattern": "business:*",
                "number": "411000",
                "label": "Prestataires",
                "auxiliary": True,
                "currency": "MLC",
            },
        ]
    )

    rules: list[AccountRuleIn] = Field(
        min_length=1,
        max_length=500,
        description="Tried in order, before the association's chart of accounts; the first "
        "that matches wins.",
    )
