"""Errors of the association's bank accounts and of matching their lines by hand.

InvalidRequest
├── InvalidBankDetails      an IBAN or BIC that fails validation, or an unknown role
└── NotOnBankAccount        a transaction that does not touch the line's ledger account
NotFound
└── UnknownBankAccount      no bank account of that name, or for that IBAN
Conflict
├── DuplicateBankAccount    the name, role or IBAN is another account's already
├── BankLineMatched         matching a line that is matched already
└── BankLineUnmatched       unmatching a line that is not matched
"""

from __future__ import annotations

from monnaie_locale.errors import Conflict, InvalidRequest, NotFound

__all__ = [
    "BankLineMatched",
    "BankLineUnmatched",
    "DuplicateBankAccount",
    "InvalidBankDetails",
    "NotOnBankAccount",
    "UnknownBankAccount",
]


class InvalidBankDetails(InvalidRequest):
    """Raised when a bank account is given an invalid IBAN, BIC, name or role; nothing is
    written. ``field`` names which, ``reason`` says what to fix."""

    code = "invalid_bank_details"

    def __init__(self, field: str, value: str, reason: str) -> None:
        super().__init__(f"bank account {field} {value!r} refused: {reason}")
        self.field = field
        self.value = value
        self.reason = reason


class UnknownBankAccount(NotFound):
    """Raised when no bank account of the association has this name or IBAN."""

    code = "unknown_bank_account"

    def __init__(self, account: str) -> None:
        super().__init__(f"no bank account {account!r}; see the list of bank accounts")
        self.account = account


class DuplicateBankAccount(Conflict):
    """Raised when another bank account has this name, role or IBAN already."""

    code = "duplicate_bank_account"

    def __init__(self, field: str, value: str, other: str) -> None:
        super().__init__(f"the {field} {value!r} is bank account {other!r}'s already")
        self.field = field
        self.value = value
        self.other = other


class BankLineMatched(Conflict):
    """Raised when a line to match by hand is matched already: unmatch it first."""

    code = "bank_line_matched"

    def __init__(self, line: int, matched: str) -> None:
        super().__init__(f"bank line {line} is matched already ({matched}); unmatch it first")
        self.line = line
        self.matched = matched


class BankLineUnmatched(Conflict):
    """Raised when a line to unmatch is not matched."""

    code = "bank_line_unmatched"

    def __init__(self, line: int) -> None:
        super().__init__(f"bank line {line} is not matched")
        self.line = line


class NotOnBankAccount(InvalidRequest):
    """Raised when a line is matched to a transaction that does not move its ledger account."""

    code = "not_on_bank_account"

    def __init__(self, transaction_id: int, ledger_account: str) -> None:
        super().__init__(f"transaction {transaction_id} does not move {ledger_account}")
        self.transaction_id = transaction_id
        self.ledger_account = ledger_account
