"""Paying reconversions: batches validated, exported as SEPA files, marked paid.

The association validates requests together in a batch, refused if ``reserve:digital``
could not pay them on top of the batches already validated and not yet paid. The batch
becomes one pain.001 credit transfer file for the bank. When the bank has paid, each
payout is marked paid with the bank's reference, which posts the request's hold and writes
DOMAIN entry 8: unit Dr reconversion:pending amount / Cr issuance payout /
Cr association:fees fee; EUR Dr external payout / Cr reserve:digital payout, and for the
fee EUR Dr external fee / Cr income:reconversion_fees fee (``external`` in one leg of
payout + fee): the fee is the association's income (706 in the chart of accounts, see
:mod:`monnaie_locale.exports.account_map`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, func, insert, select, update

from monnaie_locale.authorities.remittance import versement_remittance
from monnaie_locale.bank import BankFileError, Debtor, Payout, build_pain001
from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.deployment import (
    ASSOCIATION_FEES,
    EXTERNAL,
    INCOME_RECONVERSION_FEES,
    ISSUANCE,
    RECONVERSION_PENDING,
    RESERVE_DIGITAL,
    Deployment,
)
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger import service
from monnaie_locale.model import MAX_REFERENCE, Leg, TransferRequest, check_plain_text
from monnaie_locale.money import format_amount
from monnaie_locale.operations import bank_accounts
from monnaie_locale.operations.common import (
    claim_operation,
    ensure_coverage,
    finish_operation,
    post_entries,
)
from monnaie_locale.operations.errors import ReserveInsufficient, UnknownRecord, WrongState
from monnaie_locale.operations.reconversion import (
    Reconversion,
    end_to_end_id,
    load_reconversion,
)
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_operations import reconversion_batches, reconversions

__all__ = [
    "PayoutBatch",
    "export_batch",
    "load_batch",
    "mark_batch_paid",
    "mark_paid",
    "validate_batch",
]


@dataclass(frozen=True, slots=True)
class PayoutBatch:
    """Requests the association validated together, paid by one credit transfer file."""

    id: int
    status: str
    total_payout: int
    message_id: str | None
    validated_by: str
    request_ids: tuple[int, ...]
    created_at: datetime
    exported_at: datetime | None
    paid_at: datetime | None


def _committed_payouts(conn: Connection) -> int:
    """Payouts validated and not yet paid: already promised out of the reserve."""
    total = conn.execute(
        select(func.sum(reconversions.c.payout)).where(reconversions.c.status == "batched")
    ).scalar()
    return int(total or 0)


def _reserve_held(conn: Connection) -> int:
    """Euros on ``reserve:digital``, its row locked until commit on PostgreSQL.

    The lock queues two validations running at once, so they cannot both promise the
    same euros; SQLite's single writer already does.
    """
    balance = conn.execute(
        select(accounts.c.balance).where(accounts.c.code == RESERVE_DIGITAL).with_for_update()
    ).scalar_one()
    return -int(balance)


def validate_batch(
    conn: Connection,
    deployment: Deployment,
    *,
    request_ids: Sequence[int],
    validated_by: str,
    idempotency_key: str,
    clock: Clock,
) -> PayoutBatch:
    """Put requests in a batch to pay, if ``reserve:digital`` can pay them all."""
    ids = sorted(set(request_ids))
    if not ids:
        raise InvalidRequest("a payout batch needs at least one request")
    if not validated_by.strip():
        raise InvalidRequest("say who validates the batch")
    request = f"batch|{','.join(map(str, ids))}|{validated_by}"
    first = claim_operation(conn, idempotency_key, request=request, clock=clock)
    if first is not None:
        return load_batch(conn, int(first.removeprefix("batch:")))
    wanted = [load_reconversion(conn, request_id) for request_id in ids]
    for item in wanted:
        if item.status != "requested":
            raise WrongState("reconversion", item.id, item.status, "requested")
    total = sum(item.payout for item in wanted)
    available = _reserve_held(conn) - _committed_payouts(conn)
    if total > available:
        raise ReserveInsufficient(RESERVE_DIGITAL, needed=total, available=max(available, 0))
    batch_id = conn.execute(
        insert(reconversion_batches)
        .values(
            status="validated",
            total_payout=total,
            validated_by=validated_by.strip(),
            created_at=clock(),
        )
        .returning(reconversion_batches.c.id)
    ).scalar_one()
    changed = conn.execute(
        update(reconversions)
        .where(reconversions.c.id.in_(ids), reconversions.c.status == "requested")
        .values(status="batched", batch_id=batch_id)
    ).rowcount
    if changed != len(ids):
        raise WrongState("payout batch", batch_id, "changed meanwhile", "all requested")
    finish_operation(conn, idempotency_key, f"batch:{batch_id}")
    return load_batch(conn, batch_id)


def export_batch(
    conn: Connection,
    deployment: Deployment,
    *,
    batch_id: int,
    execution_date: date,
    clock: Clock,
) -> bytes:
    """The batch's pain.001 file, validated against its schema.

    Exporting again gives the same file for the same ``execution_date``: the message id and
    creation time are those of the first export.
    """
    batch = load_batch(conn, batch_id)
    if batch.status not in ("validated", "exported"):
        raise WrongState("payout batch", batch_id, batch.status, "validated or exported")
    # The digital reserve's bank account pays; MLC_RESERVE_IBAN only while none is entered.
    paying = bank_accounts.reserve_account(conn, deployment)
    if paying is None:
        raise InvalidRequest("the deployment has no reserve IBAN to pay from")
    created = batch.exported_at or clock()
    message_id = f"{deployment.unit.code}-PAYOUT-{batch_id}"
    payouts = [
        _payout(deployment, load_reconversion(conn, rid), versement_remittance(conn, rid))
        for rid in batch.request_ids
    ]
    debtor = Debtor(name=deployment.association_name, iban=paying.iban, bic=paying.bic)
    try:
        content = build_pain001(
            payouts,
            debtor=debtor,
            message_id=message_id,
            execution_date=execution_date,
            created_at=created,
        )
    except BankFileError as exc:
        raise InvalidRequest(f"the payout file cannot be built: {exc}") from exc
    if batch.status == "validated":
        conn.execute(
            update(reconversion_batches)
            .where(reconversion_batches.c.id == batch_id)
            .values(status="exported", message_id=message_id, exported_at=created)
        )
    return content


def _payout(deployment: Deployment, item: Reconversion, versement: str | None) -> Payout:
    """One transfer; a régie's versement names itself (see
    :mod:`monnaie_locale.authorities.remittance`), any other reconversion its amounts."""
    unit = deployment.unit.code
    return Payout(
        end_to_end_id=end_to_end_id(deployment, item.id),
        creditor_name=item.creditor_name,
        creditor_iban=item.iban,
        creditor_bic=item.bic,
        amount_cents=item.payout,
        remittance=versement
        or (
            f"Reconversion {format_amount(item.amount)} {unit}, fee {format_amount(item.fee)}, "
            f"ref {end_to_end_id(deployment, item.id)}"
        ),
    )


def mark_paid(
    conn: Connection,
    deployment: Deployment,
    *,
    request_id: int,
    bank_reference: str,
    clock: Clock,
) -> Reconversion:
    """Book a payout the bank made: post the hold and write the final entries (entry 8).

    Marking again with the same ``bank_reference`` returns the paid request unchanged.
    """
    check_plain_text(bank_reference, "bank reference", max_length=MAX_REFERENCE)
    item = load_reconversion(conn, request_id)
    if item.status == "paid" and item.bank_reference == bank_reference:
        return item
    if item.status != "batched" or item.batch_id is None:
        raise WrongState("reconversion", request_id, item.status, "in an exported batch")
    batch = load_batch(conn, item.batch_id)
    if batch.status != "exported":
        raise WrongState("payout batch", batch.id, batch.status, "exported")
    if not bank_reference.strip():
        raise InvalidRequest("give the bank's reference of the payout")
    service.post_hold(
        conn,
        item.hold_id,
        idempotency_key=f"reconversion:{item.id}:hold",
        clock=clock,
        kind="reconversion_hold",
    )
    legs = [
        Leg(RECONVERSION_PENDING, -item.amount),
        Leg(ISSUANCE, item.payout),
        # The payout's euros, and the fee's (income, see below): one leg, one account.
        Leg(EXTERNAL, -item.payout - item.fee),
        Leg(RESERVE_DIGITAL, item.payout),
    ]
    if item.fee:
        # The fee's units stay with the association; in euros, the fee is income (706).
        legs += [Leg(ASSOCIATION_FEES, item.fee), Leg(INCOME_RECONVERSION_FEES, item.fee)]
    entries = TransferRequest(
        legs=tuple(legs),
        kind="reconversion_paid",
        reference=end_to_end_id(deployment, item.id),
        memo=f"bank reference {bank_reference}",
    )
    ledger_batch = post_entries(conn, [entries], key=f"reconversion:{item.id}:paid", clock=clock)
    now = clock()
    conn.execute(
        update(reconversions)
        .where(reconversions.c.id == item.id, reconversions.c.status == "batched")
        .values(
            status="paid",
            bank_reference=bank_reference,
            settled_at=now,
            transaction_batch=ledger_batch,
        )
    )
    _close_batch_if_paid(conn, batch.id, now=now)
    ensure_coverage(conn, deployment, batch=ledger_batch)
    return load_reconversion(conn, item.id)


def mark_batch_paid(
    conn: Connection,
    deployment: Deployment,
    *,
    batch_id: int,
    bank_reference: str,
    clock: Clock,
) -> PayoutBatch:
    """Book every payout of a batch the bank paid as one remittance."""
    batch = load_batch(conn, batch_id)
    if batch.status == "paid":
        return batch
    for request_id in batch.request_ids:
        mark_paid(
            conn, deployment, request_id=request_id, bank_reference=bank_reference, clock=clock
        )
    return load_batch(conn, batch_id)


def _close_batch_if_paid(conn: Connection, batch_id: int, *, now: datetime) -> None:
    unpaid = conn.execute(
        select(func.count()).where(
            reconversions.c.batch_id == batch_id, reconversions.c.status != "paid"
        )
    ).scalar_one()
    if unpaid == 0:
        conn.execute(
            update(reconversion_batches)
            .where(reconversion_batches.c.id == batch_id)
            .values(status="paid", paid_at=now)
        )


def load_batch(conn: Connection, batch_id: int) -> PayoutBatch:
    row = conn.execute(
        select(reconversion_batches).where(reconversion_batches.c.id == batch_id)
    ).first()
    if row is None:
        raise UnknownRecord("payout batch", batch_id)
    ids = conn.execute(
        select(reconversions.c.id)
        .where(reconversions.c.batch_id == batch_id)
        .order_by(reconversions.c.id)
    ).scalars()
    return PayoutBatch(
        id=row.id,
        status=row.status,
        total_payout=row.total_payout,
        message_id=row.message_id,
        validated_by=row.validated_by,
        request_ids=tuple(int(i) for i in ids),
        created_at=as_utc(row.created_at),
        exported_at=as_utc(row.exported_at) if row.exported_at else None,
        paid_at=as_utc(row.paid_at) if row.paid_at else None,
    )
