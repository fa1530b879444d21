"""The acts of the association's books: who reads and changes the chart of accounts, who
reads the income statement and the balance sheet. Refusals are checked on the API and in
``mlc chart`` / ``mlc report`` alike, and change nothing."""

from __future__ import annotations

import io
import json
from datetime import UTC
from typing import TYPE_CHECKING

import pytest

from monnaie_locale.acts import chart as chart_acts
from monnaie_locale.acts import exports
from monnaie_locale.auth import Role
from monnaie_locale.auth.errors import RoleForbidden
from monnaie_locale.chart import UnknownChartRule
from monnaie_locale.errors import InvalidRequest
from monnaie_locale.exports import AccountMap

if TYPE_CHECKING:
    # Imported by pytest as a plugin (below): imported here too, it would not be rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

OPERATOR, AUDITOR = Role.ASSOCIATION_OPERATOR, Role.AUDITOR


def _line(fronts: Fronts, code: str) -> tuple[str, str, str]:
    found = chart_acts.show_chart(fronts.context(AUDITOR))
    line = next(line for line in found.accounts if line.code == code)
    return line.number, line.label, line.source


def test_the_built_in_chart_maps_the_income_and_expense_accounts(fronts: Fronts) -> None:
    assert _line(fronts, "income:membership") == ("756000", "Cotisations", "built-in")
    assert _line(fronts, "income:reconversion_fees")[0] == "706000"
    assert _line(fronts, "expense:bonus")[0] == "657000"
    assert _line(fronts, "expense:bank_fees")[0] == "627000"
    assert _line(fronts, "association:fees")[0] == "581000"
    assert _line(fronts, "issuance")[0] == _line(fronts, "external")[0] == "581000"
    assert _line(fronts, "(member)")[0] == "467100"


def test_the_association_sets_a_rule_once_and_every_export_follows_it(fronts: Fronts) -> None:
    operator = fronts.context(OPERATOR)

    chart_acts.set_chart_rule(operator, "income:other", "758100", "Produits", currency="EUR")
    chart_acts.set_chart_rule(operator, "income:other", "758200", "Autres produits", currency="EUR")

    assert _line(fronts, "income:other") == ("758200", "Autres produits", "association")
    rules = chart_acts.show_chart(fronts.context(AUDITOR)).rules
    assert [(rule.pattern, rule.currency, rule.number) for rule in rules] == [
        ("income:other", "EUR", "758200")
    ]
    out = io.BytesIO()
    exports.write_fec(
        fronts.context(AUDITOR),
        out,
        separator="|",
        zone=UTC,
        start=None,
        end=None,
        account_map=AccountMap(),
        journal_code="ML",
    )
    assert b"|758200|Autres produits|" in out.getvalue()
    assert b"|758000|" not in out.getvalue()

    chart_acts.unset_chart_rule(operator, "income:other", currency="EUR")

    assert _line(fronts, "income:other")[::2] == ("758000", "built-in")


def test_an_exact_code_wins_over_a_pattern_whatever_the_order_set(fronts: Fronts) -> None:
    operator = fronts.context(OPERATOR)
    chart_acts.set_chart_rule(operator, "income:membership", "756100", "Cotisations")
    chart_acts.set_chart_rule(operator, "income:*", "758100", "Produits divers")

    assert _line(fronts, "income:membership")[0] == "756100"
    assert _line(fronts, "income:donations")[0] == "758100"


@pytest.mark.parametrize(
    ("number", "label"), [("0123", "Zero"), ("12", "Short"), ("7061A", "Letters"), ("706", " ")]
)
def test_a_rule_with_a_bad_number_or_label_is_refused_and_changes_nothing(
    fronts: Fronts, number: str, label: str
) -> None:
    error = fronts.refused(
        OPERATOR,
        lambda ctx: chart_acts.set_chart_rule(ctx, "income:*", number, label),
        status=422,
        cli=["chart", "set", "income:*", number, label],
    )
    assert isinstance(error, InvalidRequest)


def test_removing_a_rule_never_set_is_refused(fronts: Fronts) -> None:
    error = fronts.refused(
        OPERATOR,
        lambda ctx: chart_acts.unset_chart_rule(ctx, "income:grants"),
        status=404,
        api=lambda: fronts.ops.client.delete(
            "/v1/chart/rules",
            params={"pattern": "income:grants"},
            headers=fronts.ops.auth(OPERATOR, "k1"),
        ),
        cli=["chart", "unset", "income:grants"],
    )
    assert isinstance(error, UnknownChartRule)


def test_an_auditor_reads_the_chart_and_changes_none_of_it(fronts: Fronts) -> None:
    fronts.refused_alike(
        AUDITOR,
        RoleForbidden(AUDITOR),
        api=lambda: fronts.ops.client.put(
            "/v1/chart/rules",
            json={"pattern": "income:*", "number": "758100", "label": "Divers"},
            headers=fronts.ops.auth(AUDITOR, "k1"),
        ),
        cli=["chart", "set", "income:*", "758100", "Divers"],
    )


def test_a_member_reads_neither_the_chart_nor_the_books(fronts: Fronts) -> None:
    fronts.refused_alike(
        Role.MEMBER,
        RoleForbidden(Role.MEMBER),
        api=lambda: fronts.ops.get(Role.MEMBER, "/v1/chart"),
        cli=["chart", "show"],
    )
    fronts.refused_alike(
        Role.MEMBER,
        RoleForbidden(Role.MEMBER),
        api=lambda: fronts.ops.get(Role.MEMBER, "/v1/reports/balance-sheet"),
        cli=["report"],
    )


def test_the_routes_and_the_command_give_the_acts_report(fronts: Fronts) -> None:
    found = chart_acts.books_report_for(fronts.context(AUDITOR), start=None, end=None, zone=UTC)

    answer = fronts.ops.get(AUDITOR, "/v1/reports/income-statement", timezone="UTC")
    sheet = fronts.ops.get(AUDITOR, "/v1/reports/balance-sheet", timezone="UTC", to="2030-01-01")
    shown = fronts.mlc("report", "--format", "json", "--timezone", "UTC", actor="auditor")

    assert answer.status_code == 200, answer.text
    assert answer.json()["result"] == f"{found.income_statement.result / 100:.2f}"
    assert sheet.status_code == 200, sheet.text
    assert sheet.json()["balanced"] is True
    assert sheet.json()["reserve"] == f"{found.balance_sheet.reserve / 100:.2f}"
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert data["income_statement"]["result"] == answer.json()["result"]


def test_a_period_that_ends_before_it_starts_is_refused(fronts: Fronts) -> None:
    period = {"from": "2026-12-01", "to": "2026-11-01"}
    answer = fronts.ops.get(AUDITOR, "/v1/reports/income-statement", **period)
    assert answer.status_code == 422
    shown = fronts.mlc("report", "--from", "2026-12-01", "--to", "2026-11-01", actor="auditor")
    assert shown.exit_code == 2
