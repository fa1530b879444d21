"""Roles, and the two broad powers some of them carry.

A user has one role. What a role may call is declared route by route at the HTTP edge;
what it may see and move is decided here, from the role and the accounts the user holds.
"""

from __future__ import annotations

import enum

__all__ = ["MOVES_ANY_ACCOUNT", "SEES_ALL_ACCOUNTS", "Role"]


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
