"""Errors of the core, as values with fields.

Every error the core raises on purpose derives from :class:`MonnaieLocaleError`; the HTTP
status and the CLI exit code are decided at the edges, each in one mapping keyed on
``code``. Each class says when it is raised.

    MonnaieLocaleError
    ├── InvalidAmount            text or number that is not a valid amount
    ├── InvalidRequest           a request that can never succeed as written
    │   ├── Unbalanced           postings do not sum to zero per currency
    │   ├── CurrencyMismatch     a posting's currency differs from its account's
    │   ├── OperationDateInFuture an operation dated after today
    │   ├── PeriodNotOver        closing a period that has not ended
    │   └── InvalidData          a value the database cannot store
    ├── NotFound
    │   ├── UnknownAccount
    │   ├── UnknownTransaction
    │   └── UnknownHold
    ├── Conflict                 the request is valid but the ledger's state refuses it
    │   ├── AccountNotActive     frozen or closed account
    │   ├── InsufficientFunds    a debit would go below the lower limit
    │   ├── LimitExceeded        a credit would go above the upper limit
    │   ├── IdempotencyConflict  the key was used before with another request
    │   ├── HoldNotPending       posting or voiding a hold already settled
    │   ├── HoldExpired
    │   ├── AlreadyReversed
    │   ├── DuplicateAccount
    │   ├── PeriodClosed         an operation dated inside a closed period
    │   └── ChecklistFailed      a closing whose checklist does not pass
    ├── JournalBroken            verification found a discrepancy
    └── DatabaseUnavailable      the database cannot be reached, or cannot serve now
        └── SchemaMissing        the database lacks the ledger's tables

:class:`InvalidData`, :class:`DatabaseUnavailable` and :class:`SchemaMissing` are the
database driver's errors, translated once where transactions are opened
(:mod:`monnaie_locale.store.database`); no edge reads the driver's exceptions.
"""

from __future__ import annotations

from typing import ClassVar


def _said(minor_units: int) -> str:
    """An amount in a message as people write it (``12.50``); the fields keep minor units."""
    # Imported here: money imports this module for InvalidAmount.
    from monnaie_locale.money import format_amount

    return format_amount(minor_units)


class MonnaieLocaleError(Exception):
    """Root of every error the core raises on purpose."""

    code: ClassVar[str] = "error"
    # The fields that hold minor units: a message shows them as decimal amounts.
    amount_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidAmount(MonnaieLocaleError):
    """Raised when text or a number is not a valid amount of minor units."""

    code = "invalid_amount"

    def __init__(self, value: object, reason: str) -> None:
        super().__init__(f"invalid amount {value!r}: {reason}")
        self.value = value
        self.reason = reason


class InvalidRequest(MonnaieLocaleError):
    """Raised when a request can never succeed as written (whatever the ledger holds)."""

    code = "invalid_request"


class Unbalanced(InvalidRequest):
    """Raised when a transaction's postings do not sum to zero in each currency."""

    code = "unbalanced"

    def __init__(self, sums: dict[str, int]) -> None:
        detail = ", ".join(f"{cur} {total:+d}" for cur, total in sorted(sums.items()))
        super().__init__(f"postings must sum to zero in each currency; they sum to {detail}")
        self.sums = sums


class CurrencyMismatch(InvalidRequest):
    """Raised when a posting names a currency other than its account's."""

    code = "currency_mismatch"

    def __init__(self, account: str, expected: str, given: str) -> None:
        super().__init__(f"account {account} holds {expected}, not {given}")
        self.account = account
        self.expected = expected
        self.given = given


class InvalidData(InvalidRequest):
    """Raised when the database refuses a value: a text it cannot store, a number out of range.

    Validation at the edges should stop such values first; this keeps a gap in it from
    becoming a failure of the service. ``reason`` is the database's own words, for logs:
    it may quote the value.
    """

    code = "invalid_data"

    def __init__(self, reason: str) -> None:
        super().__init__(
            "the database refused a value of this request; remove control characters from "
            "text and keep numbers within range"
        )
        self.reason = reason


class NotFound(MonnaieLocaleError):
    """Raised when something named by the caller does not exist."""

    code = "not_found"


class UnknownAccount(NotFound):
    """Raised when an account code or id names no account."""

    code = "unknown_account"

    def __init__(self, account: str | int) -> None:
        super().__init__(f"no account {account!r}; check the code or list the accounts")
        self.account = account


class UnknownTransaction(NotFound):
    """Raised when a transaction id names no transaction."""

    code = "unknown_transaction"

    def __init__(self, transaction_id: int) -> None:
        super().__init__(f"no transaction {transaction_id}")
        self.transaction_id = transaction_id


class UnknownHold(NotFound):
    """Raised when a hold id names no hold."""

    code = "unknown_hold"

    def __init__(self, hold_id: int) -> None:
        super().__init__(f"no hold {hold_id}")
        self.hold_id = hold_id


class Conflict(MonnaieLocaleError):
    """Raised when a valid request is refused by the ledger's current state."""

    code = "conflict"


class AccountNotEmpty(Conflict):
    """Raised when closing an account that still holds money or has money on hold."""

    code = "account_not_empty"
    amount_fields = ("balance", "held")

    def __init__(self, account: str, balance: int, held: int) -> None:
        super().__init__(
            f"account {account} still holds {_said(balance)} ({_said(held)} on hold); "
            "empty it before closing"
        )
        self.account = account
        self.balance = balance
        self.held = held


class AccountClosed(Conflict):
    """Raised when changing the status of a closed account: closing is final."""

    code = "account_closed"

    def __init__(self, account: str) -> None:
        super().__init__(f"account {account} is closed; closing is final")
        self.account = account


class AccountNotActive(Conflict):
    """Raised when money would move through a frozen or closed account."""

    code = "account_not_active"

    def __init__(self, account: str, status: str) -> None:
        super().__init__(f"account {account} is {status}; ask the association to reactivate it")
        self.account = account
        self.status = status


class InsufficientFunds(Conflict):
    """Raised when a debit (or a hold) would take an account below its lower limit."""

    code = "insufficient_funds"
    amount_fields = ("needed", "available")

    def __init__(self, account: str, needed: int, available: int) -> None:
        super().__init__(
            f"account {account} cannot pay {_said(needed)}: {_said(available)} available"
        )
        self.account = account
        self.needed = needed
        self.available = available


class LimitExceeded(Conflict):
    """Raised when a credit would take an account above its upper limit."""

    code = "limit_exceeded"
    amount_fields = ("amount", "upper_limit")

    def __init__(self, account: str, amount: int, upper_limit: int) -> None:
        super().__init__(
            f"account {account} cannot receive {_said(amount)}: its upper limit is "
            f"{_said(upper_limit)}"
        )
        self.account = account
        self.amount = amount
        self.upper_limit = upper_limit


class IdempotencyConflict(Conflict):
    """Raised when an idempotency key is reused with a different request."""

    code = "idempotency_conflict"

    def __init__(self, key: str) -> None:
        # The message names no key: the one stored may carry a scope the caller never
        # sent (the API keeps each caller's keys apart by prefixing who they are).
        super().__init__(
            "this idempotency key was already used for another request; "
            "use a new key for a new request"
        )
        self.key = key


class HoldNotPending(Conflict):
    """Raised when posting or voiding a hold that was already posted, voided or expired."""

    code = "hold_not_pending"

    def __init__(self, hold_id: int, status: str) -> None:
        super().__init__(f"hold {hold_id} is already {status}")
        self.hold_id = hold_id
        self.status = status


class HoldExpired(Conflict):
    """Raised when posting a hold after its expiry."""

    code = "hold_expired"

    def __init__(self, hold_id: int) -> None:
        super().__init__(f"hold {hold_id} has expired; place a new hold")
        self.hold_id = hold_id


class AlreadyReversed(Conflict):
    """Raised when reversing a transaction that was already reversed."""

    code = "already_reversed"

    def __init__(self, transaction_id: int) -> None:
        super().__init__(f"transaction {transaction_id} was already reversed")
        self.transaction_id = transaction_id


class DuplicateAccount(Conflict):
    """Raised when opening an account whose code is taken."""

    code = "duplicate_account"

    def __init__(self, account: str) -> None:
        super().__init__(f"an account {account!r} already exists")
        self.account = account


class OperationDateInFuture(InvalidRequest):
    """Raised when an operation is dated after today (in the deployment's zone)."""

    code = "operation_date_in_future"

    def __init__(self, on: str, today: str) -> None:
        super().__init__(f"an operation cannot be dated {on}, after today ({today})")
        self.on = on
        self.today = today


class PeriodNotOver(InvalidRequest):
    """Raised when closing a period whose last day is today or later, or already closed."""

    code = "period_not_over"

    def __init__(self, through: str, today: str) -> None:
        super().__init__(
            f"the books can be closed through a past day only: {through} is not before "
            f"today ({today})"
        )
        self.through = through
        self.today = today


class PeriodClosed(Conflict):
    """Raised when an operation is dated on or before the last day of a closed period,
    or a closing does not move past the last one."""

    code = "period_closed"

    def __init__(self, on: str, closed_through: str) -> None:
        super().__init__(
            f"the books are closed through {closed_through}: nothing can be dated {on}; "
            "date it after the closing, or reverse the entry (the reversal is dated today)"
        )
        self.on = on
        self.closed_through = closed_through


class ChecklistFailed(Conflict):
    """Raised when closing a period whose closing checklist does not pass."""

    code = "checklist_failed"

    def __init__(self, failed: list[str]) -> None:
        listed = ", ".join(failed)
        super().__init__(
            f"the closing checklist does not pass ({listed}): see mlc period checklist"
        )
        self.failed = listed


class JournalBroken(MonnaieLocaleError):
    """Raised by strict verification when the journal or the balances disagree."""

    code = "journal_broken"

    def __init__(self, sequence: int | None, reason: str) -> None:
        where = f"at sequence {sequence}" if sequence is not None else "in the balances"
        super().__init__(f"journal verification failed {where}: {reason}")
        self.sequence = sequence
        self.reason = reason


class DatabaseUnavailable(MonnaieLocaleError):
    """Raised when the database cannot be reached or cannot serve at the moment.

    A refused connection, a server that went away, a database kept busy past every retry,
    a file that is not a database. ``reason`` is the driver's first line, for the operator
    (it may name the server); the message says only what a client may read.
    """

    code = "database_unavailable"

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(message or "the database cannot be reached; try again later")
        self.reason = reason


class SchemaMissing(DatabaseUnavailable):
    """Raised when the database lacks the ledger's tables: it was never migrated.

    A kind of unavailability: nothing works until the operator runs ``mlc db migrate``.
    """

    code = "schema_missing"

    def __init__(self, reason: str) -> None:
        super().__init__(
            reason,
            "the database lacks the ledger's tables; the operator runs `mlc db migrate`",
        )
