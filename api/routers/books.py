"""The association's other money flows: bank fees and interest, its own money, donations
and grants, closures, note series written off, conversions reversed or charged back.

Each route calls its act (:mod:`monnaie_locale.acts.books`), which says who may; every
one moves money once per ``Idempotency-Key``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter

from api.deps import IdempotencyKey, acting
from api.problems import problem_responses
from api.schemas.books import (
    BankCostIn,
    BookingOut,
    ClosureIn,
    ClosureOut,
    ConversionReversalIn,
    GiftIn,
    ReversalOut,
    ToOperatingIn,
    UnitDonationIn,
    WriteOffIn,
    WriteOffOut,
)
from monnaie_locale.acting import Context
from monnaie_locale.acts import books

router = APIRouter(prefix="/v1/books", tags=["books"])

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def _flow(path: str, summary: str) -> Callable[[Endpoint], Endpoint]:
    return router.post(
        path,
        status_code=201,
        summary=summary,
        responses=problem_responses(400, 401, 403, 404, 409, 413, 422),
    )


@_flow("/bank-fees", "Book a bank fee charged on one of the association's bank accounts")
def bank_fee(
    body: BankCostIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(books.bank_fee)],
) -> BookingOut:
    booked = books.bank_fee(
        ctx, body.account, body.amount, fee="bank", key=idempotency_key, on=body.on
    )
    return BookingOut.of(booked)


@_flow("/card-fees", "Book a card fee charged on one of the association's bank accounts")
def card_fee(
    body: BankCostIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(books.bank_fee)],
) -> BookingOut:
    booked = books.bank_fee(
        ctx, body.account, body.amount, fee="card", key=idempotency_key, on=body.on
    )
    return BookingOut.of(booked)


@_flow("/interest", "Book interest the bank paid on one of the association's bank accounts")
def interest(
    body: BankCostIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(books.interest)],
) -> BookingOut:
    booked = books.interest(ctx, body.account, body.amount, key=idempotency_key, on=body.on)
    return BookingOut.of(booked)


@_flow("/to-operating", "Move the fees held, or the reserve's surplus, to the operating account")
def to_operating(
    body: ToOperatingIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(books.to_operating)],
) -> BookingOut:
    booked = books.to_operating(
        ctx, body.what, body.amount, key=idempotency_key, reserve=body.reserve
    )
    return BookingOut.of(booked)


@_flow("/donations", "Book a donation received in euros")
def donation(
    body: GiftIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(books.receive_gift)],
) -> BookingOut:
    booked = books.receive_gift(ctx, "donation", body.amount, key=idempotency_key, memo=body.memo)
    return BookingOut.of(booked)


@_flow("/grants", "Book a grant received in euros")
def grant(
    body: GiftIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(books.receive_gift)],
) -> BookingOut:
    booked = books.receive_gift(ctx, "grant", body.amount, key=idempotency_key, memo=body.memo)
    return BookingOut.of(booked)


@_flow("/unit-donations", "Record units a holder gives to the association")
def unit_donation(
    body: UnitDonationIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(books.donate_units)],
) -> BookingOut:
    booked = books.donate_units(ctx, body.account, body.amount, key=idempotency_key)
    return BookingOut.of(booked)


@_flow("/closures", "Settle and close the account of a holder who left or died")
def closure(
    body: ClosureIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(books.close_for_good)],
) -> ClosureOut:
    closed = books.close_for_good(
        ctx,
        body.account,
        reason=body.reason,
        settlement=body.settlement,
        paid_to=body.paid_to,
        key=idempotency_key,
    )
    return ClosureOut.of(closed)


@_flow("/note-write-offs", "Write off a series of notes stolen or destroyed")
def note_write_off(
    body: WriteOffIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(books.write_off_notes)],
) -> WriteOffOut:
    done = books.write_off_notes(
        ctx, body.series, body.location, body.bundle(), reason=body.reason, key=idempotency_key
    )
    return WriteOffOut.of(done)


@_flow("/conversion-reversals", "Reverse a credited conversion, or book its card chargeback")
def conversion_reversal(
    body: ConversionReversalIn,
    idempotency_key: IdempotencyKey,
    ctx: Annotated[Context, acting(books.reverse_conversion)],
) -> ReversalOut:
    done = books.reverse_conversion(ctx, body.conversion_id, how=body.how, key=idempotency_key)
    return ReversalOut.of(done)
