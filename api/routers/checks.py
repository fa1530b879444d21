"""Checks shared by the routes that move money."""

from __future__ import annotations

from monnaie_locale.auth import Principal
from monnaie_locale.auth.errors import NotYourTransaction, SystemAccountForbidden
from monnaie_locale.ledger import Ledger
from monnaie_locale.ledger.accounts import accounts_by_code
from monnaie_locale.model import AccountKind, Hold

__all__ = ["check_hold_party", "check_movable", "scoped_key"]


def scoped_key(principal: Principal, key: str) -> str:
    """Keep each caller's idempotency keys apart, so one cannot replay another's result."""
    return f"{principal.subject}|{key}"


def check_movable(ledger: Ledger, *codes: str) -> None:
    """Refuse unknown and system accounts: the latter move only through the currency
    operations. (An account's kind never changes, so reading it first is no race.)"""
    found = ledger.database.read(lambda conn: accounts_by_code(conn, codes))
    for code in codes:
        if found[code].kind is AccountKind.SYSTEM:
            raise SystemAccountForbidden(code)


def check_hold_party(principal: Principal, hold: Hold, *, settling: bool) -> None:
    """A hold is seen by its two parties and settled by them (or by an operator)."""
    parties = {hold.debit_account, hold.credit_account}
    allowed = principal.moves_any_account if settling else principal.sees_all_accounts
    if not allowed and not parties & principal.accounts:
        raise NotYourTransaction(f"hold {hold.id}")
