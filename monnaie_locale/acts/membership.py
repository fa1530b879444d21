"""Membership fees: paying one for a period, and who is up to date.

The fee of each kind of account, and its period, are the deployment's (see
:mod:`monnaie_locale.operations.membership`). Paid in units, it leaves the holder's own
account; paid in euros (cash, cheque), nothing leaves any account of the holder, and only
the association records it.

==============  =========================================================================
Act             Who may do it
==============  =========================================================================
pay_fee         in units: a holder, for an account they hold (operators: any); in euros:
                the association's operators and administrators
fee_status      the auditors, the association's operators and administrators
account_fee     anyone, for an account they hold (readers of every account: any): its
                fee, its period and whether that period is paid
==============  =========================================================================
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from monnaie_locale.acting import Context, act
from monnaie_locale.auth.errors import RoleForbidden
from monnaie_locale.auth.roles import EVERYONE, HOLDERS, REPORT_READERS
from monnaie_locale.clock import day_in
from monnaie_locale.operations import membership
from monnaie_locale.operations.membership import FeePayment, MembershipStatus, OwnFee

__all__ = ["account_fee", "fee_status", "pay_fee"]


@act(*HOLDERS)
def pay_fee(
    ctx: Context,
    account: str,
    period: str,
    *,
    paid_in: Literal["units", "euros"],
    key: str,
    on: date | None = None,
) -> FeePayment:
    """Pay ``account``'s fee for ``period``, once per ``key``.

    ``on``, the day it was paid when not today, is the association's to give.
    """
    if (paid_in == "euros" or on is not None) and not ctx.actor.moves_any_account:
        # Euros received are the association's to vouch for, not the holder's.
        raise RoleForbidden(str(ctx.actor.role))
    ctx.actor.check_move_from(account)
    return ctx.operate(
        membership.pay_membership_fee,
        key=key,
        account=account,
        period=period,
        paid_in=paid_in,
        on=on,
    )


@act(*REPORT_READERS)
def fee_status(ctx: Context, on: date | None = None) -> list[MembershipStatus]:
    """Every account owing a fee, and whether it paid the period of ``on`` (today, in the
    deployment's zone)."""
    day = on if on is not None else day_in(ctx.clock(), ctx.deployment.zone)
    return ctx.read(lambda conn: membership.membership_status(conn, ctx.deployment, on=day))


@act(*EVERYONE)
def account_fee(ctx: Context, account: str, on: date | None = None) -> OwnFee:
    """``account``'s fee, and whether it paid the period of ``on`` (today, in the
    deployment's zone): what a holder may know of their own membership."""
    ctx.actor.check_read(account)
    day = on if on is not None else day_in(ctx.clock(), ctx.deployment.zone)
    return ctx.read(lambda conn: membership.fee_of(conn, ctx.deployment, account, on=day))
