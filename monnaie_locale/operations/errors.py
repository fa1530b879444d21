"""Errors of the currency operations, each a subclass of a core error.

They keep the core's ``code`` scheme, so the edges map them to HTTP statuses and exit codes
through the same tables as the ledger's own errors.

    MonnaieLocaleError
    ├── InvalidRequest
    │   ├── InvalidNotes             a bundle of notes that no deployment could accept
    │   ├── InvalidPayoutAccount     an IBAN or BIC a payout could not be sent to
    │   └── MalformedBankFile        a bank statement that cannot be read (nothing imported)
    ├── NotFound
    │   └── UnknownRecord            no conversion order, reconversion, batch, office...
    └── Conflict
        ├── OperationNotAllowed      this kind of account may not do this operation
        ├── ConversionLimitExceeded  above the deployment's limit for the account's kind
        ├── WrongState               the record is not in a state that allows the operation
        ├── AmountMismatch           the money seen differs from the money expected
        ├── NotesUnavailable         a stock holds fewer notes of a denomination than needed
        ├── OfficeNotEmpty           an office to close still holds cash or notes
        ├── ReserveInsufficient      the reserve account cannot pay a reconversion batch
        ├── CoverageViolation        the operation would leave units without euro backing
        └── OperatingShort           the operating account cannot pay a top-up or a loss
"""

from __future__ import annotations

from monnaie_locale.errors import Conflict, InvalidRequest, NotFound

__all__ = [
    "AmountMismatch",
    "ConversionLimitExceeded",
    "CoverageViolation",
    "InvalidNotes",
    "InvalidPayoutAccount",
    "MalformedBankFile",
    "NotesUnavailable",
    "OfficeNotEmpty",
    "OperatingShort",
    "OperationNotAllowed",
    "ReserveInsufficient",
    "UnknownRecord",
    "WrongState",
]


class InvalidNotes(InvalidRequest):
    """Raised when a bundle of notes is empty or names a denomination the deployment lacks."""

    code = "invalid_notes"


class InvalidPayoutAccount(InvalidRequest):
    """Raised when a reconversion names an IBAN or BIC that fails validation."""

    code = "invalid_payout_account"

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"payout account {value!r} is not valid: {reason}")
        self.value = value
        self.reason = reason


class MalformedBankFile(InvalidRequest):
    """Raised when a bank statement file cannot be read; ``location`` names the fault."""

    code = "malformed_bank_file"

    def __init__(self, location: str, reason: str) -> None:
        super().__init__(f"bank file refused, nothing imported: {location}: {reason}")
        self.location = location
        self.reason = reason


class UnknownRecord(NotFound):
    """Raised when an operation names a record (order, request, batch, office) that is absent."""

    code = "unknown_record"

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"no {what} {key!r}")
        self.what = what
        self.key = key


class OperationNotAllowed(Conflict):
    """Raised when the deployment's rules forbid this operation to this kind of account."""

    code = "operation_not_allowed"

    def __init__(self, account: str, operation: str, reason: str) -> None:
        super().__init__(f"account {account} may not {operation}: {reason}")
        self.account = account
        self.operation = operation
        self.reason = reason


class ConversionLimitExceeded(Conflict):
    """Raised when a conversion is above the deployment's limit for the account's kind."""

    code = "conversion_limit_exceeded"
    amount_fields = ("amount", "limit")

    def __init__(self, account: str, amount: int, limit: int) -> None:
        super().__init__(
            f"account {account} may convert at most {_said(limit)} at once, not {_said(amount)}"
        )
        self.account = account
        self.amount = amount
        self.limit = limit


class WrongState(Conflict):
    """Raised when a record's status does not allow the operation (cancel twice, pay unbatched)."""

    code = "wrong_state"

    def __init__(self, what: str, key: object, status: str, expected: str) -> None:
        super().__init__(f"{what} {key!r} is {status}; this needs it to be {expected}")
        self.what = what
        self.key = key
        self.status = status
        self.expected = expected


class AmountMismatch(Conflict):
    """Raised when the amount seen (on the bank, in a count) is not the amount expected."""

    code = "amount_mismatch"
    amount_fields = ("expected", "given")

    def __init__(self, what: str, expected: int, given: int) -> None:
        super().__init__(f"{what} expects {_said(expected)}, not {_said(given)}")
        self.what = what
        self.expected = expected
        self.given = given


class NotesUnavailable(Conflict):
    """Raised when a note stock lacks enough notes of one denomination."""

    code = "notes_unavailable"
    # ``needed`` and ``available`` count notes.
    amount_fields = ("denomination",)

    def __init__(self, location: str, denomination: int, needed: int, available: int) -> None:
        super().__init__(
            f"{location} holds {available} notes of {_said(denomination)}, not {needed}"
        )
        self.location = location
        self.denomination = denomination
        self.needed = needed
        self.available = available


class ReserveInsufficient(Conflict):
    """Raised when validating a payout batch the reserve account could not pay in full."""

    code = "reserve_insufficient"
    amount_fields = ("needed", "available")

    def __init__(self, account: str, needed: int, available: int) -> None:
        super().__init__(
            f"{account} holds {_said(available)} free for payouts; the batch needs {_said(needed)}"
        )
        self.account = account
        self.needed = needed
        self.available = available


class CoverageViolation(Conflict):
    """Raised when an operation would leave fewer euros in reserve than units in circulation."""

    code = "coverage_violation"
    amount_fields = ("reserve", "circulation")

    def __init__(self, reserve: int, circulation: int) -> None:
        super().__init__(
            f"the reserve would hold {_said(reserve)} EUR for {_said(circulation)} in "
            "circulation; the operation is refused"
        )
        self.reserve = reserve
        self.circulation = circulation


class OperatingShort(Conflict):
    """Raised when the association's operating account cannot pay what a flow needs from it:
    the top-up of a reserve a bank fee would leave below the circulation, the part of a
    chargeback the association bears."""

    code = "operating_short"
    amount_fields = ("needed", "available")

    def __init__(self, needed: int, available: int, purpose: str) -> None:
        super().__init__(
            f"association:operating holds {_said(available)} of the {_said(needed)} needed to "
            f"{purpose}; book the association's own funds (a donation, a grant) first"
        )
        self.needed = needed
        self.available = available
        self.purpose = purpose


class OfficeNotEmpty(Conflict):
    """Raised when closing an exchange office whose till holds cash or whose stock holds
    notes: the cash goes to the bank and the notes back to the vault first."""

    code = "office_not_empty"
    amount_fields = ("cash", "notes")

    def __init__(self, office: str, *, cash: int, notes: int) -> None:
        super().__init__(
            f"office {office} still holds {_said(cash)} in its till and {_said(notes)} in "
            "notes; bank the cash and return the notes to the vault before closing it"
        )
        self.office = office
        self.cash = cash
        self.notes = notes


def _said(minor_units: int) -> str:
    """An amount in a message as people write it (``12.50``); the fields keep minor units."""
    from monnaie_locale.money import format_amount

    return format_amount(minor_units)
