"""Who may call what: the role sets the routes declare, in one table.

What a caller may then see and move within a route is decided by the core's
:class:`~monnaie_locale.auth.Principal` (the accounts they hold, or every account for the
roles that see or move all).
"""

from __future__ import annotations

from monnaie_locale.auth import Role

__all__ = ["CORRECTORS", "EVERYONE", "HOLD_SETTLERS", "KEY_MANAGERS", "PAYERS"]

EVERYONE = tuple(Role)

# Everyone who moves money of their own; the cashier only settles holds, the auditor never.
PAYERS = (
    Role.MEMBER,
    Role.MERCHANT_OWNER,
    Role.AUTHORITY_AGENT,
    Role.OFFICE_OPERATOR,
    Role.ASSOCIATION_OPERATOR,
    Role.ADMIN,
)

# A terminal takes the payment a customer's hold reserved for its shop.
HOLD_SETTLERS = (*PAYERS, Role.MERCHANT_CASHIER)

# Correcting the books is the association's decision.
CORRECTORS = (Role.ASSOCIATION_OPERATOR, Role.ADMIN)

KEY_MANAGERS = (Role.MERCHANT_OWNER, Role.ASSOCIATION_OPERATOR, Role.ADMIN)
