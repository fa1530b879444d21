"""Checks shared by the routes that move money."""

from __future__ import annotations

from monnaie_locale.auth import Principal
from monnaie_locale.auth.errors import NotYourTransaction
from monnaie_locale.model import Hold

__all__ = ["check_hold_party", "scoped_key"]


def scoped_key(principal: Principal, key: str) -> str:
    """Keep each caller's idempotency keys apart, so one cannot replay another's result."""
    return f"{principal.subject}|{key}"


def check_hold_party(principal: Principal, hold: Hold, *, settling: bool) -> None:
    """A hold is seen by its two parties and settled by them (or by an operator)."""
    parties = {hold.debit_account, hold.credit_account}
    allowed = principal.moves_any_account if settling else principal.sees_all_accounts
    if not allowed and not parties & principal.accounts:
        raise NotYourTransaction(f"hold {hold.id}")
