"""Writing off a series of paper notes lost for good: stolen, or destroyed by accident.

A series is named by the association (its serial numbers, such as ``A-000101..A-000150``)
and written off once. Its units are destroyed, from where the books hold the notes:

* from a stock (``vault`` or an office): the notes were never sold, nothing circulated:
  unit Dr ``notes:vault`` (or ``notes:office:<id>``) / Cr ``issuance``; no euros move;
* from ``lost``: notes earlier recorded missing (see
  :func:`~monnaie_locale.operations.notes.lose_notes`) and so booked as circulating,
  backed by euros the association put into ``reserve:notes``: unit Dr
  ``notes:circulation`` / Cr ``issuance``; EUR Dr ``external`` / Cr ``income:other``,
  the debt gone (the loss booked when they went missing, taken back).

In the second case the euros backing the notes stay in the reserve. That is the choice
made here: a stolen note may still turn up at a counter, and the euros that back it are
then still there. Once the association is sure they will not (an insurer's report, the
notes' end of validity), it moves that surplus to its operating account on purpose
(:mod:`monnaie_locale.operations.surplus`), an act of its own the books show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, insert, select

from monnaie_locale.clock import Clock
from monnaie_locale.deployment import (
    EXTERNAL,
    INCOME_OTHER,
    ISSUANCE,
    NOTES_CIRCULATION,
    Deployment,
)
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.model import Leg, TransferRequest, check_plain_text
from monnaie_locale.operations.common import (
    claim_operation,
    ensure_coverage,
    finish_operation,
    post_entries,
)
from monnaie_locale.operations.errors import WrongState
from monnaie_locale.operations.notes import Bundle, bundle_total, take_notes
from monnaie_locale.store.tables_flows import note_write_offs

__all__ = ["WriteOff", "write_off_series"]

LOST = "lost"


@dataclass(frozen=True, slots=True)
class WriteOff:
    """A series written off: where the books held it, why, its notes and value."""

    series: str
    location: str
    reason: str
    bundle: tuple[tuple[int, int], ...]
    amount: int
    transaction_batch: str


def write_off_series(
    conn: Connection,
    deployment: Deployment,
    *,
    series: str,
    location: str,
    bundle: Bundle,
    reason: Literal["stolen", "destroyed"],
    idempotency_key: str,
    clock: Clock,
) -> WriteOff:
    """Destroy the units of the notes of ``series``, held at ``location``."""
    notes = tuple(sorted(bundle.items()))
    request = f"write_off|{series}|{location}|{reason}|{notes}"
    first = claim_operation(conn, idempotency_key, request=request, clock=clock)
    if first is not None:
        return _load(conn, first.removeprefix("write_off:"))
    if not series.strip():
        raise InvalidRequest("name the series written off, such as A-000101..A-000150")
    check_plain_text(series, "series", max_length=80)
    if reason not in ("stolen", "destroyed"):
        raise InvalidRequest("a series is written off as stolen or destroyed")
    amount = bundle_total(deployment, bundle)
    if conn.execute(select(note_write_offs.c.id).where(note_write_offs.c.series == series)).first():
        raise WrongState("note series", series, "written off", "in the books")
    if location == LOST:
        place, account = LOST, NOTES_CIRCULATION
    elif location == "vault":
        place, account = "vault", "notes:vault"
    else:
        place, account = f"office:{location}", f"notes:office:{location}"
    take_notes(conn, place, bundle)
    legs = [Leg(account, -amount), Leg(ISSUANCE, amount)]
    if account == NOTES_CIRCULATION:
        # Units that were a debt to whoever held the notes, and no longer are: the
        # association gains what it lost when the notes went missing.
        legs += [Leg(EXTERNAL, -amount), Leg(INCOME_OTHER, amount)]
    entry = TransferRequest(legs=tuple(legs), kind="notes_written_off", memo=series)
    batch = post_entries(conn, [entry], key=idempotency_key, clock=clock)
    conn.execute(
        insert(note_write_offs).values(
            series=series,
            location=place,
            reason=reason,
            amount=amount,
            notes=",".join(f"{count}x{value}" for value, count in notes),
            transaction_batch=batch,
            written_off_at=clock(),
        )
    )
    ensure_coverage(conn, deployment, batch=batch)
    finish_operation(conn, idempotency_key, f"write_off:{series}")
    return _load(conn, series)


def _load(conn: Connection, series: str) -> WriteOff:
    row = conn.execute(select(note_write_offs).where(note_write_offs.c.series == series)).one()
    bundle = tuple(
        (int(value), int(count))
        for count, value in (item.split("x") for item in row.notes.split(","))
    )
    return WriteOff(
        row.series,
        row.location,
        row.reason,
        tuple(sorted(bundle)),
        row.amount,
        row.transaction_batch,
    )
