"""Conversions: the acts that take euros in and issue the same number of units.

A conversion by bank transfer has two steps: a holder orders it and gets a reference to
put on the transfer; the association credits the order once the euros are seen on the
reserve's account, and only then are the units issued. A card payment or cash paid at an
exchange office's counter is converted at once. The entries, the bonus and the limits are
those of :mod:`monnaie_locale.operations.conversion`; these acts add who may do each.

================  ========================================================================
Act               Who may do it
================  ========================================================================
order_conversion  a holder, for an account they hold (operators: for any holder)
credit_order      the association's operators and administrators
cancel_order      the association's operators and administrators
convert_by_card   office staff (office operators, the association's operators and
                  administrators)
convert_cash      office staff, at an office whose till or note stock they hold
                  (the association's operators and administrators: at any office)
get_conversion    anyone, for a conversion to an account they hold (readers of every
                  account: any)
pending_orders    those who read the association's reports (auditors, operators,
                  administrators)
================  ========================================================================
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from monnaie_locale.acting import Context, act, check_office
from monnaie_locale.auth.roles import EVERYONE, HOLDERS, OFFICE_STAFF, OPERATORS, REPORT_READERS
from monnaie_locale.operations import conversion
from monnaie_locale.operations.conversion import Conversion

__all__ = [
    "cancel_order",
    "convert_by_card",
    "convert_cash",
    "credit_order",
    "get_conversion",
    "order_conversion",
    "pending_orders",
]


@act(*HOLDERS)
def order_conversion(ctx: Context, account: str, amount: int, *, key: str) -> Conversion:
    """Record an order to convert ``amount`` euros by bank transfer, once per ``key``.

    Nothing is issued yet: the order's ``reference`` goes on the transfer, and
    :func:`credit_order` issues the units when the euros arrive.
    """
    ctx.actor.check_move_from(account)
    return ctx.operate(conversion.order_conversion, key=key, account=account, amount=amount)


@act(*OPERATORS)
def credit_order(
    ctx: Context,
    reference: str,
    *,
    amount: int,
    bank_reference: str,
    key: str | None = None,
    on: date | None = None,
) -> Conversion:
    """Issue the units of the order ``reference`` once its ``amount`` reached the bank.

    Crediting again with the same ``bank_reference`` returns the credited order and moves
    nothing; ``key``, when given, is the caller's idempotency key (see
    :meth:`~monnaie_locale.acting.Context.write_settlement`). ``on`` is the bank's
    booking day, when not today.
    """
    ctx.check_day(on)

    def credit(conn: Connection) -> Conversion:
        return conversion.credit_conversion_order(
            conn,
            ctx.deployment,
            reference=reference,
            amount=amount,
            bank_reference=bank_reference,
            clock=ctx.clock,
            on=on,
        )

    request = f"credit|{reference}|{amount}|{bank_reference}"
    if on is not None:
        request += f"|on:{on.isoformat()}"
    return ctx.write_settlement(credit, key=key, request=request)


@act(*OPERATORS)
def cancel_order(ctx: Context, reference: str) -> Conversion:
    """Cancel a pending order: its transfer never came, or came back."""
    return ctx.write(
        lambda conn: conversion.cancel_conversion_order(conn, reference=reference, clock=ctx.clock)
    )


@act(*OFFICE_STAFF)
def convert_by_card(
    ctx: Context,
    account: str,
    amount: int,
    *,
    payment_reference: str,
    key: str,
    on: date | None = None,
) -> Conversion:
    """Issue units paid by card or online; the payment's reference is used once."""
    return ctx.operate(
        conversion.convert_by_card,
        key=key,
        account=account,
        amount=amount,
        payment_reference=payment_reference,
        on=on,
    )


@act(*OFFICE_STAFF)
def convert_cash(
    ctx: Context, office: str, account: str, amount: int, *, key: str, on: date | None = None
) -> Conversion:
    """Issue units for euros paid in cash at ``office``; the euros go into its till.

    ``on`` is the day the cash was taken, when not today.
    """
    check_office(ctx.actor, office)
    return ctx.operate(
        conversion.convert_cash, key=key, office=office, account=account, amount=amount, on=on
    )


@act(*EVERYONE)
def get_conversion(ctx: Context, conversion_id: int) -> Conversion:
    """One conversion, seen by those who may read its account."""
    found = ctx.read(lambda conn: conversion.load_conversion(conn, conversion_id))
    ctx.actor.check_read(found.account)
    return found


@act(*REPORT_READERS)
def pending_orders(ctx: Context) -> list[Conversion]:
    """The bank-transfer orders still waiting for their euros, oldest first."""
    return ctx.read(conversion.pending_conversion_orders)
