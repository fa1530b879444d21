"""Errors of an authority's mandates, beside those of :mod:`monnaie_locale.authorities.errors`
(``SameProposer``, ``SpendingNotAllowed``, ``NoConvention``, ``NotYourRegie``).

MonnaieLocaleError
├── NotFound
│   └── UnknownMandate          no mandate with this id at this authority
└── Conflict
    ├── NoAuthorityAccount      the authority has no account of its own to pay from
    ├── DuplicateMandate        the same exercice, bordereau and number again
    └── MandateNotProposed      decided already: only a proposed mandate is approved or
                                rejected
"""

from __future__ import annotations

from monnaie_locale.errors import Conflict, NotFound

__all__ = ["DuplicateMandate", "MandateNotProposed", "NoAuthorityAccount", "UnknownMandate"]


class UnknownMandate(NotFound):
    """Raised when no mandate of the authority has this id."""

    code = "unknown_mandate"

    def __init__(self, authority: str, mandate: int) -> None:
        super().__init__(
            f"no mandate {mandate} at {authority}; `mlc mandate list {authority}` shows them"
        )
        self.authority = authority
        self.mandate = mandate


class NoAuthorityAccount(Conflict):
    """Raised when a mandate is proposed for an authority with no account of its own."""

    code = "no_authority_account"

    def __init__(self, authority: str) -> None:
        super().__init__(
            f"{authority} has no account of its own to pay from; the association opens one "
            "and records it on the authority first"
        )
        self.authority = authority


class DuplicateMandate(Conflict):
    """Raised when the authority has a mandate with this exercice, bordereau and number."""

    code = "duplicate_mandate"

    def __init__(self, authority: str, exercice: int, bordereau: str, number: str) -> None:
        super().__init__(
            f"{authority} has a mandate {number} in bordereau {bordereau} of exercice "
            f"{exercice} already; give the next number"
        )
        self.authority = authority
        self.exercice = exercice
        self.bordereau = bordereau
        self.number = number


class MandateNotProposed(Conflict):
    """Raised when a mandate already paid or rejected is approved or rejected."""

    code = "mandate_not_proposed"

    def __init__(self, mandate: int, status: str) -> None:
        super().__init__(
            f"mandate {mandate} is {status}: only a proposed mandate is approved or rejected; "
            "propose a new one if it is still owed"
        )
        self.mandate = mandate
        self.status = status
