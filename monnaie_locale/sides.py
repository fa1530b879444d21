"""Which side an account's balance is read from: the one place that decides it.

The ledger keeps one sign convention: a posting is positive when it credits the account,
and a balance is the sum of its postings. A member holding 50 units reads +50, which is
also what the member would say. The association's euro assets do not: the reserve's bank
accounts, the offices' tills, the cash in transit and the operating account are debited
when euros come in, so they read minus what they hold. Its expense accounts (losses at
till counts, bank fees) read minus what was spent, too.

People read a balance from its holder's side: "12 345,00 EUR in the reserve". So every
balance or amount shown to a person (the CLI, the API's ``holder_*`` fields, statements)
goes through :func:`holder_side`, which turns the ledger's signed figure into the
holder's by :func:`display_sign`. Raw figures stay where a program relies on them (the
API's ``balance``, JSON output, the FEC and the plain-text journal, whose tools have
their own conventions).

The rule: a euro account of the association, an office or the system is read from the
debit side, except the outside world (``external``, the counterpart of money coming in
and going out) and income, which read as credits. Local-unit accounts read as credits:
holders' units, notes in stock and in circulation, pending reconversions. ``issuance``
reads minus what was issued; it is no one's holding and keeps the ledger's sign.
"""

from __future__ import annotations

from monnaie_locale.deployment import EXTERNAL, INCOME_ACCOUNTS
from monnaie_locale.model import Account, AccountKind
from monnaie_locale.money import EUR

__all__ = ["debit_normal", "display_sign", "holder_limits", "holder_side"]

# The kinds of the accounts that are the association's own books, not a holder's.
_BOOKS = frozenset({AccountKind.ASSOCIATION, AccountKind.EXCHANGE_OFFICE, AccountKind.SYSTEM})


def debit_normal(*, code: str, kind: AccountKind | str, currency: str) -> bool:
    """Whether the account holds what it was debited (an asset or an expense)."""
    if currency != EUR.code or AccountKind(kind) not in _BOOKS:
        return False
    return code != EXTERNAL and code not in INCOME_ACCOUNTS


def display_sign(*, code: str, kind: AccountKind | str, currency: str) -> int:
    """``-1`` for an account read from the debit side, ``1`` for the others."""
    return -1 if debit_normal(code=code, kind=kind, currency=currency) else 1


def holder_side(amount: int, account: Account) -> int:
    """``amount`` (a balance or a posting of ``account``) as the holder reads it."""
    return amount * display_sign(code=account.code, kind=account.kind, currency=account.currency)


def holder_limits(account: Account) -> tuple[int | None, int | None]:
    """The account's (lowest, highest) balance allowed, as the holder reads them: read
    from the debit side, the ledger's upper limit 0 is the holder's lower limit 0."""
    if display_sign(code=account.code, kind=account.kind, currency=account.currency) == 1:
        return account.lower_limit, account.upper_limit
    upper, lower = account.upper_limit, account.lower_limit
    return (None if upper is None else -upper), (None if lower is None else -lower)
