"""Bodies of the journal verification."""

from __future__ import annotations

from pydantic import Field

from api.schemas.common import ResponseBody
from monnaie_locale.journal import Discrepancy, Verification

__all__ = ["MAX_LISTED", "DiscrepancyOut", "VerificationOut"]

# Enough to act on; a broken database could otherwise answer with one line per account.
MAX_LISTED = 100


class DiscrepancyOut(ResponseBody):
    sequence: int | None = Field(
        description="The journal sequence number where the chain breaks; null for a "
        "finding about balances or the queue of unsealed transactions.",
        examples=[1234],
    )
    reason: str = Field(examples=["transaction 1234 differs from what was sealed"])

    @classmethod
    def of(cls, discrepancy: Discrepancy) -> DiscrepancyOut:
        return cls(sequence=discrepancy.sequence, reason=discrepancy.reason)


class VerificationOut(ResponseBody):
    ok: bool = Field(description="True when the journal and every balance check out.")
    entries: int = Field(description="Journal entries walked.")
    postings: int = Field(description="Postings whose hashes were recomputed.")
    accounts: int = Field(description="Accounts whose balance was recomputed.")
    unsealed: int = Field(
        description="Transactions committed but not yet chained into the journal "
        "(a moment's work for the sealer; not a discrepancy)."
    )
    first_discrepancy: DiscrepancyOut | None = Field(description="Null when ok.")
    discrepancy_count: int
    discrepancies: list[DiscrepancyOut] = Field(
        description=f"The discrepancies found, the first {MAX_LISTED} at most."
    )

    @classmethod
    def of(cls, result: Verification) -> VerificationOut:
        first = result.first
        return cls(
            ok=result.ok,
            entries=result.entries,
            postings=result.postings,
            accounts=result.accounts,
            unsealed=result.unsealed,
            first_discrepancy=None if first is None else DiscrepancyOut.of(first),
            discrepancy_count=len(result.discrepancies),
            discrepancies=[DiscrepancyOut.of(d) for d in result.discrepancies[:MAX_LISTED]],
        )
