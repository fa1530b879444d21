"""Moving the association's own money out of the guarantee fund to its operating account.

Two kinds of money sit in the reserve that the circulation does not need:

* the reconversion fees the association holds, units in ``association:fees``: they are in
  circulation, backed by euros in the reserve. Moving them extinguishes the units and
  releases their euros: unit Dr ``association:fees`` / Cr ``issuance``; EUR Dr
  ``association:operating`` / Cr ``reserve:digital``;
* a surplus: euros in the reserve above the circulation (interest, notes written off,
  rounding): EUR Dr ``association:operating`` / Cr ``reserve:digital`` (or
  ``reserve:notes``).

Either is refused if it would leave the reserve below the circulation.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import Connection

from monnaie_locale.clock import Clock
from monnaie_locale.deployment import (
    ASSOCIATION_FEES,
    ASSOCIATION_OPERATING,
    ISSUANCE,
    RESERVE_DIGITAL,
    RESERVE_NOTES,
    Deployment,
)
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.model import Leg, TransferRequest, check_positive
from monnaie_locale.money import EUR
from monnaie_locale.operations.bookings import Booking, claimed, finished
from monnaie_locale.operations.common import ensure_coverage, post_entries

__all__ = ["move_to_operating"]


def move_to_operating(
    conn: Connection,
    deployment: Deployment,
    *,
    what: Literal["fees", "surplus"],
    amount: int,
    idempotency_key: str,
    clock: Clock,
    reserve: str = RESERVE_DIGITAL,
) -> Booking:
    """Move ``amount`` of the fees held, or of the reserve's surplus, to operating."""
    request = f"to_operating|{what}|{amount}|{reserve}"
    first = claimed(conn, idempotency_key, request=request, clock=clock)
    if first is not None:
        return first
    check_positive(amount)
    if what not in ("fees", "surplus"):
        raise InvalidRequest(f"what moves to operating is fees or surplus, not {what!r}")
    if reserve not in (RESERVE_DIGITAL, RESERVE_NOTES):
        raise InvalidRequest(
            f"{reserve} is not a reserve account; name {RESERVE_DIGITAL} or {RESERVE_NOTES}"
        )
    legs = [Leg(ASSOCIATION_OPERATING, -amount), Leg(reserve, amount)]
    if what == "fees":
        legs += [Leg(ASSOCIATION_FEES, -amount), Leg(ISSUANCE, amount)]
    kind = f"{what}_to_operating"
    batch = post_entries(
        conn, [TransferRequest(legs=tuple(legs), kind=kind)], key=idempotency_key, clock=clock
    )
    # No batch given: below 100 % afterwards is refused, whatever it was before.
    ensure_coverage(conn, deployment)
    return finished(conn, idempotency_key, Booking(kind, reserve, amount, EUR.code, 0, batch))
