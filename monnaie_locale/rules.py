"""The currency's rules as data: dated changes, and the deployment in force on a day.

The rules an association chooses (the conversion bonus, the reconversion fee of each
category, who besides businesses may reconvert, the membership fee of each account kind,
the most an account may hold or convert at once) live in the table ``rule_changes``
(:mod:`monnaie_locale.store.tables_rules`). Each change says which rule, its new value,
the day from which it applies, who made it and when; a change is never altered, the next
change is a new row. The settings (``MLC_CONVERSION_BONUS_BPS`` and the rest) only seed the
first rows, when ``mlc init`` sets the deployment up; afterwards the environment decides
nothing: unsetting a variable cannot silently drop a bonus or raise a fee.

:func:`in_force` is the one function that says which rules apply on a day: the base
deployment (its unit, offices, names: what a :class:`~monnaie_locale.acting.Context`
holds) with, for each rule, its latest change dated on or before that day. A rule no
change names is absent (no fee for that category, no limit for that kind), so nothing the
environment says leaks in. Before the first recorded rules, the first ones apply: a
deployment's rules begin with it. With no row at all (books set up before rules were
recorded, or built directly by a test) the base deployment is returned unchanged.

Rules are named ``family`` or ``family.target``:

==============================  ==========================================================
Name                            Value
==============================  ==========================================================
conversion_bonus                basis points, 0 to 10000 (300 = 3 %)
reconversion_fee.<category>     basis points, 0 to 9999; a category is an account kind
                                (member, business, authority) or a name of one's own
members_may_reconvert           yes or no
authorities_may_reconvert       yes or no
membership_fee.<kind>           an amount per year or month (``15,00/year``), or ``none``
max_balance.<kind>              an amount (``1500,00``), or ``none``
max_conversion.<kind>           an amount, or ``none``
==============================  ==========================================================

Which change applied is kept where it is cheap to: a conversion records the change that
fixed its bonus (``bonus_rule``), a reconversion the one that fixed its fee (``fee_rule``);
the deployment in force carries every rule's change in ``rule_versions``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import Connection, func, insert, select

from monnaie_locale.clock import as_utc
from monnaie_locale.deployment import HOLDER_KINDS, Deployment, MembershipFee
from monnaie_locale.errors import Conflict, InvalidAmount, InvalidRequest
from monnaie_locale.model import AccountKind
from monnaie_locale.money import format_amount, parse_amount
from monnaie_locale.store.tables_rules import RULE_FAMILIES, rule_changes

__all__ = [
    "FAMILIES",
    "InvalidFlag",
    "InvalidRate",
    "InvalidRuleAmount",
    "RuleChange",
    "RuleChangeTooEarly",
    "RuleInForce",
    "UnknownRule",
    "UnknownRuleTarget",
    "history",
    "in_force",
    "record_change",
    "rules_of",
    "seed",
]

FAMILIES = RULE_FAMILIES
_RATES = {"conversion_bonus": 10_000, "reconversion_fee": 9_999}
_FLAGS = ("members_may_reconvert", "authorities_may_reconvert")
_PER_KIND = ("membership_fee", "max_balance", "max_conversion")
_KINDS = tuple(sorted(str(kind) for kind in HOLDER_KINDS))
_CATEGORY = re.compile(r"[a-z0-9_-]{1,40}")
_YES = frozenset({"yes", "true", "1", "oui", "y", "o"})
_NO = frozenset({"no", "false", "0", "non", "n"})
_NONE = frozenset({"none", "aucun", "aucune", "-"})


class UnknownRule(InvalidRequest):
    """Raised when a change names no rule of the currency (``conversion_bonu``)."""

    code = "unknown_rule"

    def __init__(self, rule: str) -> None:
        super().__init__(
            f"no rule is named {rule!r}; the rules are conversion_bonus, "
            "reconversion_fee.<category>, members_may_reconvert, authorities_may_reconvert, "
            "membership_fee.<kind>, max_balance.<kind> and max_conversion.<kind>"
        )
        self.rule = rule


class UnknownRuleTarget(InvalidRequest):
    """Raised when a rule names a kind or category it cannot price (``max_balance.system``,
    or a reconversion category never priced, unless it is said to be new)."""

    code = "unknown_rule_target"

    def __init__(self, rule: str, target: str, known: Iterable[str]) -> None:
        self.known = ", ".join(known)
        super().__init__(
            f"{rule}: {target!r} is not a kind or category this rule prices; "
            f"give one of {self.known}, or say that the category is new"
        )
        self.rule = rule
        self.target = target


class InvalidRate(InvalidRequest):
    """Raised when a bonus or a fee is not a whole number of basis points in its range."""

    code = "invalid_rate"

    def __init__(self, rule: str, value: object, maximum: int) -> None:
        super().__init__(
            f"{rule} is a whole number of basis points (300 = 3 %) from 0 to {maximum}, "
            f"not {value!r}"
        )
        self.rule = rule
        self.value = str(value)
        self.maximum = maximum


class InvalidFlag(InvalidRequest):
    """Raised when a yes-or-no rule is given anything else."""

    code = "invalid_flag"

    def __init__(self, rule: str, value: object) -> None:
        super().__init__(f"{rule} is yes or no, not {value!r}")
        self.rule = rule
        self.value = str(value)


class InvalidRuleAmount(InvalidRequest):
    """Raised when an amount rule is not an amount written as text, above zero (``none``
    removes it), or a membership fee's period is neither a year nor a month."""

    code = "invalid_rule_amount"

    def __init__(self, rule: str, value: object, example: str) -> None:
        super().__init__(f"{rule} is an amount such as {example}, or none, not {value!r}")
        self.rule = rule
        self.value = str(value)
        self.example = example


class RuleChangeTooEarly(Conflict):
    """Raised when a change would apply before the latest change of the same rule, or
    before the deployment's first rules: the past a rule already governed stays as it was."""

    code = "rule_change_too_early"

    def __init__(self, rule: str, effective_from: date, not_before: date) -> None:
        super().__init__(
            f"a change of {rule} from {effective_from.isoformat()} comes too early: it may "
            f"apply from {not_before.isoformat()} on, the day of its latest change"
        )
        self.rule = rule
        self.effective_from = effective_from.isoformat()
        self.not_before = not_before.isoformat()


@dataclass(frozen=True, slots=True)
class RuleChange:
    """One change of one rule, as recorded; ``value`` is its value as people write it."""

    id: int
    rule: str
    value: str
    effective_from: date
    changed_by: str
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class RuleInForce:
    """One rule as it applies on a day, and the change that set it (``None``: the base
    deployment's, when no rule was ever recorded)."""

    rule: str
    value: str
    version: int | None
    effective_from: date | None


@dataclass(frozen=True, slots=True)
class _Value:
    number: int | None = None
    flag: bool | None = None
    period: Literal["year", "month"] | None = None

    def text(self, family: str) -> str:
        if family in _FLAGS:
            return "yes" if self.flag else "no"
        if self.number is None:
            return "none"
        if family in _RATES:
            return str(self.number)
        amount = format_amount(self.number)
        return f"{amount}/{self.period}" if family == "membership_fee" else amount


# Reading --------------------------------------------------------------------------------


def _name(family: str, target: str) -> str:
    return f"{family}.{target}" if target else family


def _value_of(row: Any) -> _Value:
    return _Value(number=row.number, flag=row.flag, period=row.period)


def _change_of(row: Any) -> RuleChange:
    return RuleChange(
        id=row.id,
        rule=_name(row.family, row.target),
        value=_value_of(row).text(row.family),
        effective_from=row.effective_from,
        changed_by=row.changed_by,
        changed_at=as_utc(row.changed_at),
    )


def history(conn: Connection) -> list[RuleChange]:
    """Every change ever recorded, in the order it was made."""
    rows = conn.execute(select(rule_changes).order_by(rule_changes.c.id)).all()
    return [_change_of(row) for row in rows]


def in_force(conn: Connection, base: Deployment, *, on: date) -> Deployment:
    """``base`` under the rules in force on ``on`` (see the module's docstring)."""
    rows = conn.execute(
        select(rule_changes).order_by(rule_changes.c.effective_from, rule_changes.c.id)
    ).all()
    if not rows:
        return base
    day = max(on, rows[0].effective_from)
    latest = {(row.family, row.target): row for row in rows if row.effective_from <= day}
    return _applied(base, latest.values())


def _applied(base: Deployment, rows: Iterable[Any]) -> Deployment:
    fees: dict[str, int] = {}
    flags = {family: False for family in _FLAGS}
    per_kind: dict[str, dict[AccountKind, int]] = {"max_balance": {}, "max_conversion": {}}
    membership: dict[AccountKind, MembershipFee] = {}
    bonus = 0
    versions: dict[str, int] = {}
    for row in rows:
        versions[_name(row.family, row.target)] = row.id
        if row.family == "conversion_bonus":
            bonus = row.number
        elif row.family == "reconversion_fee":
            fees[row.target] = row.number
        elif row.family in _FLAGS:
            flags[row.family] = bool(row.flag)
        elif row.number is None:
            continue  # a fee or a limit removed
        elif row.family == "membership_fee":
            membership[AccountKind(row.target)] = MembershipFee(row.number, row.period)
        else:
            per_kind[row.family][AccountKind(row.target)] = row.number
    return dataclasses.replace(
        base,
        conversion_bonus_bps=bonus,
        reconversion_fees=fees,
        members_may_reconvert=flags["members_may_reconvert"],
        authorities_may_reconvert=flags["authorities_may_reconvert"],
        membership_fees=membership,
        max_balance=per_kind["max_balance"],
        max_conversion=per_kind["max_conversion"],
        rule_versions=versions,
    )


def _values_of(deployment: Deployment) -> list[tuple[str, str, _Value]]:
    """Every rule ``deployment`` sets, as (family, target, value), in a stable order."""
    found = [("conversion_bonus", "", _Value(number=deployment.conversion_bonus_bps))]
    found += [
        ("reconversion_fee", category, _Value(number=rate))
        for category, rate in sorted(deployment.reconversion_fees.items())
    ]
    found.append(("members_may_reconvert", "", _Value(flag=deployment.members_may_reconvert)))
    found.append(
        ("authorities_may_reconvert", "", _Value(flag=deployment.authorities_may_reconvert))
    )
    found += [
        ("membership_fee", str(kind), _Value(number=fee.amount, period=fee.period))
        for kind, fee in sorted(deployment.membership_fees.items())
    ]
    for family, limits in (
        ("max_balance", deployment.max_balance),
        ("max_conversion", deployment.max_conversion),
    ):
        found += [
            (family, str(kind), _Value(number=limit)) for kind, limit in sorted(limits.items())
        ]
    return found


def rules_of(conn: Connection, deployment: Deployment) -> list[RuleInForce]:
    """The rules ``deployment`` (one :func:`in_force` returned) applies, each with the
    change that set it."""
    effective = dict(
        (row.id, row.effective_from)
        for row in conn.execute(select(rule_changes.c.id, rule_changes.c.effective_from))
    )
    shown = []
    for family, target, value in _values_of(deployment):
        name = _name(family, target)
        version = deployment.rule_versions.get(name)
        since = effective.get(version) if version is not None else None
        shown.append(RuleInForce(name, value.text(family), version, since))
    return shown


# Changing -------------------------------------------------------------------------------


def _parse_name(rule: object) -> tuple[str, str]:
    if not isinstance(rule, str):
        raise UnknownRule(str(rule))
    family, dot, target = rule.strip().partition(".")
    targeted = family in _PER_KIND or family == "reconversion_fee"
    if family not in FAMILIES or bool(dot) != targeted or (targeted and not target):
        raise UnknownRule(rule)
    return family, target


def _check_target(family: str, target: str, *, priced: Iterable[str], new_category: bool) -> None:
    if family in _PER_KIND and target not in _KINDS:
        raise UnknownRuleTarget(_name(family, target), target, _KINDS)
    if family != "reconversion_fee":
        return
    known = sorted({*_KINDS, *priced})
    if target in known:
        return
    if not (new_category and _CATEGORY.fullmatch(target)):
        raise UnknownRuleTarget(_name(family, target), target, known)


def _parse_value(family: str, rule: str, value: object) -> _Value:
    """``value``, text as people write it, for a rule of ``family``; refused otherwise."""
    if family in _RATES:
        return _Value(number=_rate(rule, value, _RATES[family]))
    if family in _FLAGS:
        return _Value(flag=_flag(rule, value))
    example = "15,00/year" if family == "membership_fee" else "1500,00"
    if not isinstance(value, str):
        raise InvalidRuleAmount(rule, value, example)
    text = value.strip().lower()
    if text in _NONE:
        return _Value()
    if family != "membership_fee":
        return _Value(number=_amount(rule, text, example))
    amount, _, period = text.partition("/")
    period = period.strip() or "year"
    if period not in ("year", "month"):
        raise InvalidRuleAmount(rule, value, example)
    return _Value(number=_amount(rule, amount, example), period=period)  # type: ignore[arg-type]


def _rate(rule: str, value: object, maximum: int) -> int:
    text = value.strip() if isinstance(value, str) else ""
    if not text.isascii() or not text.isdigit() or int(text) > maximum:
        raise InvalidRate(rule, value, maximum)
    return int(text)


def _flag(rule: str, value: object) -> bool:
    text = value.strip().lower() if isinstance(value, str) else ""
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise InvalidFlag(rule, value)


def _amount(rule: str, text: str, example: str) -> int:
    try:
        amount = parse_amount(text)
    except InvalidAmount as exc:
        raise InvalidRuleAmount(rule, text, example) from exc
    if amount <= 0:
        raise InvalidRuleAmount(rule, text, example)
    return amount


def _insert(
    conn: Connection,
    family: str,
    target: str,
    value: _Value,
    *,
    effective_from: date,
    changed_by: str,
    now: datetime,
) -> RuleChange:
    row = conn.execute(
        insert(rule_changes)
        .values(
            family=family,
            target=target,
            number=value.number,
            flag=value.flag,
            period=value.period,
            effective_from=effective_from,
            changed_by=changed_by,
            changed_at=now,
        )
        .returning(*rule_changes.c)
    ).one()
    return _change_of(row)


def seed(
    conn: Connection,
    deployment: Deployment,
    *,
    effective_from: date,
    changed_by: str,
    now: datetime,
) -> list[RuleChange]:
    """Record every rule ``deployment`` sets as applying from ``effective_from``.

    ``mlc init`` seeds the rules the settings describe; from then on they are the
    database's. Seeding books that already hold rules records nothing.
    """
    if conn.execute(select(rule_changes.c.id).limit(1)).first() is not None:
        return []
    return [
        _insert(
            conn,
            family,
            target,
            value,
            effective_from=effective_from,
            changed_by=changed_by,
            now=now,
        )
        for family, target, value in _values_of(deployment)
    ]


def record_change(
    conn: Connection,
    base: Deployment,
    rule: str,
    value: object,
    *,
    effective_from: date,
    changed_by: str,
    now: datetime,
    new_category: bool = False,
) -> RuleChange:
    """Record that ``rule`` takes ``value`` (text) from ``effective_from`` on.

    Refused, recording nothing, for an unknown rule or kind, a category never priced
    (unless ``new_category``), a malformed value (negative, a fee of 100 % or more, an
    amount that is not text), or a day before the rule's latest change. Books set up
    before rules were recorded get ``base``'s rules seeded first, from the earlier of
    today and ``effective_from``, so that this one change leaves every other rule as it was.
    """
    family, target = _parse_name(rule)
    parsed = _parse_value(family, _name(family, target), value)
    # Refused below, the seeding goes with the rest: the transaction is rolled back.
    seed(conn, base, effective_from=min(effective_from, now.date()), changed_by=changed_by, now=now)
    priced = conn.execute(
        select(rule_changes.c.target).where(rule_changes.c.family == "reconversion_fee")
    ).scalars()
    _check_target(family, target, priced=priced, new_category=new_category)
    latest = conn.execute(
        select(func.max(rule_changes.c.effective_from)).where(
            rule_changes.c.family == family, rule_changes.c.target == target
        )
    ).scalar()
    first = conn.execute(select(func.min(rule_changes.c.effective_from))).scalar()
    not_before = max(day for day in (latest, first) if day is not None)
    if effective_from < not_before:
        raise RuleChangeTooEarly(_name(family, target), effective_from, not_before)
    return _insert(
        conn, family, target, parsed, effective_from=effective_from, changed_by=changed_by, now=now
    )
