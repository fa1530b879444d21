"""Roles, and the two broad powers some of them carry.

A user has one role. What a role may do is declared act by act (see
:mod:`monnaie_locale.acting`), with the sets of roles below; what it may see and move is
decided here, from the role and the accounts the user holds.
"""

from __future__ import annotations

import enum

__all__ = [
    "ADMINS",
    "CORRECTORS",
    "EVERYONE",
    "HOLDERS",
    "HOLD_SETTLERS",
    "KEY_MANAGERS",
    "MERCHANT_OWNERS",
    "MERCHANT_STAFF",
    "MOVES_ANY_ACCOUNT",
    "OFFICE_STAFF",
    "OPERATORS",
    "PAYERS",
    "REPORT_READERS",
    "SEES_ALL_ACCOUNTS",
    "Role",
]


class Role(enum.StrEnum):
    MEMBER = "member"
    MERCHANT_OWNER = "merchant_owner"
    # May request payments and refund within a limit, nothing else.
    MERCHANT_CASHIER = "merchant_cashier"
    AUTHORITY_AGENT = "authority_agent"
    OFFICE_OPERATOR = "office_operator"
    ASSOCIATION_OPERATOR = "association_operator"
    # Reads everything, changes nothing.
    AUDITOR = "auditor"
    ADMIN = "admin"


# Roles that read every account; the others read only the accounts they hold.
SEES_ALL_ACCOUNTS = frozenset(
    {Role.AUDITOR, Role.OFFICE_OPERATOR, Role.ASSOCIATION_OPERATOR, Role.ADMIN}
)

# Roles that may move money from any account; the others only from the accounts they hold.
MOVES_ANY_ACCOUNT = frozenset({Role.ASSOCIATION_OPERATOR, Role.ADMIN})


# Who may do what: the sets the acts declare.
EVERYONE = tuple(Role)
ADMINS = (Role.ADMIN,)
# The association's decisions: crediting orders, validating payouts, printing notes.
OPERATORS = (Role.ASSOCIATION_OPERATOR, Role.ADMIN)
# Correcting the books is the association's decision.
CORRECTORS = OPERATORS
# Work at an exchange office's counter.
OFFICE_STAFF = (Role.OFFICE_OPERATOR, *OPERATORS)
# Those who act on an account of their own (or, for operators, on any).
HOLDERS = (Role.MEMBER, Role.MERCHANT_OWNER, Role.AUTHORITY_AGENT, *OPERATORS)
# Everyone who moves money of their own; the cashier only settles holds, the auditor never.
PAYERS = (
    Role.MEMBER,
    Role.MERCHANT_OWNER,
    Role.AUTHORITY_AGENT,
    Role.OFFICE_OPERATOR,
    *OPERATORS,
)
# A terminal takes the payment a customer's hold reserved for its shop.
HOLD_SETTLERS = (*PAYERS, Role.MERCHANT_CASHIER)
KEY_MANAGERS = (Role.MERCHANT_OWNER, *OPERATORS)
# Those who stand at a shop's till: its owner, its cashiers and its terminals' keys.
MERCHANT_STAFF = (Role.MERCHANT_OWNER, Role.MERCHANT_CASHIER)
# A shop's own decisions: its printed counter code, where its webhooks go.
MERCHANT_OWNERS = (Role.MERCHANT_OWNER,)
REPORT_READERS = (Role.AUDITOR, *OPERATORS)
