"""Exchange offices: closing the till each day, and banking its cash.

A till is a euro account that reads minus the cash it should hold. At closing the office
counts its cash; the difference with the books is booked at once (DOMAIN entry 12), so the
till always reads what is really in the drawer:

* cash missing: EUR Dr association:losses / Cr till. The reserve has lost those euros, so
  the association replaces them with its own, in the same operation: EUR Dr reserve:notes /
  Cr association:operating. A closing the association cannot fund is refused (coverage).
* cash in excess: EUR Dr till / Cr association:losses. The reserve then holds more than the
  circulation; the report shows the surplus.

Banking the till (DOMAIN entry 5) goes through ``transit``: EUR Dr transit / Cr till when
the cash leaves the office, then Dr reserve:notes / Cr transit when the bank shows it. Cash
in transit stays in the reserve: it is the association's, only on the road. The deposit's
reference (``MLC-TD-12``), written on the bank's deposit slip, comes back on the statement,
where the reconciliation finds it and receives the deposit.

Closing an office for good (:func:`close_office`) closes its till and its note stock, so
neither takes another operation. It is refused while the till holds cash or the stock
holds notes: the cash is banked and the notes returned to the vault first, so that closing
never hides money.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from monnaie_locale.clock import Clock, as_utc
from monnaie_locale.deployment import (
    ASSOCIATION_LOSSES,
    ASSOCIATION_OPERATING,
    RESERVE_NOTES,
    TRANSIT,
    Deployment,
    office_notes,
    office_till,
)
from monnaie_locale.errors import InvalidAmount, InvalidRequest
from monnaie_locale.ledger.accounts import get_account, set_status
from monnaie_locale.model import (
    MAX_REFERENCE,
    AccountStatus,
    TransferRequest,
    check_plain_text,
    check_positive,
)
from monnaie_locale.operations.common import (
    claim_operation,
    ensure_coverage,
    finish_operation,
    post_entries,
)
from monnaie_locale.operations.errors import OfficeNotEmpty, UnknownRecord, WrongState
from monnaie_locale.store.tables_operations import note_stocks, office_closings, till_deposits

__all__ = [
    "ClosedOffice",
    "OfficeClosing",
    "OfficeDesk",
    "TillDeposit",
    "bank_till",
    "close_office",
    "close_till",
    "load_closing",
    "load_till_deposit",
    "office_desk",
    "receive_till_deposit",
    "till_cash",
    "till_deposit_reference",
]


@dataclass(frozen=True, slots=True)
class OfficeClosing:
    """A till count: what the books expected, what was counted, the difference booked."""

    id: int
    office: str
    expected: int
    counted: int
    difference: int
    transaction_batch: str | None
    closed_at: datetime


@dataclass(frozen=True, slots=True)
class TillDeposit:
    """Cash taken from a till to the bank."""

    id: int
    office: str
    amount: int
    status: str
    # Ours, for the deposit slip (see till_deposit_reference); bank_reference is the bank's.
    reference: str
    bank_reference: str | None
    created_at: datetime
    received_at: datetime | None


def till_deposit_reference(deployment: Deployment, deposit_id: int) -> str:
    """What the office writes on the bank's deposit slip, so the statement shows it:
    ``MLC-TD-12`` (the reconciliation looks for this form)."""
    return f"{deployment.unit.code}-TD-{deposit_id}"


def till_cash(conn: Connection, office: str) -> int:
    """The cash the books say is in the office's till (a positive amount)."""
    return -get_account(conn, office_till(office)).balance


@dataclass(frozen=True, slots=True)
class OfficeDesk:
    """What an office holds now: the till's cash and the stock's notes by denomination."""

    office: str
    cash: int
    # (denomination, count) for every denomination of the deployment, smallest first.
    notes: tuple[tuple[int, int], ...]

    @property
    def notes_value(self) -> int:
        return sum(denomination * count for denomination, count in self.notes)

    def count_of(self, denomination: int) -> int:
        return dict(self.notes).get(denomination, 0)


def office_desk(conn: Connection, deployment: Deployment, office: str) -> OfficeDesk:
    """The till's cash and the note stock's counts of ``office`` (an unknown office:
    :class:`~monnaie_locale.errors.UnknownAccount`)."""
    cash = till_cash(conn, office)
    rows = conn.execute(
        select(note_stocks.c.denomination, note_stocks.c.count).where(
            note_stocks.c.location == f"office:{office}"
        )
    ).all()
    counts = {int(denomination): int(count) for denomination, count in rows}
    denominations = sorted({*deployment.denominations, *counts})
    return OfficeDesk(
        office=office,
        cash=cash,
        notes=tuple((denomination, counts.get(denomination, 0)) for denomination in denominations),
    )


def _difference_entries(till: str, difference: int) -> list[TransferRequest]:
    if difference > 0:
        return [TransferRequest.simple(till, ASSOCIATION_LOSSES, difference, kind="till_surplus")]
    missing = -difference
    return [
        TransferRequest.simple(ASSOCIATION_LOSSES, till, missing, kind="till_shortage"),
        TransferRequest.simple(
            RESERVE_NOTES, ASSOCIATION_OPERATING, missing, kind="reserve_replenished"
        ),
    ]


def close_till(
    conn: Connection,
    deployment: Deployment,
    *,
    office: str,
    counted: int,
    idempotency_key: str,
    clock: Clock,
) -> OfficeClosing:
    """Record the day's count of the till and book any difference."""
    if isinstance(counted, bool) or not isinstance(counted, int) or counted < 0:
        raise InvalidAmount(counted, "the counted cash is zero or more, such as 412.50")
    request = f"close_till|{office}|{counted}"
    first = claim_operation(conn, idempotency_key, request=request, clock=clock)
    if first is not None:
        return load_closing(conn, int(first.removeprefix("closing:")))
    till = office_till(office)
    expected = till_cash(conn, office)
    difference = counted - expected
    batch = None
    if difference:
        batch = post_entries(
            conn, _difference_entries(till, difference), key=idempotency_key, clock=clock
        )
    closing_id = conn.execute(
        insert(office_closings)
        .values(
            office=office,
            expected=expected,
            counted=counted,
            difference=difference,
            transaction_batch=batch,
            closed_at=clock(),
        )
        .returning(office_closings.c.id)
    ).scalar_one()
    if batch is not None:
        ensure_coverage(conn, deployment, batch=batch)
    finish_operation(conn, idempotency_key, f"closing:{closing_id}")
    return load_closing(conn, closing_id)


@dataclass(frozen=True, slots=True)
class ClosedOffice:
    """An exchange office closed for good: its till and note stock take no operation."""

    office: str
    accounts: tuple[str, ...]


def close_office(conn: Connection, office: str) -> ClosedOffice:
    """Close the office's till and note stock; refused while either holds money."""
    till = get_account(conn, office_till(office))
    stock = get_account(conn, office_notes(office))
    if till.status is AccountStatus.CLOSED:
        raise WrongState("office", office, str(AccountStatus.CLOSED), str(AccountStatus.ACTIVE))
    # The till is a euro asset: it reads minus the cash it holds.
    cash, notes = -till.balance, stock.balance
    if cash or notes or till.held or stock.held:
        raise OfficeNotEmpty(office, cash=cash, notes=notes)
    for account in (till, stock):
        set_status(conn, account.code, AccountStatus.CLOSED)
    return ClosedOffice(office=office, accounts=(till.code, stock.code))


def bank_till(
    conn: Connection,
    deployment: Deployment,
    *,
    office: str,
    amount: int,
    idempotency_key: str,
    clock: Clock,
) -> TillDeposit:
    """Cash leaves the till for the bank: EUR Dr transit / Cr till."""
    check_positive(amount)
    first = claim_operation(
        conn, idempotency_key, request=f"bank_till|{office}|{amount}", clock=clock
    )
    if first is not None:
        return load_till_deposit(conn, deployment, int(first.removeprefix("till_deposit:")))
    till = get_account(conn, office_till(office)).code
    batch = post_entries(
        conn,
        [TransferRequest.simple(TRANSIT, till, amount, kind="till_banked")],
        key=idempotency_key,
        clock=clock,
    )
    deposit_id = conn.execute(
        insert(till_deposits)
        .values(office=office, amount=amount, status="in_transit", created_at=clock())
        .returning(till_deposits.c.id)
    ).scalar_one()
    ensure_coverage(conn, deployment, batch=batch)
    finish_operation(conn, idempotency_key, f"till_deposit:{deposit_id}")
    return load_till_deposit(conn, deployment, deposit_id)


def receive_till_deposit(
    conn: Connection,
    deployment: Deployment,
    *,
    deposit_id: int,
    bank_reference: str,
    clock: Clock,
) -> TillDeposit:
    """The bank shows the cash: EUR Dr reserve:notes / Cr transit (once per deposit)."""
    check_plain_text(bank_reference, "bank reference", max_length=MAX_REFERENCE)
    deposit = load_till_deposit(conn, deployment, deposit_id)
    if deposit.status == "received" and deposit.bank_reference == bank_reference:
        return deposit
    if deposit.status != "in_transit":
        raise WrongState("till deposit", deposit_id, deposit.status, "in_transit")
    if not bank_reference.strip():
        raise InvalidRequest("give the bank's reference of the cash deposit")
    batch = post_entries(
        conn,
        [
            TransferRequest.simple(
                RESERVE_NOTES,
                TRANSIT,
                deposit.amount,
                kind="till_deposit_received",
                reference=bank_reference,
            )
        ],
        key=f"till_deposit:{deposit_id}:received",
        clock=clock,
    )
    conn.execute(
        update(till_deposits)
        .where(till_deposits.c.id == deposit_id, till_deposits.c.status == "in_transit")
        .values(status="received", bank_reference=bank_reference, received_at=clock())
    )
    ensure_coverage(conn, deployment, batch=batch)
    return load_till_deposit(conn, deployment, deposit_id)


def load_closing(conn: Connection, closing_id: int) -> OfficeClosing:
    row = conn.execute(select(office_closings).where(office_closings.c.id == closing_id)).first()
    if row is None:
        raise UnknownRecord("office closing", closing_id)
    return OfficeClosing(
        id=row.id,
        office=row.office,
        expected=row.expected,
        counted=row.counted,
        difference=row.difference,
        transaction_batch=row.transaction_batch,
        closed_at=as_utc(row.closed_at),
    )


def load_till_deposit(conn: Connection, deployment: Deployment, deposit_id: int) -> TillDeposit:
    row: Any = conn.execute(select(till_deposits).where(till_deposits.c.id == deposit_id)).first()
    if row is None:
        raise UnknownRecord("till deposit", deposit_id)
    return TillDeposit(
        id=row.id,
        office=row.office,
        amount=row.amount,
        status=row.status,
        reference=till_deposit_reference(deployment, row.id),
        bank_reference=row.bank_reference,
        created_at=as_utc(row.created_at),
        received_at=as_utc(row.received_at) if row.received_at else None,
    )
