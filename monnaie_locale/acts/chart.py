"""The association's books: its chart of accounts, income statement and balance sheet.

=================  ==================================================================
Act                Who may do it
=================  ==================================================================
show_chart         the auditors, the association's operators and administrators
set_chart_rule     the association's operators and administrators
unset_chart_rule   the same
books_report       the auditors, the association's operators and administrators
=================  ==================================================================

The chart maps every ledger account to an account of the PCG; the association adjusts
it with rules of its own, stored once and used by every export and report (see
:mod:`monnaie_locale.chart`). The report is :mod:`monnaie_locale.books_report`.
"""

from __future__ import annotations

from datetime import date, tzinfo

from monnaie_locale import books_report, chart
from monnaie_locale.acting import Context, act
from monnaie_locale.admin_log import Logged
from monnaie_locale.auth.roles import OPERATORS, REPORT_READERS
from monnaie_locale.books_report import Books
from monnaie_locale.chart import ChartOfAccounts
from monnaie_locale.exports.account_map import AccountRule

__all__ = ["books_report_for", "set_chart_rule", "show_chart", "unset_chart_rule"]


@act(*REPORT_READERS)
def show_chart(ctx: Context) -> ChartOfAccounts:
    """The association's rules, and the chart account of each account of the books."""
    return ctx.read(chart.chart)


@act(
    *OPERATORS,
    logged=Logged(target="pattern", fields=("number", "label", "auxiliary", "currency")),
)
def set_chart_rule(
    ctx: Context,
    pattern: str,
    number: str,
    label: str,
    *,
    auxiliary: bool = False,
    currency: str | None = None,
) -> AccountRule:
    """Map the ledger accounts ``pattern`` matches to ``number`` and ``label``, replacing
    the association's rule for the same pattern and currency."""
    rule = AccountRule(pattern, number, label, auxiliary, currency)  # refuses a bad number
    return ctx.write(lambda conn: chart.set_rule(conn, rule, now=ctx.clock(), by=ctx.actor.name))


@act(*OPERATORS, logged=Logged(target="pattern", fields=("currency",)))
def unset_chart_rule(ctx: Context, pattern: str, *, currency: str | None = None) -> None:
    """Remove the association's rule: the built-in chart maps those accounts again."""
    ctx.write(lambda conn: chart.unset_rule(conn, pattern, currency))


@act(*REPORT_READERS)
def books_report_for(ctx: Context, *, start: date | None, end: date | None, zone: tzinfo) -> Books:
    """The income statement from ``start`` to ``end`` (days in ``zone``, included) and the
    balance sheet at the end of ``end``, under the association's chart of accounts."""
    books_report.period_bounds(start, end, zone)  # refuses a period that ends before it starts
    return ctx.read(
        lambda conn: books_report.books(
            conn, chart.account_map(conn), start=start, end=end, zone=zone
        )
    )
