"""The currency's rules: reading those in force, their history, and changing one.

The rules and how a day's rules are found are :mod:`monnaie_locale.rules`'s; these acts add
who may do what. The rules in force are the currency's public terms (what a conversion
earns, what a reconversion or a membership costs, how much an account may hold), so every
role may read them; who changed what, and when, is the association's record, read by
those who read its reports.

=============  ==========================================================================
Act            Who may do it
=============  ==========================================================================
show_rules     everyone
rule_history   those who read the association's reports (auditors, operators,
               administrators)
change_rule    the association's operators and administrators, recorded as the change's
               author
=============  ==========================================================================
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from monnaie_locale import rules
from monnaie_locale.acting import Context, act
from monnaie_locale.admin_log import Logged
from monnaie_locale.auth.roles import EVERYONE, OPERATORS, REPORT_READERS
from monnaie_locale.rules import RuleChange, RuleInForce

__all__ = ["change_rule", "rule_history", "show_rules"]


@act(*EVERYONE)
def show_rules(ctx: Context, on: date | None = None) -> list[RuleInForce]:
    """The rules in force on ``on`` (today), each with the change that set it."""
    day = on if on is not None else ctx.clock().date()

    def shown(conn: Connection) -> list[RuleInForce]:
        return rules.rules_of(conn, rules.in_force(conn, ctx.deployment, on=day))

    return ctx.read(shown)


@act(*REPORT_READERS)
def rule_history(ctx: Context) -> list[RuleChange]:
    """Every change of the rules, in the order they were made."""
    return ctx.read(rules.history)


@act(*OPERATORS, logged=Logged(target="rule", fields=("value", "effective_from", "new_category")))
def change_rule(
    ctx: Context, rule: str, value: str, *, effective_from: date, new_category: bool = False
) -> RuleChange:
    """Record that ``rule`` takes ``value`` (text as people write it) from ``effective_from``.

    ``new_category`` lets a reconversion fee price a category no rule priced yet. Refused,
    changing nothing, for what :func:`monnaie_locale.rules.record_change` refuses.
    """
    return ctx.write(
        lambda conn: rules.record_change(
            conn,
            ctx.deployment,
            rule,
            value,
            effective_from=effective_from,
            changed_by=ctx.actor.subject,
            now=ctx.clock(),
            new_category=new_category,
        )
    )
