"""A shop's takings by day and month, in the deployment's zone (Europe/Paris).

Payments and a refund are made across day boundaries: a payment at 23:30 UTC in November
is the next day's in Paris (UTC+1), and one at 23:30 UTC on 30 November is December's.
The takings must match what was paid less what was refunded, day by day and in total,
through the act, the API and ``mlc`` alike; who may read them is the shop's staff and
the association's report readers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Connection, func, select

from monnaie_locale.acts import checkout, takings
from monnaie_locale.acts.takings import Totals
from monnaie_locale.auth import Role, issue_token
from monnaie_locale.auth.users import find_user
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.store.tables_checkout import checkout_payments, checkout_refunds
from tests.api.helpers import assert_problem
from tests.api.operations_support import STAFF

if TYPE_CHECKING:
    # Imported by pytest, as a plugin, so that its assertions are rewritten.
    from api.checkout_runtime import CheckoutRuntime
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

OWNER, CASHIER, MEMBER = Role.MERCHANT_OWNER, Role.MERCHANT_CASHIER, Role.MEMBER
READERS = [OWNER, CASHIER, Role.ASSOCIATION_OPERATOR, Role.AUDITOR, Role.ADMIN]
REFUSED = [Role.MEMBER, Role.AUTHORITY_AGENT, Role.OFFICE_OPERATOR]


@dataclass
class Sales:
    fronts: Fronts
    services: CheckoutRuntime
    sold: int = 0

    def sale(self, amount: int) -> int:
        """A payment of ``amount`` from alice to bakery, now; its id."""
        self.sold += 1
        owner, member = self.fronts.context(OWNER), self.fronts.context(MEMBER)
        issued = checkout.issue_request(
            owner, "bakery", amount, key=f"sale-{self.sold}", services=self.services
        )
        paid = checkout.pay(member, issued.token, key=f"pay-{self.sold}", services=self.services)
        return paid.id

    def refund(self, payment_id: int, amount: int) -> None:
        checkout.refund(
            self.fronts.context(OWNER),
            payment_id,
            amount,
            key=f"refund-{payment_id}-{amount}",
            services=self.services,
        )


@pytest.fixture
def sales(fronts: Fronts) -> Sales:
    """Bakery's sales over two days and a month's end, the clock starting on 2 November
    2026 at 09:00 UTC (10:00 in Paris)."""
    fronts.ops.converted("alice", "200", key="card-alice")
    state = fronts.ops.client.app.state  # type: ignore[attr-defined]
    made = Sales(fronts, state.checkout)
    clock = fronts.ops.clock
    first = made.sale(20_00)  # 2 Nov, 10:00 in Paris
    clock.advance(timedelta(hours=14, minutes=30))  # 2 Nov, 23:30 UTC: 3 Nov, 00:30 in Paris
    made.sale(30_00)
    made.refund(first, 5_00)  # counted on its own day, 3 Nov
    clock.advance(timedelta(hours=23, minutes=29))  # 3 Nov, 22:59 UTC: 23:59 in Paris
    made.sale(10_00)
    clock.advance(timedelta(days=27, minutes=31))  # 30 Nov, 23:30 UTC: 1 Dec in Paris
    made.sale(7_00)
    # The tokens issued at the start lived an hour; the staff signs in again.
    fronts.ops.tokens = fronts.database.write(lambda conn: _fresh_tokens(conn, clock()))
    return made


def _fresh_tokens(conn: Connection, now: datetime) -> dict[Role, str]:
    tokens = {}
    for role, (name, _) in STAFF.items():
        user = find_user(conn, name)
        assert user is not None
        tokens[role] = issue_token(conn, user.id, now=now, ttl=timedelta(hours=1)).token
    return tokens


def _day(found: takings.Takings, day: date) -> Totals:
    return next(line.totals for line in found.days if line.day == day)


def test_takings_count_each_payment_on_its_day_in_paris(sales: Sales) -> None:
    found = takings.takings(sales.fronts.context(CASHIER), "bakery", month=date(2026, 11, 1))
    assert found.zone == "Europe/Paris"
    assert found.month == date(2026, 11, 1)
    assert [line.day for line in found.days] == [
        date(2026, 11, 1) + timedelta(days=n) for n in range(30)
    ]
    assert _day(found, date(2026, 11, 2)) == Totals(received=20_00, payments=1)
    assert _day(found, date(2026, 11, 3)) == Totals(
        received=40_00, refunded=5_00, payments=2, refunds=1
    )
    assert _day(found, date(2026, 11, 3)).net == 35_00
    quiet = [line for line in found.days if line.day not in (date(2026, 11, 2), date(2026, 11, 3))]
    assert {line.totals for line in quiet} == {Totals()}
    assert found.month_totals == Totals(received=60_00, refunded=5_00, payments=3, refunds=1)
    december = takings.takings(sales.fronts.context(OWNER), "bakery", day=date(2026, 12, 1))
    assert december.month == date(2026, 12, 1)
    assert december.day_totals == Totals(received=7_00, payments=1)
    assert december.month_totals == december.day_totals
    # The two months hold every payment and refund, once: paid less refunded.
    database = sales.fronts.database
    paid = database.read(
        lambda conn: conn.execute(select(func.sum(checkout_payments.c.amount))).scalar_one()
    )
    refunded = database.read(
        lambda conn: conn.execute(select(func.sum(checkout_refunds.c.amount))).scalar_one()
    )
    assert found.month_totals.net + december.month_totals.net == paid - refunded == 62_00


def test_by_default_takings_are_todays_and_this_months(sales: Sales) -> None:
    # The clock is at 1 December 00:30 in Paris.
    found = takings.takings(sales.fronts.context(OWNER), "bakery")
    assert (found.day, found.month) == (date(2026, 12, 1), date(2026, 12, 1))
    assert found.day_totals == Totals(received=7_00, payments=1)
    # A month alone: its first day when today is not in it.
    november = takings.takings(sales.fronts.context(OWNER), "bakery", month=date(2026, 11, 1))
    assert november.day == date(2026, 11, 1)
    assert november.day_totals == Totals()


def test_a_day_outside_the_month_asked_is_refused(sales: Sales) -> None:
    with pytest.raises(InvalidRequest):
        takings.takings(
            sales.fronts.context(OWNER), "bakery", day=date(2026, 12, 1), month=date(2026, 11, 1)
        )
    response = sales.fronts.ops.get(
        OWNER, "/v1/accounts/bakery/takings", day="2026-12-01", month="2026-11"
    )
    assert_problem(response, 422, "invalid_request")
    assert_problem(
        sales.fronts.ops.get(OWNER, "/v1/accounts/bakery/takings", month="2026-13"),
        422,
        "validation_failed",
    )
    # The ends of the calendar, where a day's bounds in the zone are no instants.
    for day in ("0999-01-01", "9999-12-31"):
        response = sales.fronts.ops.get(OWNER, "/v1/accounts/bakery/takings", day=day)
        assert_problem(response, 422, "invalid_request")


@pytest.mark.parametrize("role", READERS)
def test_the_shops_staff_and_the_report_readers_read_the_takings(sales: Sales, role: Role) -> None:
    response = sales.fronts.ops.get(role, "/v1/accounts/bakery/takings", day="2026-11-03")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["day"] == "2026-11-03"
    assert body["month"] == "2026-11"
    assert body["day_totals"] == {
        "received": "40.00",
        "refunded": "5.00",
        "net": "35.00",
        "payments": 2,
        "refunds": 1,
    }
    assert body["month_totals"]["net"] == "55.00"
    assert len(body["days"]) == 30


@pytest.mark.parametrize("role", REFUSED)
def test_nobody_else_reads_the_takings(sales: Sales, role: Role) -> None:
    fronts = sales.fronts
    error = fronts.refused(
        role,
        lambda ctx: takings.takings(ctx, "bakery"),
        status=403,
        api=lambda: fronts.ops.get(role, "/v1/accounts/bakery/takings"),
        cli=("takings", "bakery"),
    )
    assert error.code == "role_forbidden"


def test_the_owner_of_another_account_reads_not_the_shops_takings(fronts: Fronts) -> None:
    # The cashier holds bakery only; town is not theirs.
    fronts.refused(
        CASHIER,
        lambda ctx: takings.takings(ctx, "town"),
        status=403,
        api=lambda: fronts.ops.get(CASHIER, "/v1/accounts/town/takings"),
        cli=("takings", "town"),
    )


def test_mlc_takings_shows_what_the_route_shows(sales: Sales) -> None:
    fronts = sales.fronts
    shown = fronts.mlc("takings", "bakery", "--month", "2026-11", "--json", actor="till")
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.stdout)
    route = fronts.ops.get(CASHIER, "/v1/accounts/bakery/takings", month="2026-11").json()
    assert body["month_totals"] == route["month_totals"]
    assert body["days"][2] == {"day": "2026-11-03", **route["days"][2]["totals"]}
    table = fronts.mlc("takings", "bakery", "--day", "2026-11-03", actor="till")
    assert table.exit_code == 0, table.output
    assert "2026-11-03: received 40.00, refunded 5.00, net 35.00, 2 payment(s)." in table.stdout
    assert "55.00" in table.stdout
    bad = fronts.mlc("takings", "bakery", "--month", "2026-13", actor="till")
    assert bad.exit_code == 2, bad.output
    assert "YYYY-MM" in bad.stderr
