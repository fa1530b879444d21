"""Value types of the ledger: accounts, postings, transactions, holds.

Sign convention: a posting's ``amount`` is positive when it credits the account and
negative when it debits it, and an account's ``balance`` is the sum of its postings. A
member holding 50 units has a balance of +50; ``issuance`` after issuing them has -50;
an asset account of the association such as ``reserve:digital`` holding 50 euros has -50
(debit-normal accounts read negative; reports flip their sign). Every transaction's
postings sum to zero in each currency.

These types are immutable and validate themselves on construction, so a request that
reaches the storage layer is already well-formed.
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from monnaie_locale.errors import InvalidAmount, InvalidRequest, Unbalanced
from monnaie_locale.money import MAX_AMOUNT

__all__ = [
    "MAX_ACCOUNT_CODE",
    "MAX_DISPLAY_NAME",
    "MAX_KIND",
    "MAX_MEMO",
    "MAX_REFERENCE",
    "Account",
    "AccountKind",
    "AccountStatus",
    "Hold",
    "HoldStatus",
    "Leg",
    "Posting",
    "Transaction",
    "TransferRequest",
    "check_account_code",
    "check_balanced",
    "check_display_name",
    "check_plain_text",
    "check_positive",
]

# Long enough for "Régie de recettes de la piscine municipale de Saint-Jean-de-Luz".
MAX_DISPLAY_NAME = 120
MAX_ACCOUNT_CODE = 120
MAX_MEMO = 500
# The width of ``transactions.kind``.
MAX_KIND = 40
# A SEPA remittance line is 140 characters: a bank's reference fits.
MAX_REFERENCE = 140
# What plain text never holds: the C0 and C1 control characters (tab, line feed and carriage
# return included) and DEL, the line and paragraph separators, lone surrogates (no encoding
# can store them), and the marks that reorder or hide the text around them (a name holding
# them could show a payer something other than what it spells). Memos, references and codes
# end up in exports with one record per line and one field per separator (the FEC, the
# plain-text journal), in terminals and on pages: a line break or an escape sequence there
# would shift columns or rewrite what is shown.
# As a regular-expression class body, for the edges to build their own patterns from.
NOT_PLAIN_CHARACTERS = r"\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_NOT_PLAIN = re.compile(f"[{NOT_PLAIN_CHARACTERS}\\ud800-\\udfff]")


class AccountKind(enum.StrEnum):
    """Who an account belongs to; decides what it may do in the currency operations."""

    MEMBER = "member"
    BUSINESS = "business"
    AUTHORITY = "authority"
    ASSOCIATION = "association"
    EXCHANGE_OFFICE = "exchange_office"
    SYSTEM = "system"


class AccountStatus(enum.StrEnum):
    """An account moves money only while active; closed is final."""

    ACTIVE = "active"
    FROZEN = "frozen"
    CLOSED = "closed"


class HoldStatus(enum.StrEnum):
    PENDING = "pending"
    POSTED = "posted"
    VOIDED = "voided"
    EXPIRED = "expired"


def check_positive(amount: int) -> int:
    """Return ``amount`` if it is a positive int of minor units, else raise InvalidAmount."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidAmount(amount, "an amount has at most two decimals, such as 12.50")
    if amount <= 0:
        raise InvalidAmount(amount, "the amount must be greater than zero")
    if amount > MAX_AMOUNT:
        raise InvalidAmount(amount, "the amount is larger than any ledger allows")
    return amount


def check_plain_text(value: str, what: str, *, max_length: int) -> str:
    """Return ``value`` if it is at most ``max_length`` characters of plain text.

    Plain text is one line without control characters (see ``_NOT_PLAIN``); ``what``
    names the field in the :class:`InvalidRequest` raised otherwise. Called where a memo,
    a reference or a code enters the core, so that text reaching it by another way than the
    API (a script, a CSV import) is held to the same rule, and the exports can rely on it.
    """
    if not isinstance(value, str):
        raise InvalidRequest(f"the {what} must be text")
    if len(value) > max_length:
        raise InvalidRequest(f"the {what} is limited to {max_length} characters")
    found = _NOT_PLAIN.search(value)
    if found is not None:
        raise InvalidRequest(
            f"the {what} holds a control or invisible character "
            f"(U+{ord(found.group()):04X}); write it on one line, without tabs, line breaks "
            "or control characters"
        )
    return value


def check_account_code(code: str) -> str:
    """Return ``code`` if it may name an account, else raise InvalidRequest.

    A code is 1 to :data:`MAX_ACCOUNT_CODE` characters of plain text (see
    :func:`check_plain_text`) without outer spaces.
    """
    if (
        not isinstance(code, str)
        or not code
        or len(code) > MAX_ACCOUNT_CODE
        or code != code.strip()
    ):
        raise InvalidRequest(
            f"an account code is 1 to {MAX_ACCOUNT_CODE} characters without outer spaces"
        )
    return check_plain_text(code, "account code", max_length=MAX_ACCOUNT_CODE)


def check_display_name(name: str | None) -> str | None:
    """Return ``name`` if it may be shown as an account's name, else raise InvalidRequest.

    ``None`` means no name (the code is shown). A name is 1 to :data:`MAX_DISPLAY_NAME`
    characters without outer spaces, control characters, line breaks or the invisible
    marks that reverse the direction of text.
    """
    if name is None:
        return None
    if not isinstance(name, str) or not name or len(name) > MAX_DISPLAY_NAME:
        raise InvalidRequest(f"a display name is 1 to {MAX_DISPLAY_NAME} characters")
    if name != name.strip():
        raise InvalidRequest("a display name has no spaces around it")
    found = _NOT_PLAIN.search(name)
    if found is not None:
        raise InvalidRequest(
            f"a display name holds no control or invisible character (U+{ord(found.group()):04X})"
        )
    return name


@dataclass(frozen=True, slots=True)
class Account:
    """An account as stored, with its running balance and the amount held on it."""

    id: int
    code: str
    kind: AccountKind
    currency: str
    status: AccountStatus
    owner_ref: str | None
    lower_limit: int | None  # None: unbounded below (system accounts such as issuance)
    upper_limit: int | None  # None: unbounded above
    balance: int
    held: int
    # The holder's name as people know it ("Boulangerie Etchegaray"); None: show the code.
    display_name: str | None = None

    @property
    def shown_name(self) -> str:
        """What a person is shown for this account: its display name, else its code."""
        return self.display_name or self.code

    @property
    def available(self) -> int:
        """What a debit may still take before the lower limit: balance minus holds minus limit."""
        if self.lower_limit is None:
            return MAX_AMOUNT
        return self.balance - self.held - self.lower_limit


@dataclass(frozen=True, slots=True)
class Leg:
    """One side of a transaction as requested: an account code and a signed amount."""

    account: str
    amount: int  # positive credits the account, negative debits it

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise InvalidAmount(self.amount, "an amount has at most two decimals, such as 12.50")
        if self.amount == 0 or abs(self.amount) > MAX_AMOUNT:
            raise InvalidAmount(self.amount, "a leg moves a non-zero amount")


@dataclass(frozen=True, slots=True)
class TransferRequest:
    """A transaction to post: legs across one or more currencies, and what it is for.

    ``currencies`` maps each account code to its currency, filled by the ledger from the
    accounts themselves, so balance is checked per currency before anything is written.
    """

    legs: tuple[Leg, ...]
    kind: str = "transfer"
    memo: str = ""
    reference: str | None = None
    # The day the operation happened, when not the day it is recorded (see
    # monnaie_locale.periods); never inside a closed period.
    on: date | None = None

    def __post_init__(self) -> None:
        if len(self.legs) < 2:
            raise InvalidRequest("a transaction needs at least two postings")
        if len({leg.account for leg in self.legs}) != len(self.legs):
            raise InvalidRequest("each account may appear once in a transaction")
        # Every transaction the core writes is built here: the one place to keep its free
        # text plain (a compiled search per field: nothing the posting path can measure).
        check_plain_text(self.kind, "kind", max_length=MAX_KIND)
        check_plain_text(self.memo, "memo", max_length=MAX_MEMO)
        if self.reference is not None:
            check_plain_text(self.reference, "reference", max_length=MAX_REFERENCE)

    @classmethod
    def simple(
        cls,
        debit: str,
        credit: str,
        amount: int,
        *,
        kind: str = "transfer",
        memo: str = "",
        reference: str | None = None,
        on: date | None = None,
    ) -> TransferRequest:
        """A two-leg transfer of ``amount`` (positive) from ``debit`` to ``credit``."""
        check_positive(amount)
        if debit == credit:
            raise InvalidRequest("an account cannot pay itself")
        return cls(
            legs=(Leg(debit, -amount), Leg(credit, amount)),
            kind=kind,
            memo=memo,
            reference=reference,
            on=on,
        )

    def fingerprint(self) -> str:
        """A canonical text of the request, to compare retries under one idempotency key."""
        legs = ";".join(f"{leg.account}:{leg.amount}" for leg in self.legs)
        dated = "" if self.on is None else f"|on:{self.on.isoformat()}"
        return f"{self.kind}|{legs}|{self.memo}|{self.reference or ''}{dated}"


def check_balanced(amounts: Iterable[tuple[str, int]]) -> None:
    """Raise :class:`Unbalanced` unless the (currency, amount) pairs sum to zero per currency."""
    sums: dict[str, int] = defaultdict(int)
    for currency, amount in amounts:
        sums[currency] += amount
    if any(sums.values()):
        raise Unbalanced({cur: total for cur, total in sums.items() if total})


@dataclass(frozen=True, slots=True)
class Posting:
    """A committed posting: immutable, with the account's balance right after it."""

    id: int
    transaction_id: int
    account: str
    currency: str
    amount: int
    balance_after: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Transaction:
    """A committed transaction and its postings."""

    id: int
    kind: str
    memo: str
    reference: str | None
    created_at: datetime
    postings: tuple[Posting, ...]
    reverses: int | None = None
    batch: str | None = None
    idempotency_key: str | None = None
    # The operation's day when one was given; None: the day it was recorded.
    on: date | None = None

    def amount_for(self, account: str) -> int:
        """The signed amount this transaction moved on ``account`` (0 if untouched)."""
        return sum(p.amount for p in self.postings if p.account == account)

    def sums(self) -> Mapping[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for posting in self.postings:
            totals[posting.currency] += posting.amount
        return dict(totals)


@dataclass(frozen=True, slots=True)
class Hold:
    """Money reserved on a debit account for a later transfer to a credit account."""

    id: int
    debit_account: str
    credit_account: str
    amount: int
    status: HoldStatus
    expires_at: datetime | None
    created_at: datetime
    posted_amount: int = 0
    transaction_id: int | None = None
    memo: str = field(default="")
