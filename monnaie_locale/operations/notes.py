"""Paper notes: printed into the vault, delivered to offices, sold, deposited, destroyed, lost.

Printed notes are issued units that nobody holds yet: they sit in ``notes:vault`` or at an
office (``notes:office:<id>``), outside circulation and needing no reserve. A note enters
circulation when an office sells it for cash (DOMAIN entry 4), and leaves it when someone
deposits it into a digital account (entry 9): then the euros that backed the paper move from
``reserve:notes`` to ``reserve:digital`` and the note goes back into the office's stock,
ready to be sold again.

Notes missing from a stock are presumed circulating (someone may spend them): they are
booked into ``notes:circulation`` and the association moves the same amount of its own
euros into ``reserve:notes``, so they are backed. Found again, both moves are undone.

Beside the ledger's amounts, ``note_stocks`` counts the notes of each denomination at each
place ("vault", "office:<id>", "circulation", "lost"); a count can never go below zero, and
the reserve report compares the counts with the ledger.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from monnaie_locale.clock import Clock
from monnaie_locale.deployment import (
    ASSOCIATION_LOSSES,
    ASSOCIATION_OPERATING,
    EXTERNAL,
    ISSUANCE,
    NOTES_CIRCULATION,
    NOTES_VAULT,
    RESERVE_DIGITAL,
    RESERVE_NOTES,
    Deployment,
    office_notes,
    office_till,
)
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.model import Leg, TransferRequest
from monnaie_locale.operations.common import (
    claim_operation,
    ensure_coverage,
    finish_operation,
    holder_account,
    post_entries,
)
from monnaie_locale.operations.errors import InvalidNotes, NotesUnavailable
from monnaie_locale.store.tables_operations import note_stocks

__all__ = [
    "Bundle",
    "NoteMovement",
    "NoteStock",
    "PlaceStock",
    "bundle_total",
    "deliver_notes",
    "deposit_notes",
    "destroy_notes",
    "find_notes",
    "lose_notes",
    "note_stock",
    "print_notes",
    "return_notes",
    "sell_notes",
    "take_notes",
]

Bundle = Mapping[int, int]
"""Notes by denomination (minor units) -> how many: ``{2000: 1}`` is one 20 note."""

VAULT = "vault"


@dataclass(frozen=True, slots=True)
class NoteMovement:
    """Notes moved by one operation, and the ledger batch that booked it."""

    kind: str
    source: str | None
    target: str | None
    bundle: tuple[tuple[int, int], ...]
    amount: int
    transaction_batch: str


@dataclass(frozen=True, slots=True)
class PlaceStock:
    """The notes counted at one place, by denomination."""

    place: str  # "vault", "office:<id>", "circulation" or "lost"
    counts: tuple[int, ...]  # in the order of NoteStock.denominations
    notes: int
    value: int

    @property
    def office(self) -> str | None:
        """The office's id, for an office's stock."""
        return self.place.removeprefix("office:") if self.place.startswith("office:") else None


@dataclass(frozen=True, slots=True)
class NoteStock:
    """Every place's notes by denomination, and the totals of all places: the notes issued."""

    denominations: tuple[int, ...]
    places: tuple[PlaceStock, ...]
    totals: tuple[int, ...]  # by denomination, every place together
    notes: int
    value: int


def note_stock(conn: Connection, deployment: Deployment) -> NoteStock:
    """The counts of ``note_stocks``: the vault, each office of the deployment (and any
    other the counts name), circulation, then lost notes, each with every denomination."""
    counted: dict[str, dict[int, int]] = {}
    for place, denomination, count in conn.execute(
        select(note_stocks.c.location, note_stocks.c.denomination, note_stocks.c.count)
    ).all():
        counted.setdefault(place, {})[int(denomination)] = int(count)
    # A denomination the deployment no longer issues still shows while notes of it remain.
    denominations = tuple(
        sorted({*deployment.denominations, *(d for by in counted.values() for d in by)})
    )
    offices = [f"office:{office}" for office in deployment.offices]
    others = sorted(p for p in counted if p.startswith("office:") and p not in offices)
    places = []
    for place in (VAULT, *offices, *others, "circulation", "lost"):
        counts = tuple(counted.get(place, {}).get(d, 0) for d in denominations)
        value = sum(d * c for d, c in zip(denominations, counts, strict=True))
        places.append(PlaceStock(place, counts, sum(counts), value))
    totals = tuple(sum(column) for column in zip(*(p.counts for p in places), strict=True))
    return NoteStock(
        denominations,
        tuple(places),
        totals,
        notes=sum(totals),
        value=sum(p.value for p in places),
    )


def bundle_total(deployment: Deployment, bundle: Bundle) -> int:
    """The value of ``bundle``; :class:`InvalidNotes` unless it is a valid, non-empty bundle."""
    if not bundle:
        raise InvalidNotes("a bundle needs at least one note")
    total = 0
    for denomination, count in bundle.items():
        if denomination not in deployment.denominations:
            raise InvalidNotes(
                f"{denomination} is not one of the deployment's denominations "
                f"{sorted(deployment.denominations)}"
            )
        if isinstance(count, bool) or not isinstance(count, int) or count <= 0:
            raise InvalidNotes(f"the count of {denomination} notes must be a positive integer")
        total += denomination * count
    return total


def _place(location: str) -> tuple[str, str]:
    """(stock place, ledger account) of the vault or an office id."""
    if location == VAULT:
        return VAULT, NOTES_VAULT
    return f"office:{location}", office_notes(location)


def take_notes(conn: Connection, place: str, bundle: Bundle) -> None:
    """Take ``bundle`` from the count of ``place``; :class:`NotesUnavailable` if short."""
    for denomination, count in sorted(bundle.items()):
        changed = conn.execute(
            update(note_stocks)
            .where(
                note_stocks.c.location == place,
                note_stocks.c.denomination == denomination,
                note_stocks.c.count >= count,
            )
            .values(count=note_stocks.c.count - count)
        ).rowcount
        if changed != 1:
            raise NotesUnavailable(place, denomination, count, _count(conn, place, denomination))


def _count(conn: Connection, place: str, denomination: int) -> int:
    found = conn.execute(
        select(note_stocks.c.count).where(
            note_stocks.c.location == place, note_stocks.c.denomination == denomination
        )
    ).scalar()
    return int(found or 0)


def _put(conn: Connection, place: str, bundle: Bundle) -> None:
    for denomination, count in sorted(bundle.items()):
        changed = conn.execute(
            update(note_stocks)
            .where(note_stocks.c.location == place, note_stocks.c.denomination == denomination)
            .values(count=note_stocks.c.count + count)
        ).rowcount
        if changed == 0:
            conn.execute(
                insert(note_stocks).values(location=place, denomination=denomination, count=count)
            )


def _move(
    conn: Connection,
    deployment: Deployment,
    *,
    kind: str,
    source: str | None,
    target: str | None,
    bundle: Bundle,
    entries: list[TransferRequest],
    idempotency_key: str,
    clock: Clock,
) -> NoteMovement:
    """Claim the key, post ``entries``, move the counts, check coverage: one operation."""
    notes = tuple(sorted(bundle.items()))
    amount = sum(d * c for d, c in notes)
    request = f"notes|{kind}|{source}|{target}|{notes}|" + "|".join(
        e.fingerprint() for e in entries
    )
    first = claim_operation(conn, idempotency_key, request=request, clock=clock)
    if first is not None:
        batch = first.removeprefix("notes:")
    else:
        # Counts first: a missing denomination says more than the ledger's total would.
        if source is not None:
            take_notes(conn, source, bundle)
        if target is not None:
            _put(conn, target, bundle)
        batch = post_entries(conn, entries, key=idempotency_key, clock=clock)
        ensure_coverage(conn, deployment, batch=batch)
        finish_operation(conn, idempotency_key, f"notes:{batch}")
    return NoteMovement(kind, source, target, notes, amount, batch)


def print_notes(
    conn: Connection, deployment: Deployment, *, bundle: Bundle, idempotency_key: str, clock: Clock
) -> NoteMovement:
    """Printed notes enter the vault: issued, not in circulation (Dr issuance / Cr vault)."""
    amount = bundle_total(deployment, bundle)
    return _move(
        conn,
        deployment,
        kind="notes_printed",
        source=None,
        target=VAULT,
        bundle=bundle,
        entries=[TransferRequest.simple(ISSUANCE, NOTES_VAULT, amount, kind="notes_printed")],
        idempotency_key=idempotency_key,
        clock=clock,
    )


def deliver_notes(
    conn: Connection,
    deployment: Deployment,
    *,
    office: str,
    bundle: Bundle,
    idempotency_key: str,
    clock: Clock,
) -> NoteMovement:
    """Notes leave the vault for an office's stock (DOMAIN entry 3)."""
    amount = bundle_total(deployment, bundle)
    place, account = _place(office)
    return _move(
        conn,
        deployment,
        kind="notes_delivered",
        source=VAULT,
        target=place,
        bundle=bundle,
        entries=[TransferRequest.simple(NOTES_VAULT, account, amount, kind="notes_delivered")],
        idempotency_key=idempotency_key,
        clock=clock,
    )


def return_notes(
    conn: Connection,
    deployment: Deployment,
    *,
    office: str,
    bundle: Bundle,
    idempotency_key: str,
    clock: Clock,
) -> NoteMovement:
    """Notes go back from an office's stock to the vault."""
    amount = bundle_total(deployment, bundle)
    place, account = _place(office)
    return _move(
        conn,
        deployment,
        kind="notes_returned",
        source=place,
        target=VAULT,
        bundle=bundle,
        entries=[TransferRequest.simple(account, NOTES_VAULT, amount, kind="notes_returned")],
        idempotency_key=idempotency_key,
        clock=clock,
    )


def sell_notes(
    conn: Connection,
    deployment: Deployment,
    *,
    office: str,
    bundle: Bundle,
    idempotency_key: str,
    clock: Clock,
) -> NoteMovement:
    """An office sells notes for cash (DOMAIN entry 4): the euros go into its till."""
    amount = bundle_total(deployment, bundle)
    place, account = _place(office)
    till = get_account(conn, office_till(office)).code
    sale = TransferRequest(
        legs=(
            Leg(till, -amount),
            Leg(EXTERNAL, amount),
            Leg(account, -amount),
            Leg(NOTES_CIRCULATION, amount),
        ),
        kind="notes_sold",
    )
    return _move(
        conn,
        deployment,
        kind="notes_sold",
        source=place,
        target="circulation",
        bundle=bundle,
        entries=[sale],
        idempotency_key=idempotency_key,
        clock=clock,
    )


def deposit_notes(
    conn: Connection,
    deployment: Deployment,
    *,
    office: str,
    account: str,
    bundle: Bundle,
    idempotency_key: str,
    clock: Clock,
) -> NoteMovement:
    """Someone hands notes in at an office and gets units on their account (DOMAIN entry 9).

    Unit: Dr notes:circulation / Cr the account, as in DOMAIN; and, because the paper is now
    physically in the office's stock, Dr issuance / Cr notes:office:<id> (so the stock can be
    sold again and the ledger agrees with the note count). EUR: Dr reserve:digital /
    Cr reserve:notes, refused if ``reserve:notes`` does not hold the euros (bank the tills).
    """
    amount = bundle_total(deployment, bundle)
    place, stock = _place(office)
    holder = holder_account(conn, deployment, account)
    entries = [
        TransferRequest(
            legs=(
                Leg(NOTES_CIRCULATION, -amount),
                Leg(holder.code, amount),
                Leg(ISSUANCE, -amount),
                Leg(stock, amount),
                Leg(RESERVE_DIGITAL, -amount),
                Leg(RESERVE_NOTES, amount),
            ),
            kind="notes_deposited",
        )
    ]
    return _move(
        conn,
        deployment,
        kind="notes_deposited",
        source="circulation",
        target=place,
        bundle=bundle,
        entries=entries,
        idempotency_key=idempotency_key,
        clock=clock,
    )


def destroy_notes(
    conn: Connection,
    deployment: Deployment,
    *,
    location: str,
    bundle: Bundle,
    idempotency_key: str,
    clock: Clock,
) -> NoteMovement:
    """Worn or withdrawn notes of a stock are destroyed (Dr stock / Cr issuance)."""
    amount = bundle_total(deployment, bundle)
    place, account = _place(location)
    return _move(
        conn,
        deployment,
        kind="notes_destroyed",
        source=place,
        target=None,
        bundle=bundle,
        entries=[TransferRequest.simple(account, ISSUANCE, amount, kind="notes_destroyed")],
        idempotency_key=idempotency_key,
        clock=clock,
    )


def lose_notes(
    conn: Connection,
    deployment: Deployment,
    *,
    location: str,
    bundle: Bundle,
    idempotency_key: str,
    clock: Clock,
) -> NoteMovement:
    """Notes are missing from a stock: presumed circulating, backed by the association.

    The association owes them now with no euros from outside: a loss, EUR Dr
    association:losses / Cr external (658100 in the chart of accounts).
    """
    amount = bundle_total(deployment, bundle)
    place, account = _place(location)
    entries = [
        TransferRequest(
            legs=(
                Leg(account, -amount),
                Leg(NOTES_CIRCULATION, amount),
                Leg(RESERVE_NOTES, -amount),
                Leg(ASSOCIATION_OPERATING, amount),
                Leg(ASSOCIATION_LOSSES, -amount),
                Leg(EXTERNAL, amount),
            ),
            kind="notes_lost",
        )
    ]
    return _move(
        conn,
        deployment,
        kind="notes_lost",
        source=place,
        target="lost",
        bundle=bundle,
        entries=entries,
        idempotency_key=idempotency_key,
        clock=clock,
    )


def find_notes(
    conn: Connection,
    deployment: Deployment,
    *,
    location: str,
    bundle: Bundle,
    idempotency_key: str,
    clock: Clock,
) -> NoteMovement:
    """Notes recorded lost are found and put back in a stock; the association's euros return.

    The loss booked when they were lost is taken back: EUR Dr external / Cr
    association:losses.
    """
    amount = bundle_total(deployment, bundle)
    place, account = _place(location)
    entries = [
        TransferRequest(
            legs=(
                Leg(NOTES_CIRCULATION, -amount),
                Leg(account, amount),
                Leg(ASSOCIATION_OPERATING, -amount),
                Leg(RESERVE_NOTES, amount),
                Leg(EXTERNAL, -amount),
                Leg(ASSOCIATION_LOSSES, amount),
            ),
            kind="notes_found",
        )
    ]
    return _move(
        conn,
        deployment,
        kind="notes_found",
        source="lost",
        target=place,
        bundle=bundle,
        entries=entries,
        idempotency_key=idempotency_key,
        clock=clock,
    )
