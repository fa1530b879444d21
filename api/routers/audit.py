"""Audit: verifying the hash-chained journal and every balance, as ``mlc audit verify``.

The answer is 200 whatever the books hold: ``ok`` false, with the first discrepancy and
its sequence number, is the finding an auditor asked for, not a failure of the request.
Verification reads only; unlike the command line it does not seal the queue first, and
counts what the service queued as ``unsealed`` (a queued row without the service's mark
is a discrepancy). What it cannot see is stated in the route's description, as in
``mlc audit verify --help``. The log of administrative acts (who created a user, froze
an account, changed a rule, and when) is read a page at a time, oldest first.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import acting
from api.problems import problem_responses
from api.schemas.audit import AdminActOut, AdminActsOut, VerificationOut
from api.schemas.common import MAX_ROW_ID
from monnaie_locale import admin_log
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


@router.get(
    "/acts",
    summary="The log of administrative acts: who did what to the currency's set-up, and when",
    description="Users created, disabled, enabled, unlocked, their passwords reset, accounts "
    "linked, tokens revoked; API keys created and revoked; accounts opened, imported, "
    "renamed, frozen, unfrozen, closed; rules changed; bank accounts added and changed; "
    "offices added and closed; periods closed; chart rules set and unset. Each row names "
    "its actor, their role, the act, its target and its arguments, never a secret. Oldest "
    "first, after after_id; filtered by actor (a user's name or subject) and act.",
    responses=problem_responses(401, 403, 422),
)
def administrative_acts(
    ctx: Annotated[Context, acting(audit.administrative_acts)],
    after_id: Annotated[int, Query(ge=0, le=MAX_ROW_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=admin_log.MAX_LIMIT)] = 100,
    actor: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    act: Annotated[str | None, Query(min_length=1, max_length=80)] = None,
) -> AdminActsOut:
    found = audit.administrative_acts(ctx, after_id=after_id, limit=limit + 1, actor=actor, act=act)
    page = found[:limit]
    more = len(found) > limit
    return AdminActsOut(
        acts=[AdminActOut.of(row) for row in page],
        next_after_id=page[-1].id if more else None,
    )
