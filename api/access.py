"""Who may call what: the role sets of the core's acts, for the routes not yet moved onto
an act (see :mod:`monnaie_locale.acting`), which state their roles themselves.

What a caller may then see and move within a route is decided by the core's
:class:`~monnaie_locale.auth.Principal` (the accounts they hold, or every account for the
roles that see or move all).
"""

from __future__ import annotations

from monnaie_locale.auth.roles import CORRECTORS, EVERYONE, HOLD_SETTLERS, KEY_MANAGERS, PAYERS

__all__ = ["CORRECTORS", "EVERYONE", "HOLD_SETTLERS", "KEY_MANAGERS", "PAYERS"]
