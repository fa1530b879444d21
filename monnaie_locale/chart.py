"""The association's chart of accounts: the built-in chart and the rules it set itself.

The built-in chart (:data:`~monnaie_locale.exports.account_map.DEFAULT_RULES`) maps every
ledger account to an account of the PCG; the association adjusts it once, with rules
stored in the database and tried before the built-in ones (``mlc chart set``). The FEC,
the plain-text journal, the income statement and the balance sheet all read the chart
through :func:`account_map`, so they name the same accounts.

Stored rules are tried in a fixed order: an exact code before a pattern, a rule of one
currency before a rule of any, a longer pattern before a shorter; so ``association:fees``
wins over ``association:*`` whatever order they were set in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from monnaie_locale.deployment import HOLDER_KINDS
from monnaie_locale.errors import InvalidRequest, NotFound
from monnaie_locale.exports.account_map import KIND_RULES, AccountMap, AccountRule
from monnaie_locale.exports.source import AccountInfo
from monnaie_locale.model import AccountKind, check_plain_text
from monnaie_locale.store.tables import accounts
from monnaie_locale.store.tables_chart import chart_rules

__all__ = [
    "ChartLine",
    "ChartOfAccounts",
    "UnknownChartRule",
    "account_map",
    "chart",
    "set_rule",
    "stored_rules",
    "unset_rule",
]

MAX_PATTERN = 120
MAX_LABEL = 120


class UnknownChartRule(NotFound):
    """Raised when removing a rule the association never set."""

    code = "unknown_chart_rule"

    def __init__(self, pattern: str, currency: str | None) -> None:
        where = f" in {currency}" if currency else ""
        super().__init__(f"the chart holds no rule of the association for {pattern!r}{where}")
        self.pattern = pattern
        self.currency = currency or ""


@dataclass(frozen=True, slots=True)
class ChartLine:
    """Where one ledger account goes, and whether the association's rule or the built-in
    chart says so (``source`` "association" or "built-in")."""

    code: str
    kind: str
    currency: str
    number: str
    label: str
    auxiliary: bool
    source: str


@dataclass(frozen=True, slots=True)
class ChartOfAccounts:
    """The association's rules, and every open ledger account with its chart account."""

    rules: tuple[AccountRule, ...]
    accounts: tuple[ChartLine, ...]


def _order(rule: AccountRule) -> tuple[bool, bool, int, str, str]:
    wild = any(char in rule.pattern for char in "*?[")
    return (wild, rule.currency is None, -len(rule.pattern), rule.pattern, rule.currency or "")


def stored_rules(conn: Connection) -> tuple[AccountRule, ...]:
    """The association's rules, in the order they are tried."""
    rows = conn.execute(select(chart_rules)).all()
    found = [
        AccountRule(row.pattern, row.number, row.label, bool(row.auxiliary), row.currency or None)
        for row in rows
    ]
    return tuple(sorted(found, key=_order))


def account_map(conn: Connection, base: AccountMap | None = None) -> AccountMap:
    """The chart of accounts in force: the association's rules, then the built-in chart.

    ``base`` brings one export's one-off rules, which are tried first.
    """
    return (base or AccountMap()).with_chart(stored_rules(conn))


def _check(rule: AccountRule) -> None:
    check_plain_text(rule.pattern, "pattern", max_length=MAX_PATTERN)
    check_plain_text(rule.label, "label", max_length=MAX_LABEL)
    if not rule.pattern.strip():
        raise InvalidRequest("a chart rule needs a pattern of ledger account codes")
    if len(rule.number) > 20:
        raise InvalidRequest("an account number is at most 20 digits")
    if rule.currency is not None and not rule.currency.isalnum():
        raise InvalidRequest(f"{rule.currency!r} is not a currency code")


def set_rule(conn: Connection, rule: AccountRule, *, now: datetime, by: str) -> AccountRule:
    """Store ``rule`` (replacing the association's rule of the same pattern and currency)."""
    _check(rule)
    key = (chart_rules.c.pattern == rule.pattern, chart_rules.c.currency == (rule.currency or ""))
    values = {
        "number": rule.number,
        "label": rule.label,
        "auxiliary": rule.auxiliary,
        "updated_at": now,
        "updated_by": by,
    }
    if conn.execute(select(chart_rules.c.pattern).where(*key)).first() is None:
        conn.execute(
            insert(chart_rules).values(pattern=rule.pattern, currency=rule.currency or "", **values)
        )
    else:
        conn.execute(update(chart_rules).where(*key).values(**values))
    return rule


def unset_rule(conn: Connection, pattern: str, currency: str | None = None) -> None:
    """Remove the association's rule for ``pattern`` (and ``currency``): the built-in chart
    maps those accounts again."""
    removed = conn.execute(
        delete(chart_rules).where(
            chart_rules.c.pattern == pattern, chart_rules.c.currency == (currency or "")
        )
    ).rowcount
    if removed != 1:
        raise UnknownChartRule(pattern, currency)


def chart(conn: Connection) -> ChartOfAccounts:
    """The association's rules and where each account of the books goes.

    Every account but the holders' is listed by its code; the members', businesses' and
    authorities' accounts, which may be thousands, are listed once per kind, as
    ``(member)`` and so on, with the account their kind goes to (a rule of the
    association may still send some of them elsewhere).
    """
    own = stored_rules(conn)
    mapping = AccountMap().with_chart(own)
    holders = [str(kind) for kind in HOLDER_KINDS]
    lines = [
        ChartLine(f"({kind})", str(kind), "", rule.number, rule.label, rule.auxiliary, "built-in")
        for kind, rule in KIND_RULES.items()
        if kind in HOLDER_KINDS
    ]
    for row in conn.execute(
        select(
            accounts.c.id,
            accounts.c.code,
            accounts.c.kind,
            accounts.c.currency,
            accounts.c.owner_ref,
        )
        .where(accounts.c.kind.not_in(holders))
        .order_by(accounts.c.code)
    ):
        info = AccountInfo(row.id, row.code, AccountKind(row.kind), row.currency, row.owner_ref)
        rule = mapping.rule_for(info)
        source = "association" if any(rule is mine for mine in own) else "built-in"
        lines.append(
            ChartLine(
                row.code,
                str(row.kind),
                row.currency,
                rule.number,
                rule.label,
                rule.auxiliary,
                source,
            )
        )
    return ChartOfAccounts(own, tuple(sorted(lines, key=lambda line: (line.number, line.code))))
