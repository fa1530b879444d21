"""IBAN and BIC validation.

Reconversions are wired to an IBAN the business owns, and the reserve is read from bank
statements keyed by the association's IBAN, so an IBAN is checked once, on entry, and kept in
its compact form (no spaces, upper case). The checks themselves (length per country, check
digits, national checksums such as the French RIB key) come from `schwifty`; this module only
normalises the input and turns each failure into an `InvalidIban` that says what to fix.
"""

from __future__ import annotations

import re

from schwifty import BIC, IBAN
from schwifty import exceptions as sx

from monnaie_locale.bank.errors import InvalidBic, InvalidIban

# People paste IBANs from PDFs and web pages: any whitespace, including no-break spaces and
# the dashes some banks print between groups, is layout, not content.
_LAYOUT = re.compile(r"[\s\-]+")

_IBAN_REASONS: tuple[tuple[type[sx.SchwiftyException], str], ...] = (
    (sx.InvalidCountryCode, "unknown country code: an IBAN starts with two letters (FR, DE...)"),
    (sx.InvalidLength, "wrong length for this country (a French IBAN has 27 characters)"),
    (sx.InvalidStructure, "only letters and digits are allowed, in the country's layout"),
    (sx.InvalidChecksumDigits, "check digits do not match: a character was probably mistyped"),
    (sx.InvalidBBANChecksum, "the national check key (RIB key) does not match the account"),
    (sx.InvalidBankCode, "the bank code does not have the country's structure"),
    (sx.InvalidBranchCode, "the branch code does not have the country's structure"),
    (sx.InvalidAccountCode, "the account number does not have the country's structure"),
)

_BIC_REASONS: tuple[tuple[type[sx.SchwiftyException], str], ...] = (
    (sx.InvalidLength, "a BIC has 8 or 11 characters (e.g. CCOPFRPP or CCOPFRPPXXX)"),
    (sx.InvalidCountryCode, "characters 5-6 must be a known country code (FR, DE...)"),
    (sx.InvalidStructure, "a BIC is 4 letters, 2 letters, 2 letters or digits, then 3 optional"),
)


def normalise(value: str) -> str:
    """Return `value` without spaces or dashes, in upper case (the compact form)."""
    return _LAYOUT.sub("", value).upper()


def validate_iban(value: str) -> str:
    """Return the compact form of `value`, or raise `InvalidIban` saying what to fix."""
    compact = normalise(value)
    if not compact:
        raise InvalidIban(value, "the IBAN is empty")
    try:
        return str(IBAN(compact, validate_bban=True).compact)
    except sx.SchwiftyException as exc:
        raise InvalidIban(value, _reason(exc, _IBAN_REASONS)) from exc


def validate_bic(value: str) -> str:
    """Return the compact form of `value`, or raise `InvalidBic` saying what to fix."""
    compact = normalise(value)
    if not compact:
        raise InvalidBic(value, "the BIC is empty")
    try:
        return str(BIC(compact).compact)
    except sx.SchwiftyException as exc:
        raise InvalidBic(value, _reason(exc, _BIC_REASONS)) from exc


def validate_account(iban: str, *, bic: str | None = None) -> tuple[str, str | None]:
    """Validate an IBAN and its optional BIC together; return both in compact form."""
    return validate_iban(iban), (validate_bic(bic) if bic is not None else None)


def _reason(
    exc: sx.SchwiftyException, reasons: tuple[tuple[type[sx.SchwiftyException], str], ...]
) -> str:
    for kind, reason in reasons:
        if isinstance(exc, kind):
            return reason
    return str(exc)
