"""What every currency operation shares: its idempotency, its postings, its coverage guard.

An operation is a function on a connection run inside ``database.write``. It first claims
the caller's idempotency key, so a retried call returns the first call's result and writes
nothing (not even its own rows); then it posts its ledger transactions as one linked batch
under a key derived from the key it claimed; last, it checks that the reserve still covers
the circulation, and raises (rolling the whole operation back) when it would not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from sqlalchemy import Connection

from monnaie_locale.clock import Clock
from monnaie_locale.deployment import HOLDER_KINDS, Deployment
from monnaie_locale.errors import AccountNotActive, InvalidRequest
from monnaie_locale.ledger import service
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.ledger.idempotency import MAX_KEY_LENGTH, claim_key, record_result
from monnaie_locale.model import Account, AccountStatus, TransferRequest
from monnaie_locale.operations.errors import CoverageViolation
from monnaie_locale.reserve import position

__all__ = [
    "claim_operation",
    "ensure_coverage",
    "finish_operation",
    "holder_account",
    "post_entries",
]

# Room for the suffix of the ledger key derived from an operation's key.
MAX_OPERATION_KEY = MAX_KEY_LENGTH - 8


def claim_operation(conn: Connection, key: str, *, request: str, clock: Clock) -> str | None:
    """Claim ``key`` for the operation described by ``request``.

    Returns ``None`` when the call is the first with this key (go on, then call
    :func:`finish_operation`), or the result reference the first call recorded.
    """
    if not key or len(key) > MAX_OPERATION_KEY:
        raise InvalidRequest(f"an idempotency key is 1 to {MAX_OPERATION_KEY} characters")
    claim = claim_key(conn, key, fingerprint=f"operation|{request}", now=clock())
    return None if claim.fresh else claim.result_ref


def finish_operation(conn: Connection, key: str, result_ref: str) -> None:
    """Record what the first call with ``key`` produced, for its retries to find."""
    record_result(conn, key, result_ref)


def post_entries(
    conn: Connection,
    requests: Sequence[TransferRequest],
    *,
    key: str,
    clock: Clock,
    on: date | None = None,
) -> str:
    """Post ``requests`` as one linked batch, all or nothing; return the batch id.

    ``on``, when given, dates every entry (the day the operation happened).
    """
    if on is not None:
        requests = [replace(request, on=on) for request in requests]
    written = service.post_batch(conn, requests, idempotency_key=f"{key}/entries", clock=clock)
    batch = written[0].batch
    assert batch is not None  # post_batch always links what it writes
    return batch


def ensure_coverage(conn: Connection, deployment: Deployment) -> None:
    """Raise :class:`CoverageViolation` if the reserve is now below the circulation."""
    now = position(conn, deployment)
    if now.reserve_total < now.circulation:
        raise CoverageViolation(reserve=now.reserve_total, circulation=now.circulation)


def holder_account(conn: Connection, deployment: Deployment, code: str) -> Account:
    """An active member's, business's or authority's account in the deployment's unit."""
    account = get_account(conn, code)
    if account.status is not AccountStatus.ACTIVE:
        raise AccountNotActive(code, str(account.status))
    if account.kind not in HOLDER_KINDS or account.currency != deployment.unit.code:
        raise InvalidRequest(
            f"account {code} is not a member, business or authority account in "
            f"{deployment.unit.code}"
        )
    return account
