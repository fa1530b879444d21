"""Taking a conversion back: reversed by the association, or charged back by the card network.

The euros go back where they came from (the payer's bank, the card network, the till's
cash), the units issued go back to ``issuance``, the bonus with them, and the conversion's
record ends ``reversed`` or ``charged_back``; ``conversion_reversals`` keeps what was taken
back and what the association bore.

The member may have spent some of the units already. A chargeback is not the
association's to refuse (the bank has debited the reserve), so this takes what the account
holds, the conversion's units first and its bonus after, and the association bears the
rest, booked as ``expense:chargebacks`` and paid from its operating account into the
reserve, which must go on backing the units still out. With ``A`` the amount, ``B`` the
bonus, ``T`` the units taken (at most the balance) and ``L = max(0, A - T)`` the loss:

* unit Dr the account ``min(T, A)`` / Cr ``issuance``; EUR Dr ``external`` ``A - L``,
  Dr ``expense:chargebacks`` ``L`` / Cr the source (``reserve:digital``, or the till) ``A``;
  and, if ``L``, EUR Dr ``reserve:digital`` ``L`` / Cr ``association:operating`` ``L``;
* the bonus taken back, ``T - min(T, A)``: unit Dr the account / Cr ``issuance``;
  EUR Dr ``association:operating`` / Cr ``reserve:digital``, and Dr ``external`` / Cr
  ``expense:bonus``, the bonus's cost taken back.

The bonus units the member spent stay out, backed by the euros the association gave for
them: the bonus was already the association's cost, so it is not borne twice. A reversal
the association decides (a transfer sent by mistake) follows the same entries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, insert, select, update

from monnaie_locale.clock import Clock
from monnaie_locale.deployment import (
    ASSOCIATION_OPERATING,
    EXPENSE_BONUS,
    EXPENSE_CHARGEBACKS,
    EXTERNAL,
    ISSUANCE,
    RESERVE_DIGITAL,
    Deployment,
    office_till,
)
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.model import Leg, TransferRequest
from monnaie_locale.operations.bookings import operating
from monnaie_locale.operations.common import (
    claim_operation,
    ensure_coverage,
    finish_operation,
    post_entries,
)
from monnaie_locale.operations.conversion import load_conversion
from monnaie_locale.operations.errors import OperatingShort, OperationNotAllowed, WrongState
from monnaie_locale.store.tables_flows import conversion_reversals
from monnaie_locale.store.tables_operations import conversions

__all__ = ["Reversal", "reverse_conversion"]

How = Literal["reversed", "charged_back"]


@dataclass(frozen=True, slots=True)
class Reversal:
    """A conversion taken back: the units taken from the account (bonus included), the
    euros the association bore, the ledger batch."""

    conversion_id: int
    account: str
    kind: str
    amount: int
    bonus: int
    taken_back: int
    borne: int
    transaction_batch: str


def reverse_conversion(
    conn: Connection,
    deployment: Deployment,
    *,
    conversion_id: int,
    how: How,
    idempotency_key: str,
    clock: Clock,
) -> Reversal:
    """Take back the credited conversion ``conversion_id``, ``how`` says why."""
    first = claim_operation(
        conn, idempotency_key, request=f"reverse_conversion|{conversion_id}|{how}", clock=clock
    )
    if first is not None:
        return _load(conn, conversion_id)
    if how not in ("reversed", "charged_back"):
        raise InvalidRequest("a conversion is reversed or charged_back")
    found = load_conversion(conn, conversion_id)
    if found.status != "credited":
        raise WrongState("conversion", conversion_id, found.status, "credited")
    if how == "charged_back" and found.method != "card":
        raise OperationNotAllowed(found.account, "be charged back", "only card payments are")
    source = (
        office_till(found.office) if found.method == "cash" and found.office else RESERVE_DIGITAL
    )
    balance = max(0, get_account(conn, found.account).available)
    taken = min(balance, found.amount + found.bonus)
    units, bonus_back = min(taken, found.amount), max(0, taken - found.amount)
    borne = found.amount - units
    if borne and operating(conn) < borne:
        raise OperatingShort(
            borne, operating(conn), f"bear the units of conversion {conversion_id} already spent"
        )
    legs = [Leg(found.account, -units)] if units else []
    legs += [Leg(ISSUANCE, units)] if units else []
    legs += [Leg(EXTERNAL, -(found.amount - borne))] if borne < found.amount else []
    if borne:
        legs += [Leg(EXPENSE_CHARGEBACKS, -borne), Leg(ASSOCIATION_OPERATING, borne)]
        # The source is debited the whole amount; the reserve refilled by the loss.
        if source == RESERVE_DIGITAL:
            legs += [Leg(RESERVE_DIGITAL, units)] if units else []
        else:
            legs += [Leg(source, found.amount), Leg(RESERVE_DIGITAL, -borne)]
    else:
        legs.append(Leg(source, found.amount))
    entries = [
        TransferRequest(legs=tuple(legs), kind=f"conversion_{how}", reference=found.reference)
    ]
    if bonus_back:
        entries.append(
            TransferRequest(
                legs=(
                    Leg(found.account, -bonus_back),
                    Leg(ISSUANCE, bonus_back),
                    Leg(ASSOCIATION_OPERATING, -bonus_back),
                    Leg(RESERVE_DIGITAL, bonus_back),
                    # The bonus's cost taken back, as it was booked (see conversion).
                    Leg(EXTERNAL, -bonus_back),
                    Leg(EXPENSE_BONUS, bonus_back),
                ),
                kind="conversion_bonus_reversed",
                reference=found.reference,
            )
        )
    batch = post_entries(conn, entries, key=idempotency_key, clock=clock)
    changed = conn.execute(
        update(conversions)
        .where(conversions.c.id == conversion_id, conversions.c.status == "credited")
        .values(status=how)
    ).rowcount
    if changed != 1:
        raise WrongState(
            "conversion", conversion_id, load_conversion(conn, conversion_id).status, "credited"
        )
    conn.execute(
        insert(conversion_reversals).values(
            conversion_id=conversion_id,
            kind=how,
            taken_back=taken,
            borne=borne,
            transaction_batch=batch,
            reversed_at=clock(),
        )
    )
    ensure_coverage(conn, deployment, batch=batch)
    finish_operation(conn, idempotency_key, f"reversal:{conversion_id}")
    return _load(conn, conversion_id)


def _load(conn: Connection, conversion_id: int) -> Reversal:
    found = load_conversion(conn, conversion_id)
    row = conn.execute(
        select(conversion_reversals).where(conversion_reversals.c.conversion_id == conversion_id)
    ).one()
    return Reversal(
        conversion_id=conversion_id,
        account=found.account,
        kind=row.kind,
        amount=found.amount,
        bonus=found.bonus,
        taken_back=row.taken_back,
        borne=row.borne,
        transaction_batch=row.transaction_batch,
    )
