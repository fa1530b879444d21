"""What every currency operation shares: its idempotency, its postings, its coverage guard.

An operation is a function on a connection run inside ``database.write``. It first claims
the caller's idempotency key, so a retried call returns the first call's result and writes
nothing (not even its own rows); then it posts its ledger transactions as one linked batch
under a key derived from the key it claimed; last, it checks that the reserve still covers
the circulation, and raises (rolling the whole operation back) when it would not.

The coverage guard refuses an operation that leaves the reserve below the circulation only
if the operation lowered the coverage. Books already short (a bank fee booked before the
association topped the reserve up, a till count found short) must not lock every
operation out: a conversion or an interest payment, which raise the coverage towards
100 %, still goes through, and so does a move that leaves it where it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from sqlalchemy import Connection, func, select

from monnaie_locale.clock import Clock
from monnaie_locale.deployment import (
    HOLDER_KINDS,
    NOTES_CIRCULATION,
    RECONVERSION_PENDING,
    RESERVE_DIGITAL,
    RESERVE_NOTES,
    TRANSIT,
    Deployment,
)
from monnaie_locale.errors import AccountNotActive, InvalidRequest
from monnaie_locale.ledger import service
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.ledger.idempotency import MAX_KEY_LENGTH, claim_key, record_result
from monnaie_locale.model import Account, AccountKind, AccountStatus, TransferRequest
from monnaie_locale.money import EUR
from monnaie_locale.operations.errors import CoverageViolation
from monnaie_locale.reserve import position
from monnaie_locale.store.tables import accounts, postings, transactions

__all__ = [
    "batch_effect",
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


def ensure_coverage(conn: Connection, deployment: Deployment, *, batch: str | None = None) -> None:
    """Raise :class:`CoverageViolation` if the reserve is now below the circulation and the
    operation that posted the ledger ``batch`` lowered the coverage to get there.

    Without ``batch``, any reserve below the circulation is refused. With it, the books as
    they were before the batch are worked out from its postings: an operation that raises
    the coverage (or leaves it as it was) is let through even while it is below 100 %.
    """
    now = position(conn, deployment)
    if now.reserve_total >= now.circulation:
        return
    if batch is not None:
        reserve_change, circulation_change = batch_effect(conn, deployment, batch)
        reserve_before = now.reserve_total - reserve_change
        circulation_before = now.circulation - circulation_change
        # reserve/circulation now >= before, both circulations above zero: cross-multiplied.
        if circulation_before > 0 and (
            now.reserve_total * circulation_before >= reserve_before * now.circulation
        ):
            return
    raise CoverageViolation(reserve=now.reserve_total, circulation=now.circulation)


_RESERVE_ACCOUNTS = (RESERVE_DIGITAL, RESERVE_NOTES, TRANSIT)
_IN_CIRCULATION = (NOTES_CIRCULATION, RECONVERSION_PENDING)
_DIGITAL = (*(str(kind) for kind in HOLDER_KINDS), str(AccountKind.ASSOCIATION))


def batch_effect(conn: Connection, deployment: Deployment, batch: str) -> tuple[int, int]:
    """How much the ledger ``batch`` changed the reserve and the circulation, counted as
    :func:`~monnaie_locale.reserve.position` counts them."""
    rows = conn.execute(
        select(accounts.c.code, accounts.c.kind, accounts.c.currency, func.sum(postings.c.amount))
        .join(postings, postings.c.account_id == accounts.c.id)
        .join(transactions, transactions.c.id == postings.c.transaction_id)
        .where(transactions.c.batch == batch)
        .group_by(accounts.c.code, accounts.c.kind, accounts.c.currency)
    ).all()
    reserve = circulation = 0
    for code, kind, currency, amount in rows:
        if currency == EUR.code:
            till = kind == str(AccountKind.EXCHANGE_OFFICE) and code.startswith("office:")
            if code in _RESERVE_ACCOUNTS or till:
                reserve -= int(amount)  # euro assets read negative
        elif currency == deployment.unit.code and (kind in _DIGITAL or code in _IN_CIRCULATION):
            circulation += int(amount)
    return reserve, circulation


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
