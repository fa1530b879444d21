"""The currency's rules as data: seeded by ``mlc init``, changed from a day on, read back.

A deployment set up with a 3 % conversion bonus and a 3 % business reconversion fee (the
``MLC_`` settings of the day it was set up) keeps them once those settings are gone: the
treasurer's two findings (an unset bonus setting silently dropping the bonus, an unset fee
setting charging a business 5 %) cannot happen again. Each operation applies the rules in
force on its day; a change is refused, changing nothing, when malformed or dated before
the rule's latest change. Everything runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Connection, delete, update
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from monnaie_locale import rules
from monnaie_locale.acting import Context
from monnaie_locale.acts import accounts, conversions, membership, reconversions, sessions, users
from monnaie_locale.acts import rules as rule_acts
from monnaie_locale.auth import Role, create_user, passwords
from monnaie_locale.auth.errors import RoleForbidden
from monnaie_locale.config import Settings
from monnaie_locale.deployment import Deployment, create_system_accounts, from_settings
from monnaie_locale.errors import MonnaieLocaleError
from monnaie_locale.ledger.accounts import get_account
from monnaie_locale.ledger.posting import load_batch
from monnaie_locale.model import AccountKind
from monnaie_locale.operations.errors import ConversionLimitExceeded, OperationNotAllowed
from monnaie_locale.operations.funds import receive_association_funds
from monnaie_locale.rules import (
    InvalidFlag,
    InvalidRate,
    InvalidRuleAmount,
    RuleChangeTooEarly,
    UnknownRule,
    UnknownRuleTarget,
)
from monnaie_locale.store import Database
from monnaie_locale.store.tables_rules import rule_changes
from tests.api.operations_support import BAKERY_IBAN
from tests.cli.conftest import Mlc, database_url
from tests.conftest import SteppingClock
from tests.support import snapshot

if TYPE_CHECKING:
    # Imported by pytest, as a plugin, so that its assertions are rewritten.
    from tests.acts.edges import Fronts

pytest_plugins = ["tests.acts.edges"]

PASSWORD = "correct horse battery"
INIT_DAY = date(2026, 11, 2)  # the SteppingClock's first day
# What the environment said the day the deployment was set up.
SETUP_ENVIRONMENT = {
    "MLC_CONVERSION_BONUS_BPS": "300",
    "MLC_RECONVERSION_FEES_BPS": '{"business": 300, "authority": 0, "member": 500}',
    "MLC_MEMBERSHIP_FEES": '{"member": 1000}',
    "MLC_MAX_BALANCES": '{"member": 150000}',
    "MLC_AUTHORITIES_MAY_RECONVERT": "true",
}


@dataclass
class Books:
    """A deployment set up by ``mlc init``'s act, acted on by its administrator."""

    database: Database
    clock: SteppingClock

    def context(self, name: str = "marie") -> Context:
        # The deployment as the settings describe it now, as every command builds it.
        return Context(
            database=self.database,
            actor=sessions.acting_as(self.database, name),
            deployment=from_settings(Settings()),
            clock=self.clock,
        )

    def balance(self, code: str) -> int:
        return self.database.read(lambda conn: get_account(conn, code).balance)

    def postings_of(self, batch: str | None) -> dict[str, int]:
        assert batch is not None
        totals: dict[str, int] = defaultdict(int)
        for transaction in self.database.read(lambda conn: load_batch(conn, batch)):
            for posting in transaction.postings:
                totals[posting.account] += posting.amount
        return dict(totals)

    def history(self) -> list[rules.RuleChange]:
        return self.database.read(rules.history)

    def add_user(self, name: str, role: Role) -> None:
        self.database.write(
            lambda conn: create_user(conn, name, password=PASSWORD, role=role, now=self.clock())
        )

    def on(self, day: date) -> None:
        """Move the clock to nine o'clock on ``day``."""
        self.clock.offset = datetime(day.year, day.month, day.day, 9, tzinfo=UTC) - self.clock.start


@pytest.fixture
def books(database: Database, clock: SteppingClock, monkeypatch: pytest.MonkeyPatch) -> Books:
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    passwords._dummy_hash.cache_clear()
    for name, value in SETUP_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    users.set_up(database, from_settings(Settings()), admin="marie", password=PASSWORD, clock=clock)
    found = Books(database, clock)
    admin = found.context()
    accounts.open_account(admin, "alice", kind=AccountKind.MEMBER)
    accounts.open_account(admin, "bakery", kind=AccountKind.BUSINESS)
    database.write(
        lambda conn: receive_association_funds(
            conn, amount=100_000, memo="grant", idempotency_key="grant", clock=clock
        )
    )
    return found


def unset_the_rule_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SETUP_ENVIRONMENT:
        monkeypatch.delenv(name)


# Seeding at init ----------------------------------------------------------------------------


def test_init_records_the_settings_rules_as_the_first_ones_from_its_day(books: Books) -> None:
    history = books.history()

    seeded = {change.rule: change.value for change in history}
    assert seeded == {
        "conversion_bonus": "300",
        "reconversion_fee.authority": "0",
        "reconversion_fee.business": "300",
        "reconversion_fee.member": "500",
        "members_may_reconvert": "no",
        "authorities_may_reconvert": "yes",
        "membership_fee.member": "10.00/year",
        "max_balance.member": "1500.00",
    }
    assert {change.effective_from for change in history} == {INIT_DAY}
    marie = books.context().actor
    assert {change.changed_by for change in history} == {marie.subject}


def test_mlc_init_seeds_the_rules_and_later_commands_ignore_the_settings(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    monkeypatch.setenv("MLC_INIT_PASSWORD", PASSWORD)
    monkeypatch.setenv("MLC_CONVERSION_BONUS_BPS", "300")
    monkeypatch.setenv("MLC_RECONVERSION_FEES_BPS", '{"business": 300}')
    mlc = Mlc(database_url(database), CliRunner())
    init = mlc("init", "--admin", "marie", "--password-env", "MLC_INIT_PASSWORD", actor=None)
    assert init.exit_code == 0, init.output
    monkeypatch.delenv("MLC_CONVERSION_BONUS_BPS")
    monkeypatch.delenv("MLC_RECONVERSION_FEES_BPS")

    shown = mlc("rules", "show", "--json", actor="marie")

    assert shown.exit_code == 0, shown.output
    rules_shown = {r["rule"]: r["value"] for r in json.loads(shown.stdout)}
    assert (rules_shown["conversion_bonus"], rules_shown["reconversion_fee.business"]) == (
        "300",
        "300",
    )
    assert "reconversion_fee.member" not in rules_shown


def test_init_refused_records_no_rule(books: Books) -> None:
    before = books.history()
    with pytest.raises(MonnaieLocaleError):
        users.set_up(books.database, from_settings(Settings()), admin="eve", password=PASSWORD)
    assert books.history() == before


# The treasurer's findings -------------------------------------------------------------------


def test_unsetting_the_bonus_setting_after_init_keeps_the_bonus(
    books: Books, monkeypatch: pytest.MonkeyPatch
) -> None:
    unset_the_rule_settings(monkeypatch)
    ctx = books.context()
    assert ctx.deployment.conversion_bonus_bps == 0  # what the environment says now

    done = conversions.convert_by_card(ctx, "alice", 100_00, payment_reference="pi_1", key="c1")

    # Alice converts 100 € by card with the 3 % bonus of the rules (DOMAIN entries 1, 2):
    # EUR Dr reserve:digital 100 / Cr external 100; MLC Dr issuance 100 / Cr alice 100;
    # EUR Dr reserve:digital 3 / Cr association:operating 3; MLC Dr issuance 3 / Cr alice 3;
    # and the bonus's cost: EUR Dr expense:bonus 3 / Cr external 3.
    assert (done.bonus, done.bonus_rule) == (3_00, _version(books, "conversion_bonus"))
    assert books.postings_of(done.transaction_batch) == {
        "reserve:digital": -103_00,
        "external": 103_00,
        "expense:bonus": -3_00,
        "association:operating": 3_00,
        "issuance": -103_00,
        "alice": 103_00,
    }


def test_unsetting_the_fee_setting_after_init_keeps_the_business_fee(
    books: Books, monkeypatch: pytest.MonkeyPatch
) -> None:
    unset_the_rule_settings(monkeypatch)
    ctx = books.context()
    assert ctx.deployment.reconversion_fees["business"] == 500  # the settings' default now
    conversions.convert_by_card(ctx, "bakery", 200_00, payment_reference="pi_2", key="c2")

    asked = reconversions.request_reconversion(
        ctx, "bakery", 100_00, creditor_name="Boulangerie", iban=BAKERY_IBAN, key="r1"
    )

    # The business pays its 3 %, not 5 %: 97 € will be wired, 3 units stay as the fee.
    assert (asked.fee, asked.payout) == (3_00, 97_00)
    assert asked.fee_rule == _version(books, "reconversion_fee.business")


def test_the_environment_changes_nothing_after_init_whatever_it_says(
    books: Books, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLC_CONVERSION_BONUS_BPS", "1000")
    monkeypatch.setenv("MLC_MEMBERSHIP_FEES", '{"member": 1, "business": 2}')
    monkeypatch.setenv("MLC_MEMBERS_MAY_RECONVERT", "true")
    ctx = books.context()

    shown = {item.rule: item.value for item in rule_acts.show_rules(ctx)}
    assert shown["conversion_bonus"] == "300"
    assert shown["membership_fee.member"] == "10.00/year"
    assert "membership_fee.business" not in shown
    with pytest.raises(OperationNotAllowed):
        reconversions.request_reconversion(
            ctx, "alice", 1, creditor_name="Alice", iban=BAKERY_IBAN, key="r-alice"
        )


# Effective dates ----------------------------------------------------------------------------


def test_a_conversion_before_a_change_gets_the_old_bonus_and_after_it_the_new(
    books: Books,
) -> None:
    ctx = books.context()
    change = rule_acts.change_rule(ctx, "conversion_bonus", "500", effective_from=date(2026, 12, 1))

    books.on(date(2026, 11, 30))
    before = conversions.convert_by_card(ctx, "alice", 100_00, payment_reference="a", key="a")
    books.on(date(2026, 12, 1))
    after = conversions.convert_by_card(ctx, "alice", 100_00, payment_reference="b", key="b")

    assert (before.bonus, before.bonus_rule) == (3_00, _version(books, "conversion_bonus", 0))
    assert (after.bonus, after.bonus_rule) == (5_00, change.id)
    assert books.postings_of(after.transaction_batch)["alice"] == 105_00
    assert books.balance("alice") == 103_00 + 105_00


def test_an_order_credited_after_a_change_gets_the_bonus_of_the_day_it_was_placed(
    books: Books,
) -> None:
    ctx = books.context()
    rule_acts.change_rule(ctx, "conversion_bonus", "0", effective_from=date(2026, 11, 10))
    order = conversions.order_conversion(ctx, "alice", 50_00, key="o1")
    books.on(date(2026, 11, 20))

    credited = conversions.credit_order(
        ctx, order.reference or "", amount=50_00, bank_reference="B1"
    )

    assert (order.bonus, credited.bonus) == (1_50, 1_50)
    assert books.balance("alice") == 51_50


def test_show_on_a_day_gives_the_rules_of_that_day_and_their_change(books: Books) -> None:
    ctx = books.context()
    change = rule_acts.change_rule(
        ctx, "membership_fee.member", "1,50/month", effective_from=date(2027, 1, 1)
    )

    def fee_on(day: date) -> rules.RuleInForce:
        [fee] = [r for r in rule_acts.show_rules(ctx, day) if r.rule == "membership_fee.member"]
        return fee

    assert fee_on(date(2026, 12, 31)).value == "10.00/year"
    assert fee_on(date(2027, 1, 1)) == rules.RuleInForce(
        "membership_fee.member", "1.50/month", change.id, date(2027, 1, 1)
    )
    # Before the deployment's first rules, the first ones apply.
    assert fee_on(date(2020, 1, 1)).value == "10.00/year"


def test_a_membership_fee_paid_after_a_change_is_the_new_one(books: Books) -> None:
    ctx = books.context()
    conversions.convert_by_card(ctx, "alice", 100_00, payment_reference="a", key="a")
    rule_acts.change_rule(ctx, "membership_fee.member", "15.00", effective_from=date(2027, 1, 1))
    books.on(date(2027, 1, 5))

    paid = membership.pay_fee(ctx, "alice", "2027", paid_in="units", key="fee-2027")

    # MLC Dr alice 15 / Cr association:fees 15; EUR Dr external 15 / Cr income:membership 15.
    assert paid.amount == 15_00
    assert books.postings_of(paid.transaction_batch) == {
        "alice": -15_00,
        "association:fees": 15_00,
        "external": -15_00,
        "income:membership": 15_00,
    }


def test_an_account_opened_after_a_new_maximum_balance_gets_it(books: Books) -> None:
    ctx = books.context()
    rule_acts.change_rule(ctx, "max_balance.member", "500,00", effective_from=date(2026, 11, 10))
    books.on(date(2026, 11, 10))

    accounts.open_account(ctx, "carol", kind=AccountKind.MEMBER)

    limits = books.database.read(
        lambda conn: (
            get_account(conn, "carol").upper_limit,
            get_account(conn, "alice").upper_limit,
        )
    )
    assert limits == (500_00, 1500_00)  # alice keeps the limit she was opened with


def test_a_maximum_conversion_and_its_removal_apply_from_their_days(books: Books) -> None:
    ctx = books.context()
    rule_acts.change_rule(ctx, "max_conversion.member", "50", effective_from=date(2026, 11, 2))
    with pytest.raises(ConversionLimitExceeded):
        conversions.convert_by_card(ctx, "alice", 60_00, payment_reference="x", key="x")
    rule_acts.change_rule(ctx, "max_conversion.member", "none", effective_from=date(2026, 11, 3))
    books.on(date(2026, 11, 3))

    done = conversions.convert_by_card(ctx, "alice", 60_00, payment_reference="y", key="y")

    assert done.amount == 60_00


def test_the_history_lists_every_change_in_order_with_its_author(books: Books) -> None:
    books.add_user("paul", Role.ASSOCIATION_OPERATOR)
    seeds = len(books.history())
    paul = books.context("paul")
    rule_acts.change_rule(paul, "reconversion_fee.business", "250", effective_from=date(2027, 1, 1))
    rule_acts.change_rule(paul, "members_may_reconvert", "oui", effective_from=date(2027, 2, 1))

    history = rule_acts.rule_history(paul)[seeds:]

    assert [(c.rule, c.value, c.effective_from, c.changed_by) for c in history] == [
        ("reconversion_fee.business", "250", date(2027, 1, 1), paul.actor.subject),
        ("members_may_reconvert", "yes", date(2027, 2, 1), paul.actor.subject),
    ]


def test_a_new_category_is_priced_only_when_said_new(books: Books) -> None:
    ctx = books.context()
    with pytest.raises(UnknownRuleTarget):
        rule_acts.change_rule(ctx, "reconversion_fee.reduit", "200", effective_from=INIT_DAY)

    rule_acts.change_rule(
        ctx, "reconversion_fee.reduit", "200", effective_from=INIT_DAY, new_category=True
    )

    accounts.open_account(ctx, "epicerie", kind=AccountKind.BUSINESS, category="reduit")
    conversions.convert_by_card(ctx, "epicerie", 100_00, payment_reference="e", key="e")
    asked = reconversions.request_reconversion(
        ctx, "epicerie", 100_00, creditor_name="Epicerie", iban=BAKERY_IBAN, key="r-e"
    )
    assert (asked.fee, asked.payout) == (2_00, 98_00)


# Refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "value", "error"),
    [
        ("conversion_bonu", "300", UnknownRule),
        ("conversion_bonus.member", "300", UnknownRule),
        ("reconversion_fee", "300", UnknownRule),
        ("max_balance.system", "100", UnknownRuleTarget),
        ("membership_fee.exchange_office", "10", UnknownRuleTarget),
        ("reconversion_fee.busines", "300", UnknownRuleTarget),
        ("conversion_bonus", "-1", InvalidRate),
        ("conversion_bonus", "2.5", InvalidRate),
        ("conversion_bonus", "10001", InvalidRate),
        ("reconversion_fee.business", "10000", InvalidRate),
        ("reconversion_fee.business", "-300", InvalidRate),
        ("members_may_reconvert", "perhaps", InvalidFlag),
        ("max_balance.member", "-10", InvalidRuleAmount),
        ("max_balance.member", "0", InvalidRuleAmount),
        ("max_balance.member", "10,005", InvalidRuleAmount),
        ("max_balance.member", 10.5, InvalidRuleAmount),
        ("max_conversion.member", 1000, InvalidRuleAmount),
        ("conversion_bonus", 300, InvalidRate),
        ("membership_fee.member", "10,00/week", InvalidRuleAmount),
    ],
)
def test_a_malformed_change_is_refused_and_changes_nothing(
    books: Books, rule: str, value: object, error: type[MonnaieLocaleError]
) -> None:
    before = books.history(), snapshot(books.database)
    with pytest.raises(error):
        rule_acts.change_rule(books.context(), rule, value, effective_from=INIT_DAY)  # type: ignore[arg-type]
    assert (books.history(), snapshot(books.database)) == before


def test_a_change_dated_before_the_rules_latest_change_is_refused(books: Books) -> None:
    ctx = books.context()
    rule_acts.change_rule(ctx, "conversion_bonus", "400", effective_from=date(2026, 12, 1))
    before = books.history()

    with pytest.raises(RuleChangeTooEarly) as caught:
        rule_acts.change_rule(ctx, "conversion_bonus", "450", effective_from=date(2026, 11, 20))

    assert (caught.value.rule, caught.value.not_before) == ("conversion_bonus", "2026-12-01")
    assert books.history() == before
    # Another rule is not held back by it, and the same day again is a correction.
    rule_acts.change_rule(
        ctx, "reconversion_fee.business", "200", effective_from=date(2026, 11, 20)
    )
    rule_acts.change_rule(ctx, "conversion_bonus", "450", effective_from=date(2026, 12, 1))
    assert rule_acts.show_rules(ctx, date(2026, 12, 1))[0].value == "450"


def test_no_change_applies_before_the_deployments_first_rules(books: Books) -> None:
    with pytest.raises(RuleChangeTooEarly):
        rule_acts.change_rule(
            books.context(), "max_conversion.member", "50", effective_from=date(2026, 11, 1)
        )


@pytest.mark.parametrize("role", [Role.MEMBER, Role.MERCHANT_OWNER, Role.AUDITOR])
def test_only_the_associations_operators_and_administrators_change_a_rule(
    books: Books, role: Role
) -> None:
    books.add_user("someone", role)
    before = books.history()
    with pytest.raises(RoleForbidden):
        rule_acts.change_rule(
            books.context("someone"), "conversion_bonus", "0", effective_from=INIT_DAY
        )
    assert books.history() == before


def test_everyone_reads_the_rules_in_force_and_report_readers_their_history(
    books: Books,
) -> None:
    books.add_user("alice", Role.MEMBER)
    books.add_user("claire", Role.AUDITOR)
    member, auditor = books.context("alice"), books.context("claire")

    assert {r.rule for r in rule_acts.show_rules(member)} >= {"membership_fee.member"}
    assert len(rule_acts.rule_history(auditor)) == len(books.history())
    with pytest.raises(RoleForbidden):
        rule_acts.rule_history(member)


@pytest.mark.parametrize(
    "statement",
    [update(rule_changes).values(number=0), delete(rule_changes)],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_alter_or_delete_a_change(books: Books, statement: Any) -> None:
    before = books.history()
    with pytest.raises(DBAPIError) as caught:
        books.database.write(lambda conn: conn.execute(statement))
    assert "append-only" in str(caught.value)
    assert books.history() == before


# Books without recorded rules ---------------------------------------------------------------


def test_books_without_rules_follow_the_deployment_given(
    database: Database, clock: SteppingClock
) -> None:
    deployment = from_settings(Settings(conversion_bonus_bps=200))
    database.write(lambda conn: create_system_accounts(conn, deployment, now=clock()))

    found = database.read(lambda conn: rules.in_force(conn, deployment, on=INIT_DAY))

    assert found is deployment


def test_a_first_change_on_books_without_rules_keeps_every_other_rule(
    database: Database, clock: SteppingClock
) -> None:
    deployment = Deployment(
        unit=Settings().currency,
        conversion_bonus_bps=200,
        reconversion_fees={"business": 300},
        max_balance={AccountKind.MEMBER: 1000_00},
    )

    def change(conn: Connection) -> rules.RuleChange:
        create_system_accounts(conn, deployment, now=clock())
        return rules.record_change(
            conn,
            deployment,
            "conversion_bonus",
            "400",
            effective_from=date(2027, 1, 1),
            changed_by="user:1",
            now=clock(),
        )

    database.write(change)

    def on(day: date) -> Deployment:
        return database.read(lambda conn: rules.in_force(conn, deployment, on=day))

    today, later = on(INIT_DAY), on(date(2027, 1, 1))
    assert (today.conversion_bonus_bps, later.conversion_bonus_bps) == (200, 400)
    assert later.reconversion_fees == {"business": 300}
    assert later.max_balance == {AccountKind.MEMBER: 1000_00}


def _version(books: Books, rule: str, index: int = -1) -> int:
    return [change.id for change in books.history() if change.rule == rule][index]


# The same acts through the API and the command line -----------------------------------------


def test_a_rule_set_with_mlc_shows_in_force_and_in_the_history(fronts: Fronts) -> None:
    set_rule = fronts.mlc(
        "rules", "set", "reconversion_fee.business", "300", "--from", "2026-11-02", actor="admin"
    )
    assert set_rule.exit_code == 0, set_rule.output
    assert "reconversion_fee.business = 300 from 2026-11-02" in set_rule.stdout

    shown = fronts.mlc("rules", "show", "--on", "2026-11-02", "--json", actor="auditor")
    history = fronts.mlc("rules", "history", "--json", actor="auditor")
    table = fronts.mlc("rules", "show", actor="alice")

    assert shown.exit_code == history.exit_code == table.exit_code == 0, table.output
    fees = {r["rule"]: r["value"] for r in json.loads(shown.stdout)}
    assert (fees["reconversion_fee.business"], fees["conversion_bonus"]) == ("300", "500")
    [last] = json.loads(history.stdout)[-1:]
    assert (last["rule"], last["value"], last["effective_from"]) == (
        "reconversion_fee.business", "300", "2026-11-02",
    )  # fmt: skip
    assert "reconversion_fee.business" in table.stdout


def test_a_rule_changed_over_http_applies_to_the_next_reconversion(fronts: Fronts) -> None:
    body = {"rule": "reconversion_fee.business", "value": "200", "effective_from": "2026-11-02"}
    changed = fronts.ops.post(Role.ASSOCIATION_OPERATOR, "/v1/rules", body)
    assert changed.status_code == 201, changed.text
    fronts.ops.converted("bakery", "100", key="card-bakery")

    request = {"account": "bakery", "amount": "100", "creditor_name": "Dupont", "iban": BAKERY_IBAN}
    asked = fronts.ops.post(Role.MERCHANT_OWNER, "/v1/reconversions", request, key="r1").json()

    assert (asked["fee"], asked["payout"]) == ("2.00", "98.00")
    assert asked["fee_rule"] == changed.json()["id"]
    shown = fronts.ops.get(Role.MEMBER, "/v1/rules", on="2026-11-02").json()
    assert {"rule": "reconversion_fee.business", "value": "200"}.items() <= next(
        r for r in shown if r["rule"] == "reconversion_fee.business"
    ).items()


def test_a_malformed_value_is_refused_alike_by_the_act_the_route_and_the_command(
    fronts: Fronts,
) -> None:
    error = fronts.refused(
        Role.ADMIN,
        lambda ctx: rule_acts.change_rule(
            ctx, "reconversion_fee.business", "10000", effective_from=date(2026, 11, 2)
        ),
        status=422,
        api=lambda: fronts.ops.post(
            Role.ADMIN,
            "/v1/rules",
            {"rule": "reconversion_fee.business", "value": "10000", "effective_from": "2026-11-02"},
        ),
        cli=("rules", "set", "reconversion_fee.business", "10000", "--from", "2026-11-02"),
    )
    assert error.code == "invalid_rate"


def test_a_change_before_the_latest_is_refused_alike_everywhere(fronts: Fronts) -> None:
    operator = fronts.context(Role.ASSOCIATION_OPERATOR)
    rule_acts.change_rule(operator, "conversion_bonus", "100", effective_from=date(2026, 12, 1))
    error = fronts.refused(
        Role.ADMIN,
        lambda ctx: rule_acts.change_rule(
            ctx, "conversion_bonus", "200", effective_from=date(2026, 11, 30)
        ),
        status=409,
        api=lambda: fronts.ops.post(
            Role.ADMIN,
            "/v1/rules",
            {"rule": "conversion_bonus", "value": "200", "effective_from": "2026-11-30"},
        ),
        cli=("rules", "set", "conversion_bonus", "200", "--from", "2026-11-30"),
    )
    assert error.code == "rule_change_too_early"


@pytest.mark.parametrize("value", [10.5, 1000, True, None])
def test_an_amount_sent_as_a_json_number_is_refused_before_the_act(
    fronts: Fronts, value: object
) -> None:
    body = {"rule": "max_balance.member", "value": value, "effective_from": "2026-11-02"}
    fronts.ops.refused(422, "validation_failed", Role.ADMIN, "/v1/rules", body)
    assert fronts.database.read(rules.history) == []
