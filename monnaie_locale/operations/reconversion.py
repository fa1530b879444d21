"""Reconversion requests: units go back, euros will go out, minus the association's fee.

Only businesses may reconvert, and authorities under their convention; members only when the
deployment allows it. Every payout IBAN (and BIC, when given) is validated before a request
is accepted. A request holds the units on the account, toward ``reconversion:pending``, and
fixes the fee of the account's category, so the business knows what it will receive. A
request not yet in a batch may be cancelled: the hold is released and nothing moves. The
batches that pay requests are in :mod:`monnaie_locale.operations.payouts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from monnaie_locale.authorities.remittance import versement_remittance
from monnaie_locale.bank import (
    InvalidBic,
    InvalidIban,
    validate_account,
)
from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.deployment import (
    RECONVERSION_PENDING,
    Deployment,
    category_of,
)
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger import service
from monnaie_locale.model import Account, AccountKind, check_plain_text, check_positive
from monnaie_locale.money import format_amount
from monnaie_locale.operations.common import (
    claim_operation,
    finish_operation,
    holder_account,
)
from monnaie_locale.operations.errors import (
    InvalidPayoutAccount,
    OperationNotAllowed,
    UnknownRecord,
    WrongState,
)
from monnaie_locale.rules import in_force
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_operations import reconversions

__all__ = [
    "Reconversion",
    "ReconversionQuote",
    "cancel_reconversion",
    "end_to_end_id",
    "list_reconversions",
    "load_reconversion",
    "quote_reconversion",
    "request_reconversion",
]


@dataclass(frozen=True, slots=True)
class Reconversion:
    """A reconversion request; ``amount`` = ``payout`` (euros wired) + ``fee`` (units kept)."""

    id: int
    account: str
    amount: int
    fee: int
    payout: int
    category: str
    creditor_name: str
    iban: str
    bic: str | None
    hold_id: int
    status: str
    batch_id: int | None
    bank_reference: str | None
    transaction_batch: str | None
    created_at: datetime
    settled_at: datetime | None
    # The rule change whose fee applied (see monnaie_locale.rules); None: the settings'.
    fee_rule: int | None = None


def end_to_end_id(deployment: Deployment, request_id: int) -> str:
    """The id a payout carries through the banks, back to the bank statement."""
    return f"{deployment.unit.code}-RC-{request_id}"


def _check_allowed(deployment: Deployment, account: Account) -> None:
    if account.kind is AccountKind.BUSINESS:
        return
    if account.kind is AccountKind.AUTHORITY and deployment.authorities_may_reconvert:
        return
    if account.kind is AccountKind.MEMBER and deployment.members_may_reconvert:
        return
    raise OperationNotAllowed(
        account.code,
        "reconvert units into euros",
        f"this deployment does not let {account.kind} accounts reconvert",
    )


def _payout_account(iban: str, bic: str | None) -> tuple[str, str | None]:
    try:
        return validate_account(iban, bic=bic)
    except (InvalidIban, InvalidBic) as exc:
        raise InvalidPayoutAccount(exc.value, exc.reason) from exc


@dataclass(frozen=True, slots=True)
class ReconversionQuote:
    """What a request of ``amount`` from ``account`` would cost and pay out, today."""

    account: str
    amount: int
    fee: int
    payout: int
    category: str
    # The rule change whose fee applies (see monnaie_locale.rules); None: the settings'.
    fee_rule: int | None


def _priced(
    conn: Connection,
    deployment: Deployment,
    *,
    account: str,
    amount: int,
    clock: Clock,
    convention_fee_bps: int | None = None,
) -> tuple[Account, ReconversionQuote]:
    """The account, and the fee a request of ``amount`` pays under today's rules; refused
    as the request itself would be (not a holder, not allowed to reconvert, all fee).

    ``convention_fee_bps``: a régie's versement, whose convention with the association
    allows it and fixes its fee, in place of the deployment's rules (see
    :mod:`monnaie_locale.authorities.versements`).
    """
    check_positive(amount)
    deployment = in_force(conn, deployment, on=clock().date())
    holder = holder_account(conn, deployment, account)
    category = category_of(conn, holder)
    if convention_fee_bps is None:
        _check_allowed(deployment, holder)
        fee = deployment.fee_for(amount, category=category)
    else:
        fee = (amount * convention_fee_bps + 5_000) // 10_000  # half up, as fee_for
    if fee >= amount:
        raise InvalidRequest(f"after the fee of {format_amount(fee)} nothing would be paid out")
    return holder, ReconversionQuote(
        account=account,
        amount=amount,
        fee=fee,
        payout=amount - fee,
        category=category,
        fee_rule=None
        if convention_fee_bps is not None
        else deployment.rule_versions.get(f"reconversion_fee.{category}"),
    )


def quote_reconversion(
    conn: Connection, deployment: Deployment, *, account: str, amount: int, clock: Clock
) -> ReconversionQuote:
    """The fee and the euros a request of ``amount`` from ``account`` would fix now: the
    request's own computation, so the preview and the request never disagree. Nothing is
    written."""
    return _priced(conn, deployment, account=account, amount=amount, clock=clock)[1]


def request_reconversion(
    conn: Connection,
    deployment: Deployment,
    *,
    account: str,
    amount: int,
    creditor_name: str,
    iban: str,
    bic: str | None = None,
    idempotency_key: str,
    clock: Clock,
    convention_fee_bps: int | None = None,
) -> Reconversion:
    """Hold ``amount`` on ``account`` for a payout to ``iban`` (validated first);
    ``convention_fee_bps`` as for :func:`quote_reconversion`'s pricing (a versement)."""
    request = f"reconversion|{account}|{amount}|{creditor_name}|{iban}|{bic}"
    first = claim_operation(conn, idempotency_key, request=request, clock=clock)
    if first is not None:
        return load_reconversion(conn, int(first.removeprefix("reconversion:")))
    holder, quoted = _priced(
        conn,
        deployment,
        account=account,
        amount=amount,
        clock=clock,
        convention_fee_bps=convention_fee_bps,
    )
    compact_iban, compact_bic = _payout_account(iban, bic)
    if not creditor_name.strip():
        raise InvalidRequest("a payout needs the name of the account's holder")
    # The name goes into the pain.001 file (XML, where most control characters are not even
    # allowed) as a Max140Text.
    check_plain_text(creditor_name, "creditor name", max_length=140)
    hold = service.place_hold(
        conn,
        debit=account,
        credit=RECONVERSION_PENDING,
        amount=amount,
        idempotency_key=f"{idempotency_key}/hold",
        clock=clock,
        memo=f"reconversion to {compact_iban}",
    )
    request_id = conn.execute(
        insert(reconversions)
        .values(
            account_id=holder.id,
            amount=amount,
            fee=quoted.fee,
            payout=quoted.payout,
            category=quoted.category,
            creditor_name=creditor_name.strip(),
            iban=compact_iban,
            bic=compact_bic,
            hold_id=hold.id,
            status="requested",
            created_at=clock(),
            fee_rule=quoted.fee_rule,
        )
        .returning(reconversions.c.id)
    ).scalar_one()
    finish_operation(conn, idempotency_key, f"reconversion:{request_id}")
    return load_reconversion(conn, request_id)


def cancel_reconversion(conn: Connection, *, request_id: int, clock: Clock) -> Reconversion:
    """Release the units of a request not yet in a batch; never a régie's versement's,
    whose quittances are paid in by it (the état de versement is the public accountant's)."""
    current = load_reconversion(conn, request_id)
    if versement_remittance(conn, request_id) is not None:
        raise InvalidRequest(
            f"reconversion {request_id} pays in a régie's versement: it is paid with the "
            "association's batches, not cancelled"
        )
    now = clock()
    changed = conn.execute(
        update(reconversions)
        .where(reconversions.c.id == request_id, reconversions.c.status == "requested")
        .values(status="cancelled", settled_at=now)
    ).rowcount
    if changed != 1:
        raise WrongState("reconversion", request_id, current.status, "requested")
    service.void_hold(conn, current.hold_id, clock=clock)
    return load_reconversion(conn, request_id)


def load_reconversion(conn: Connection, request_id: int) -> Reconversion:
    row = conn.execute(
        select(reconversions, accounts.c.code.label("account_code"))
        .join(accounts, accounts.c.id == reconversions.c.account_id)
        .where(reconversions.c.id == request_id)
    ).first()
    if row is None:
        raise UnknownRecord("reconversion", request_id)
    return _from_row(row)


def list_reconversions(
    conn: Connection, *, status: str | None = None, account: str | None = None
) -> list[Reconversion]:
    """Every request, or those with ``status``, or from ``account``, oldest first."""
    query = (
        select(reconversions, accounts.c.code.label("account_code"))
        .join(accounts, accounts.c.id == reconversions.c.account_id)
        .order_by(reconversions.c.id)
    )
    if status is not None:
        query = query.where(reconversions.c.status == status)
    if account is not None:
        query = query.where(accounts.c.code == account)
    return [_from_row(row) for row in conn.execute(query)]


def _from_row(row: Any) -> Reconversion:
    return Reconversion(
        id=row.id,
        account=row.account_code,
        amount=row.amount,
        fee=row.fee,
        payout=row.payout,
        category=row.category,
        creditor_name=row.creditor_name,
        iban=row.iban,
        bic=row.bic,
        hold_id=row.hold_id,
        status=row.status,
        batch_id=row.batch_id,
        bank_reference=row.bank_reference,
        transaction_batch=row.transaction_batch,
        created_at=as_utc(row.created_at),
        settled_at=as_utc(row.settled_at) if row.settled_at else None,
        fee_rule=row.fee_rule,
    )
