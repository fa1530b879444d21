"""Audit: verifying the hash-chained journal and every balance, as ``mlc audit verify``.

The answer is 200 whatever the books hold: ``ok`` false, with the first discrepancy and
its sequence number, is the finding an auditor asked for, not a failure of the request.
Verification reads only; unlike the command line it does not seal the queue first, and
counts what the service queued as ``unsealed`` (a queued row without the service's mark
is a discrepancy). What it cannot see is stated in the route's description, as in
``mlc audit verify --help``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from api.deps import acting
from api.problems import problem_responses
from api.schemas.audit import VerificationOut
from monnaie_locale.acting import Context
from monnaie_locale.acts import audit

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get(
    "/journal",
    summary="Verify the journal: hashes, gap-free numbering, marks, head, balances",
    description="Recomputes the hash chain, checks the service's mark on each entry and "
    "on each queued transaction, compares the journal's end with its recorded head, and "
    "every balance with the sum of its postings. It cannot detect, without signed "
    "checkpoints kept outside the database: the newest transactions removed with their "
    "balances put back and the head rewound; forgeries written after dropping the "
    "database's triggers and erasing every mark; anything done by someone who holds the "
    "deployment's secret as well as write access to the database.",
    responses=problem_responses(401, 403),
)
def verify_journal(ctx: Annotated[Context, acting(audit.verify_journal)]) -> VerificationOut:
    # One snapshot of the books for the whole walk, so a commit landing meanwhile is no
    # discrepancy.
    return VerificationOut.of(audit.verify_journal(ctx))
