"""A shop's takings: what its QR checkout received and refunded, by day and by month.

The till's end-of-day question: how much came in today, how much went back, how many
payments; and the month's, day by day. Days are the deployment's (``MLC_TIME_ZONE``, see
:mod:`monnaie_locale.clock`): in Paris in winter a payment at 23:30 UTC is the next day's.
A payment counts on the day it was paid, a refund on the day it was made, whichever day
its payment was.

The sums are the database's (one aggregate query for payments, one for refunds, grouped
by day), never the payments loaded one by one: a busy shop's month stays one read.

==========  ===========================================================================
Act         Who may do it
==========  ===========================================================================
takings     a shop's owner or cashier, for the shop's account; those who read the
            association's reports (auditors, operators, administrators), for any
==========  ===========================================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import Connection, FromClause, case, func, select

from monnaie_locale.acting import Context, act
from monnaie_locale.auth.roles import MERCHANT_STAFF, REPORT_READERS
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.store.tables_checkout import checkout_payments, checkout_refunds

__all__ = ["DayTakings", "Takings", "Totals", "parse_month", "takings"]

_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
FIRST_YEAR, LAST_YEAR = 1900, 9998


@dataclass(frozen=True, slots=True)
class Totals:
    """What a shop received and paid back over some time, in minor units."""

    received: int = 0
    refunded: int = 0
    payments: int = 0
    refunds: int = 0

    @property
    def net(self) -> int:
        """What the shop kept: received less refunded (negative on a day of refunds only)."""
        return self.received - self.refunded


@dataclass(frozen=True, slots=True)
class DayTakings:
    day: date
    totals: Totals


@dataclass(frozen=True, slots=True)
class Takings:
    """A shop's takings on ``day`` and over ``month`` (its first day), with every day of
    that month in order, days without payments included."""

    account: str
    zone: str
    day: date
    day_totals: Totals
    month: date
    month_totals: Totals
    days: tuple[DayTakings, ...]

    @property
    def month_text(self) -> str:
        """The month as people write it, ``2026-11``."""
        return _month_text(self.month)


def _month_text(first: date) -> str:
    # Not strftime: it writes the year 999 as "999".
    return f"{first.year:04d}-{first.month:02d}"


def parse_month(text: str) -> date:
    """The first day of the month written ``YYYY-MM``."""
    found = _MONTH.fullmatch(text)
    if found is None or int(found[1]) == 0:
        raise InvalidRequest(f"a month is written YYYY-MM, such as 2026-11, not {text!r}")
    return date(int(found[1]), int(found[2]), 1)


def _month_days(first: date) -> list[date]:
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return [first + timedelta(days=n) for n in range((following - first).days)]


def _chosen(today: date, day: date | None, month: date | None) -> tuple[date, date]:
    """The day and the month (its first day) shown: the day given, else today when in the
    month given, else that month's first day; the month given, else the day's."""
    if month is not None:
        month = month.replace(day=1)
    if month is None:
        chosen = today if day is None else day
        return chosen, chosen.replace(day=1)
    if day is None:
        return (today if today.replace(day=1) == month else month), month
    if day.replace(day=1) != month:
        raise InvalidRequest(
            f"{day.isoformat()} is not in {_month_text(month)}: give a day of that month, "
            "or only the day, or only the month"
        )
    return day, month


def _check_years(month: date) -> None:
    # A day's bounds in the zone must exist as instants: not so at the ends of the calendar.
    if not FIRST_YEAR <= month.year <= LAST_YEAR:
        raise InvalidRequest(
            f"takings are kept for the years {FIRST_YEAR} to {LAST_YEAR}; give a day or a "
            "month within them"
        )


def _starts(days: list[date], zone: tzinfo) -> list[datetime]:
    """Where each day starts in ``zone``, in UTC, and where the last one ends."""
    after = days[-1] + timedelta(days=1)
    return [datetime.combine(d, time.min, zone).astimezone(UTC) for d in [*days, after]]


def _by_day(
    conn: Connection,
    source: FromClause,
    stamp: Any,
    amount: Any,
    shop: Any,
    starts: list[datetime],
) -> dict[int, tuple[int, int]]:
    """{day's index: (rows, sum of ``amount``)} of the shop's rows of ``source``, by the
    day ``stamp`` falls on, for the days that start at ``starts`` (the last: where they
    end)."""
    # A day's number from its bounds, in SQL: the zone's offsets (summer time) are in the
    # bounds, so SQLite and PostgreSQL group alike, without a time-zone function.
    bucket = case(
        *((stamp < start, index) for index, start in enumerate(starts[1:-1])),
        else_=len(starts) - 2,
    )
    rows = (
        select(bucket.label("day"), amount.label("amount"))
        .select_from(source)
        .where(shop, stamp >= starts[0], stamp < starts[-1])
        .subquery()
    )
    totals = conn.execute(
        select(rows.c.day, func.count(), func.coalesce(func.sum(rows.c.amount), 0)).group_by(
            rows.c.day
        )
    )
    return {int(index): (int(count), int(total)) for index, count, total in totals}


@act(*MERCHANT_STAFF, *REPORT_READERS)
def takings(
    ctx: Context, account: str, *, day: date | None = None, month: date | None = None
) -> Takings:
    """What the shop ``account`` received and refunded on ``day`` and over ``month`` (any
    day of it; see :func:`parse_month`), day by day; by default today and this month."""
    ctx.actor.check_read(account)
    zone = ctx.deployment.zone
    shown_day, first = _chosen(ctx.deployment.today(ctx.clock()), day, month)
    _check_years(first)
    days = _month_days(first)
    starts = _starts(days, zone)

    def query(conn: Connection) -> Takings:
        shop = get_account(conn, account).id
        of_shop = checkout_payments.c.merchant_account_id == shop
        paid = _by_day(
            conn,
            checkout_payments,
            checkout_payments.c.created_at,
            checkout_payments.c.amount,
            of_shop,
            starts,
        )
        # A refund counts on its own day, whichever day its payment was.
        paid_back = _by_day(
            conn,
            checkout_refunds.join(
                checkout_payments, checkout_payments.c.id == checkout_refunds.c.payment_id
            ),
            checkout_refunds.c.created_at,
            checkout_refunds.c.amount,
            of_shop,
            starts,
        )
        per_day = tuple(
            DayTakings(
                d,
                Totals(
                    received=paid.get(index, (0, 0))[1],
                    refunded=paid_back.get(index, (0, 0))[1],
                    payments=paid.get(index, (0, 0))[0],
                    refunds=paid_back.get(index, (0, 0))[0],
                ),
            )
            for index, d in enumerate(days)
        )
        return Takings(
            account=account,
            zone=str(zone),
            day=shown_day,
            day_totals=next(line.totals for line in per_day if line.day == shown_day),
            month=first,
            month_totals=Totals(
                received=sum(line.totals.received for line in per_day),
                refunded=sum(line.totals.refunded for line in per_day),
                payments=sum(line.totals.payments for line in per_day),
                refunds=sum(line.totals.refunds for line in per_day),
            ),
            days=per_day,
        )

    return ctx.read(query)
