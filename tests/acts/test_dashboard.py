"""The association's dashboard, as a worked example over November and December 2026.

The clock starts on 2 November at 09:00 UTC (10:00 in Paris); the deployment gives a 5 %
conversion bonus (funded by the association's euros, so backed) and takes a 5 % fee on a
business's reconversion (the fee's units stay with the association):

==========  ===========================================  ===========  =========
Day         What happens                                 Circulation  Reserve
==========  ===========================================  ===========  =========
2 Nov       alice converts 100.00 by card (+5.00 bonus)       105.00     105.00
4 Nov       bakery orders 200.00 by transfer (waits)          105.00     105.00
5 Nov       the order is credited (+10.00 bonus)              315.00     315.00
10 Nov      bakery asks to reconvert 100.00 (held)            315.00     315.00
12 Nov      the payout of 95.00 is made (5.00 fee kept)       220.00     220.00
3 Dec       alice converts 20.00 by card (+1.00 bonus)        241.00     241.00
==========  ===========================================  ===========  =========

The dashboard is read on 5 December at noon. Each point of its history must also be what
the reserve report reads as of that point's moment.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import insert

from monnaie_locale.acts import conversions, dashboard, offices, reconversions, reserve
from monnaie_locale.auth import Role
from monnaie_locale.auth.errors import RoleForbidden
from monnaie_locale.clock import end_of_day
from monnaie_locale.dashboard import MonthFlows
from monnaie_locale.dashboard_needs import Need
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.store.tables_jobs import jobs
from tests.api.operations_support import BAKERY_IBAN, OFFICE

if TYPE_CHECKING:
    # Imported by pytest as a plugin (below): imported here too, it would not be rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

OPERATOR, OWNER, MEMBER = Role.ASSOCIATION_OPERATOR, Role.MERCHANT_OWNER, Role.MEMBER
READ_AT = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
UNMATCHED = (
    "Date;Date de valeur;Libellé;Référence;Débit;Crédit\r\n"
    "01/12/2026;01/12/2026;VIR SEPA RECU /INCONNU;R9;;12,34\r\n"
).encode("cp1252")


def _at(fronts: Fronts, moment: datetime) -> None:
    clock = fronts.ops.clock
    clock.advance(moment - clock())


@pytest.fixture
def november(fronts: Fronts) -> Fronts:
    """The books of the table above, the clock left on 5 December at noon."""
    operator = fronts.context(OPERATOR)
    conversions.convert_by_card(operator, "alice", 100_00, payment_reference="card-1", key="card-1")
    _at(fronts, datetime(2026, 11, 4, 9, 0, tzinfo=UTC))
    order = conversions.order_conversion(fronts.context(OWNER), "bakery", 200_00, key="order")
    _at(fronts, datetime(2026, 11, 5, 9, 0, tzinfo=UTC))
    conversions.credit_order(
        operator, order.reference or "", amount=200_00, bank_reference="B-1", key="credit"
    )
    _at(fronts, datetime(2026, 11, 10, 9, 0, tzinfo=UTC))
    request = reconversions.request_reconversion(
        fronts.context(OWNER), "bakery", 100_00, creditor_name="Bakery", iban=BAKERY_IBAN, key="r"
    )
    _at(fronts, datetime(2026, 11, 12, 9, 0, tzinfo=UTC))
    batch = reconversions.validate_batch(operator, [request.id], key="batch")
    reconversions.export_batch(operator, batch.id)
    reconversions.mark_paid(operator, request.id, bank_reference="PAID-1")
    _at(fronts, datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    conversions.convert_by_card(operator, "alice", 20_00, payment_reference="card-2", key="card-2")
    _at(fronts, READ_AT)
    return fronts


def test_the_history_follows_the_books_day_by_day(november: Fronts) -> None:
    auditor = november.context(Role.AUDITOR)
    found = dashboard.circulation_history(auditor, days=30)

    assert (found.days, found.step) == (30, 1)
    assert [point.day for point in found.points] == [
        date(2026, 11, 5) + timedelta(days=n) for n in range(31)
    ]
    by_day = {point.day: point for point in found.points}
    expected = {date(2026, 11, 5): 315_00, date(2026, 11, 11): 315_00, date(2026, 11, 12): 220_00}
    expected |= {date(2026, 12, 2): 220_00, date(2026, 12, 3): 241_00, date(2026, 12, 5): 241_00}
    for day, amount in expected.items():
        assert (by_day[day].circulation, by_day[day].reserve) == (amount, amount), day
    assert {point.paper for point in found.points} == {0}
    # Each point is what the reserve report reads as of the end of its day (today: now).
    for point in found.points:
        as_of = min(end_of_day(point.day, auditor.deployment.zone), READ_AT)
        report = reserve.reserve_report(auditor, as_of=as_of).position
        assert (point.digital, point.paper, point.reserve) == (
            report.digital_total,
            report.paper,
            report.reserve_total,
        ), point.day


def test_a_year_s_history_has_a_point_a_week_from_nothing(november: Fronts) -> None:
    found = dashboard.circulation_history(november.context(OPERATOR), days=365)

    assert (found.days, found.step, len(found.points)) == (365, 7, 53)
    assert found.points[-1].day == date(2026, 12, 5)
    assert found.points[0].day == date(2026, 12, 5) - timedelta(days=364)
    # A point every seventh day back from today: 28, 21, 14 and 7 November, 31 October...
    assert [(p.day, p.circulation, p.reserve) for p in found.points[-6:]] == [
        (date(2026, 10, 31), 0, 0),
        (date(2026, 11, 7), 315_00, 315_00),
        (date(2026, 11, 14), 220_00, 220_00),
        (date(2026, 11, 21), 220_00, 220_00),
        (date(2026, 11, 28), 220_00, 220_00),
        (date(2026, 12, 5), 241_00, 241_00),
    ]
    assert {p.circulation for p in found.points[:-5]} == {0}


def test_the_flows_count_each_month_s_conversions_and_paid_reconversions(
    november: Fronts,
) -> None:
    flows = dashboard.monthly_flows(november.context(Role.ADMIN))

    assert [month.month for month in flows] == [date(2026, m, 1) for m in range(1, 13)]
    assert flows[-2] == MonthFlows(
        date(2026, 11, 1), conversions=2, converted=300_00, reconversions=1, reconverted=100_00
    )
    assert flows[-1] == MonthFlows(date(2026, 12, 1), conversions=1, converted=20_00)
    assert set(flows[:-2]) == {MonthFlows(month.month) for month in flows[:-2]}


def test_the_dashboard_counts_open_and_active_holders(november: Fronts) -> None:
    found = dashboard.dashboard(november.context(OPERATOR), days=90)

    # alice (member) and bakery (business) moved within 90 days; town (authority) is
    # neither, and counts in no column.
    assert found.activity.open_members == 1
    assert found.activity.open_businesses == 1
    assert (found.activity.active_members, found.activity.active_businesses) == (1, 1)
    assert found.report.coverage == 1
    assert found.history.points[-1].circulation == found.report.position.circulation == 241_00
    assert len(found.history.points) == 91


def test_what_waits_is_listed_until_it_is_done(fronts: Fronts) -> None:
    operator = fronts.context(OPERATOR)
    start = fronts.ops.clock()
    order = conversions.order_conversion(fronts.context(MEMBER), "alice", 40_00, key="order")

    waiting = dashboard.dashboard(operator).needs
    assert waiting == (Need("conversion_orders", 1, 40_00, since=date(2026, 11, 2)),)

    conversions.credit_order(
        operator, order.reference or "", amount=40_00, bank_reference="B-1", key="credit"
    )
    conversions.convert_by_card(operator, "bakery", 60_00, payment_reference="c", key="c")
    request = reconversions.request_reconversion(
        fronts.context(OWNER), "bakery", 30_00, creditor_name="Bakery", iban=BAKERY_IBAN, key="r"
    )
    reserve.import_statement_file(operator, UNMATCHED, file_format="csv", key="statement")
    fronts.database.write(
        lambda conn: conn.execute(
            insert(jobs).values(name="seal", last_status="failed", last_finished_at=start)
        )
    )
    # A week later, neither till has been counted since its office opened.
    _at(fronts, start + timedelta(days=7, minutes=1))

    kinds = [
        (need.kind, need.count, need.amount, need.subject)
        for need in dashboard.dashboard(operator).needs
    ]
    assert kinds == [
        ("reconversions", 1, 30_00, None),
        ("bank_lines", 1, None, None),
        ("till_not_counted", 1, None, OFFICE),
        ("till_not_counted", 1, None, "port"),
        ("failed_job", 1, None, "seal"),
    ]

    reconversions.cancel_reconversion(fronts.context(OWNER), request.id)
    offices.close_till(operator, OFFICE, 0, key="count")
    left = [need.kind for need in dashboard.dashboard(operator).needs]
    assert left == ["bank_lines", "till_not_counted", "failed_job"]
    assert dashboard.dashboard(operator).needs[1].subject == "port"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.OFFICE_OPERATOR, Role.MERCHANT_OWNER])
def test_only_the_association_s_report_readers_see_the_dashboard(
    fronts: Fronts, role: Role
) -> None:
    for read in (dashboard.dashboard, dashboard.circulation_history, dashboard.monthly_flows):
        with pytest.raises(RoleForbidden):
            read(fronts.context(role))


def test_a_history_over_another_period_is_refused(fronts: Fronts) -> None:
    with pytest.raises(InvalidRequest):
        dashboard.circulation_history(fronts.context(OPERATOR), days=45)
    with pytest.raises(InvalidRequest):
        dashboard.monthly_flows(fronts.context(OPERATOR), months=0)
