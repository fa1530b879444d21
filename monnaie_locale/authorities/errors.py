"""Errors of the local authorities' acts, in the core's error tree.

MonnaieLocaleError
├── NotFound
│   ├── UnknownAuthority
│   └── UnknownRegie
├── Forbidden
│   ├── NotYourRegie         no duty at this régie (or its authority) allows this
│   └── SameProposer         one person both proposing and approving a mandate
└── Conflict
    ├── DuplicateAuthority / DuplicateRegie
    ├── NoConvention          no convention with the authority is in force that day
    ├── NothingToPayIn        a versement asked of a régie that collected nothing since
    ├── EncaisseMismatch      a régie's account and its quittances not paid in disagree
    └── SpendingNotAllowed    the convention in force does not let the authority spend
"""

from __future__ import annotations

from datetime import date

from monnaie_locale.auth.errors import Forbidden
from monnaie_locale.errors import Conflict, NotFound

__all__ = [
    "DuplicateAuthority",
    "DuplicateRegie",
    "EncaisseMismatch",
    "NoConvention",
    "NotYourRegie",
    "NothingToPayIn",
    "SameProposer",
    "SpendingNotAllowed",
    "UnknownAuthority",
    "UnknownRegie",
]


class UnknownAuthority(NotFound):
    """Raised when no local authority has this code."""

    code = "unknown_authority"

    def __init__(self, authority: str) -> None:
        super().__init__(f"no local authority {authority!r}; `mlc authority list` shows them")
        self.authority = authority


class UnknownRegie(NotFound):
    """Raised when no régie has this code (or this account)."""

    code = "unknown_regie"

    def __init__(self, regie: str) -> None:
        super().__init__(f"no régie {regie!r}; `mlc regie list` shows them")
        self.regie = regie


class NotYourRegie(Forbidden):
    """Raised when the actor holds no duty at this régie or authority that allows the act."""

    code = "not_your_regie"

    def __init__(self, where: str, duties: tuple[str, ...]) -> None:
        super().__init__(
            f"this needs the duty of {' or '.join(duties)} at {where}; "
            "the association's administrator grants duties"
        )
        self.where = where
        self.duties = duties


class SameProposer(Forbidden):
    """Raised when the person approving (or rejecting) a mandate is the one who proposed it."""

    code = "same_proposer"

    def __init__(self, mandate: int) -> None:
        super().__init__(
            f"mandate {mandate} was proposed by you: another person, the public accountant, "
            "must decide on it"
        )
        self.mandate = mandate


class DuplicateAuthority(Conflict):
    """Raised when an authority with this code exists already."""

    code = "duplicate_authority"

    def __init__(self, authority: str) -> None:
        super().__init__(f"a local authority {authority!r} exists already")
        self.authority = authority


class DuplicateRegie(Conflict):
    """Raised when a régie with this code, or on this account, exists already."""

    code = "duplicate_regie"

    def __init__(self, regie: str) -> None:
        super().__init__(f"a régie {regie!r} (or one on its account) exists already")
        self.regie = regie


class NoConvention(Conflict):
    """Raised when no convention with the authority is in force on a day."""

    code = "no_convention"

    def __init__(self, authority: str, on: date) -> None:
        super().__init__(
            f"no convention with {authority} is in force on {on.isoformat()}; "
            f"record it with `mlc authority convention {authority}`"
        )
        self.authority = authority
        self.on = on


class SpendingNotAllowed(Conflict):
    """Raised when the convention in force does not let the authority spend."""

    code = "spending_not_allowed"

    def __init__(self, authority: str) -> None:
        super().__init__(
            f"the convention in force with {authority} does not let it spend in the local "
            "unit; a new version of the convention must allow it first"
        )
        self.authority = authority


class NothingToPayIn(Conflict):
    """Raised when a versement is asked of a régie with no quittance left to pay in."""

    code = "nothing_to_pay_in"

    def __init__(self, regie: str) -> None:
        super().__init__(
            f"nothing to pay in: every quittance of {regie} belongs to a versement already"
        )
        self.regie = regie


class EncaisseMismatch(Conflict):
    """Raised when the units a régie's account holds outside any versement are not the
    sum of its quittances not yet paid in: something moved without a quittance."""

    code = "encaisse_mismatch"

    def __init__(self, regie: str, *, quittances: int, encaisse: int) -> None:
        super().__init__(
            f"the quittances of {regie} not yet paid in add up to {quittances} minor units, "
            f"but its account holds {encaisse}; the association must find the difference "
            "in the account's statement before a versement"
        )
        self.regie = regie
        self.quittances = quittances
        self.encaisse = encaisse
