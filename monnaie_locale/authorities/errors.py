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
    └── SpendingNotAllowed    the convention in force does not let the authority spend
"""

from __future__ import annotations

from datetime import date

from monnaie_locale.auth.errors import Forbidden
from monnaie_locale.errors import Conflict, NotFound

__all__ = [
    "DuplicateAuthority",
    "DuplicateRegie",
    "NoConvention",
    "NotYourRegie",
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
