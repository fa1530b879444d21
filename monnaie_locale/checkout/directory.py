"""Who pays and who is paid, read from the server's own account table.

A payment request names its merchant by account id inside the signed payload, and the
stored request repeats it; the payee shown and credited is always the account row behind
that id, so no text a fraudster could print on a sticker ever reaches the payer's screen.
Only business and authority accounts take QR payments; people, businesses, authorities
and the association may pay them.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from monnaie_locale.checkout.errors import NotAMerchant, PayeeUnavailable, PayerNotAllowed
from monnaie_locale.errors import UnknownAccount
from monnaie_locale.ledger.accounts import account_from_row, get_account
from monnaie_locale.model import Account, AccountKind, AccountStatus
from monnaie_locale.store.tables import accounts

__all__ = ["MERCHANT_KINDS", "PAYER_KINDS", "account_by_id", "merchant", "payee", "payer"]

MERCHANT_KINDS = frozenset({AccountKind.BUSINESS, AccountKind.AUTHORITY})
PAYER_KINDS = frozenset(
    {AccountKind.MEMBER, AccountKind.BUSINESS, AccountKind.AUTHORITY, AccountKind.ASSOCIATION}
)


def account_by_id(conn: Connection, account_id: int) -> Account:
    """The account with id ``account_id``; :class:`UnknownAccount` if there is none."""
    row = conn.execute(select(accounts).where(accounts.c.id == account_id)).first()
    if row is None:
        raise UnknownAccount(account_id)
    return account_from_row(row)


def merchant(conn: Connection, code: str) -> Account:
    """The account ``code`` if it may issue payment requests now: a merchant, active."""
    return _receiving(get_account(conn, code))


def payee(conn: Connection, account_id: int) -> Account:
    """The account a stored request pays, if it may receive a payment now."""
    return _receiving(account_by_id(conn, account_id))


def payer(conn: Connection, code: str, *, payee: Account) -> Account:
    """The account ``code`` if it may pay ``payee``; its funds are the ledger's to check."""
    account = get_account(conn, code)
    if account.id == payee.id:
        raise PayerNotAllowed(code, "an account cannot pay itself")
    if account.kind not in PAYER_KINDS:
        raise PayerNotAllowed(code, f"a {account.kind} account does not pay merchants")
    if account.currency != payee.currency:
        raise PayerNotAllowed(
            code, f"it holds {account.currency} and the merchant takes {payee.currency}"
        )
    return account


def _receiving(account: Account) -> Account:
    if account.kind not in MERCHANT_KINDS:
        raise NotAMerchant(account.code, str(account.kind))
    if account.status is not AccountStatus.ACTIVE:
        raise PayeeUnavailable(account.code, str(account.status))
    return account
