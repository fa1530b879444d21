"""A régie's counter: the sale prepared for one payer, and the quittances it gave.

A sale is a single-use payment request for the régie's account (the checkout's own,
:func:`monnaie_locale.checkout.requests.issue_dynamic`) and a ``regie_sales`` row saying
what its quittance will say: the object, the payer's name if the counter gave it, and the
part of the price paid in euros outside the service (by card or cash). The payer scans the
request's QR and pays the unit part; the payment's transaction gives the quittance
(:mod:`monnaie_locale.authorities.collection`).

Plain functions on a connection, in the caller's transaction; the acts of
:mod:`monnaie_locale.acts.regie_counter` say who may call them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import Connection, insert, select

from monnaie_locale.authorities.quittance_errors import UnknownQuittance
from monnaie_locale.authorities.quittances import (
    QUITTANCE_COLUMNS,
    QUITTANCE_FROM,
    Quittance,
    quittance_from_row,
    quittance_of_transaction,
)
from monnaie_locale.authorities.registry import Regie, Tariff
from monnaie_locale.checkout.errors import UnknownPaymentRequest
from monnaie_locale.checkout.requests import IssuedRequest, ShownStatus, get_request
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.model import check_plain_text, check_positive
from monnaie_locale.store.tables_authorities import quittances, regie_sales
from monnaie_locale.store.tables_checkout import checkout_payments

__all__ = [
    "EURO_MEANS",
    "Price",
    "Sale",
    "SaleStatus",
    "price_of",
    "quittance_by_number",
    "quittances_between",
    "record_sale",
    "sale_of",
    "sale_status",
]

EURO_MEANS = ("card", "cash")


@dataclass(frozen=True, slots=True)
class Price:
    """What a sale asks: the whole price, the part in euros, the quittance's object."""

    total: int
    euros: int
    object: str

    @property
    def units(self) -> int:
        """The part the payer pays in local units, by the QR."""
        return self.total - self.euros


@dataclass(frozen=True, slots=True)
class Sale:
    """A sale prepared at a régie's counter: the request to pay, what the quittance says."""

    regie: str
    request: IssuedRequest
    object: str
    payer_name: str | None
    euros: int
    euro_means: str | None
    euro_reference: str | None

    @property
    def request_id(self) -> str:
        return self.request.request_id

    @property
    def token(self) -> str:
        return self.request.token

    @property
    def units(self) -> int:
        return self.request.amount

    @property
    def expires_at(self) -> datetime:
        return self.request.expires_at

    def url(self, *, host: str) -> str:
        """What the QR shown to the payer says."""
        return self.request.url(host=host)


@dataclass(frozen=True, slots=True)
class SaleStatus:
    """Where a sale stands: ``open``, ``paid``, ``cancelled`` or ``expired``, and its
    quittance once paid."""

    sale: Sale
    status: ShownStatus
    quittance: Quittance | None

    @property
    def paid(self) -> bool:
        return self.status == "paid"


def price_of(
    regie: Regie,
    tariffs: list[Tariff],
    *,
    tariff_id: int | None,
    amount: int | None,
    object: str | None,
    euros: int,
) -> Price:
    """The price of a sale: a tariff of the régie (its amount, its label), or an amount
    and an object; ``euros`` of it paid in euros, the rest in units."""
    if tariff_id is not None:
        if amount is not None or object is not None:
            raise InvalidRequest("a sale names a tariff, or an amount and an object: not both")
        tariff = next((t for t in tariffs if t.id == tariff_id), None)
        if tariff is None:
            raise InvalidRequest(
                f"the régie {regie.code} has no active tariff {tariff_id}; "
                f"`mlc regie tariffs {regie.code}` lists them"
            )
        total, label = tariff.amount, tariff.label
    else:
        if amount is None or not object or not object.strip():
            raise InvalidRequest("a sale without a tariff needs an amount and an object")
        total, label = (
            check_positive(amount),
            check_plain_text(object.strip(), "object", max_length=200),
        )
    if euros < 0 or euros >= total:
        raise InvalidRequest(
            "the euro part is at least 0 and less than the price: the rest is paid in units"
        )
    return Price(total, euros, label)


def _check_euro_part(euros: int, means: str | None, reference: str | None) -> None:
    if euros == 0 and (means is not None or reference is not None):
        raise InvalidRequest("a euro means or reference needs a euro part")
    if euros > 0 and means not in EURO_MEANS:
        raise InvalidRequest(f"the euro part is paid by {' or '.join(EURO_MEANS)}: say which")
    if reference is not None:
        check_plain_text(reference, "euro reference", max_length=140)


def record_sale(
    conn: Connection,
    regie: Regie,
    request: IssuedRequest,
    *,
    price: Price,
    payer_name: str | None,
    euro_means: str | None,
    euro_reference: str | None,
    by: str,
    now: datetime,
) -> Sale:
    """Record the sale that ``request`` (issued for the régie's account) settles."""
    _check_euro_part(price.euros, euro_means, euro_reference)
    if payer_name is not None:
        payer_name = check_plain_text(payer_name.strip(), "payer's name", max_length=200) or None
    conn.execute(
        insert(regie_sales).values(
            regie_id=regie.id,
            request_id=request.id,
            object=price.object,
            payer_name=payer_name,
            euros=price.euros,
            euro_means=euro_means,
            euro_reference=euro_reference,
            created_by=by,
            created_at=now,
        )
    )
    return Sale(
        regie.code, request, price.object, payer_name, price.euros, euro_means, euro_reference
    )


def sale_of(conn: Connection, regie: Regie, request_id: str) -> Sale:
    """The sale of ``regie`` settled by request ``request_id``; unknown for any other."""
    request = get_request(conn, request_id)
    row = conn.execute(
        select(regie_sales).where(
            regie_sales.c.request_id == request.id, regie_sales.c.regie_id == regie.id
        )
    ).first()
    if row is None:
        raise UnknownPaymentRequest(request_id)
    return Sale(
        regie.code,
        request,
        row.object,
        row.payer_name,
        int(row.euros),
        row.euro_means,
        row.euro_reference,
    )


def sale_status(conn: Connection, regie: Regie, request_id: str, *, now: datetime) -> SaleStatus:
    """Whether the sale was paid by ``now``, and its quittance if so."""
    sale = sale_of(conn, regie, request_id)
    transaction_id = conn.execute(
        select(checkout_payments.c.transaction_id).where(
            checkout_payments.c.request_row_id == sale.request.id
        )
    ).scalar()
    quittance = None if transaction_id is None else quittance_of_transaction(conn, transaction_id)
    return SaleStatus(sale, sale.request.status_at(now), quittance)


def _start_of(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def quittances_between(
    conn: Connection, regie: Regie, *, start: date | None, end: date | None, zone: tzinfo
) -> list[Quittance]:
    """The régie's quittances issued from day ``start`` to day ``end`` included (days in
    the books' ``zone``; None: no bound), in their numbers' order."""
    query = (
        select(*QUITTANCE_COLUMNS)
        .select_from(QUITTANCE_FROM)
        .where(quittances.c.regie_id == regie.id)
    )
    if start is not None:
        query = query.where(quittances.c.issued_at >= _start_of(start, zone))
    if end is not None:
        query = query.where(quittances.c.issued_at < _start_of(end + timedelta(days=1), zone))
    rows = conn.execute(query.order_by(quittances.c.year, quittances.c.number))
    return [quittance_from_row(row) for row in rows]


def quittance_by_number(conn: Connection, regie: Regie, year: int, number: int) -> Quittance:
    """The régie's quittance ``number`` of ``year``; :class:`UnknownQuittance` if none."""
    row = conn.execute(
        select(*QUITTANCE_COLUMNS)
        .select_from(QUITTANCE_FROM)
        .where(
            quittances.c.regie_id == regie.id,
            quittances.c.year == year,
            quittances.c.number == number,
        )
    ).first()
    if row is None:
        raise UnknownQuittance(regie.code, year, number)
    return quittance_from_row(row)
