"""Bodies of the journal verification."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from api.schemas.common import ResponseBody
from monnaie_locale.admin_log import AdminAct
from monnaie_locale.journal import Discrepancy, Verification

__all__ = ["MAX_LISTED", "AdminActOut", "AdminActsOut", "DiscrepancyOut", "VerificationOut"]

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


class AdminActOut(ResponseBody):
    id: int = Field(description="The row's number: pass it as after_id for the next page.")
    done_at: datetime
    actor: str = Field(description="Who acted: user:<id> or key:<id>.", examples=["user:1"])
    actor_name: str = Field(description="Their name when they acted.", examples=["admin"])
    role: str = Field(description="Their role when they acted.", examples=["admin"])
    act: str = Field(description="The act, as module.function.", examples=["users.disable"])
    target: str = Field(description="What it was done to.", examples=["alice"])
    summary: dict[str, Any] = Field(
        description="The act's arguments that say what was done; never a secret.",
        examples=[{"role": "member", "accounts": []}],
    )

    @classmethod
    def of(cls, row: AdminAct) -> AdminActOut:
        return cls(
            id=row.id,
            done_at=row.done_at,
            actor=row.actor,
            actor_name=row.actor_name,
            role=row.role,
            act=row.act,
            target=row.target,
            summary=row.summary,
        )


class AdminActsOut(ResponseBody):
    acts: list[AdminActOut] = Field(description="Oldest first.")
    next_after_id: int | None = Field(
        description="Pass as after_id for the next page; null on the last."
    )
