"""Checks shared by the routes that move money."""

from __future__ import annotations

from sqlalchemy import Connection

from monnaie_locale.auth import Principal
from monnaie_locale.auth.errors import NotYourTransaction, SystemAccountForbidden
from monnaie_locale.ledger import Ledger
from monnaie_locale.ledger.accounts import kinds_of
from monnaie_locale.model import AccountKind, Hold

__all__ = ["check_hold_party", "check_movable", "refuse_unmovable", "scoped_key"]


def scoped_key(principal: Principal, key: str) -> str:
    """Keep each caller's idempotency keys apart, so one cannot replay another's result."""
    return f"{principal.subject}|{key}"


def check_movable(ledger: Ledger, payer: str, payee: str) -> None:
    """Refuse unknown and system accounts: the latter move only through the currency
    operations. (An account's kind never changes, so reading it first is no race.)"""
    ledger.database.read(lambda conn: refuse_unmovable(conn, payer, payee))


def refuse_unmovable(conn: Connection, payer: str, payee: str) -> None:
    """:func:`check_movable` for a payment, inside a transaction the caller already has."""
    for code, kind in zip((payer, payee), kinds_of(conn, payer, payee), strict=True):
        if kind is AccountKind.SYSTEM:
            raise SystemAccountForbidden(code)


def check_hold_party(principal: Principal, hold: Hold, *, settling: bool) -> None:
    """A hold is seen by its two parties and settled by them (or by an operator)."""
    parties = {hold.debit_account, hold.credit_account}
    allowed = principal.moves_any_account if settling else principal.sees_all_accounts
    if not allowed and not parties & principal.accounts:
        raise NotYourTransaction(f"hold {hold.id}")
