"""Errors raised while reading or writing bank files.

Every error carries the fields a person needs to fix the input, and its message says what to
change. Parsers are all-or-nothing: when one of these is raised, nothing was returned.

    BankFileError (an InvalidRequest of the core)
    ├── InvalidIban          an IBAN failed validation
    ├── InvalidBic           a BIC failed validation
    ├── MalformedStatement   a statement file (camt.053, CSV) cannot be read
    │   └── StatementEncodingError   its bytes are not in the expected text encoding
    ├── InvalidPayout        a payout cannot be put in a SEPA credit transfer
    └── SchemaViolation      a generated XML file does not validate against its XSD
"""

from __future__ import annotations

from monnaie_locale.errors import InvalidRequest


class BankFileError(InvalidRequest):
    """Root of every error raised by `monnaie_locale.bank`: the file or value is at fault."""

    code = "bank_file_error"


class InvalidIban(BankFileError):
    """Raised when a value is not a valid IBAN (length, characters, country, check digits)."""

    code = "invalid_iban"

    def __init__(self, value: str, reason: str) -> None:
        self.value = value
        self.reason = reason
        super().__init__(f"invalid IBAN {value!r}: {reason}")


class InvalidBic(BankFileError):
    """Raised when a value is not a valid BIC (8 or 11 characters, known country)."""

    code = "invalid_bic"

    def __init__(self, value: str, reason: str) -> None:
        self.value = value
        self.reason = reason
        super().__init__(f"invalid BIC {value!r}: {reason}")


class MalformedStatement(BankFileError):
    """Raised when a bank statement cannot be read.

    `location` names the place at fault: an element path such as ``Stmt/Ntry[3]/Amt`` in a
    camt.053 file, or ``line 7, column 'Montant'`` in a CSV file (lines count from 1, header
    included).
    """

    code = "malformed_statement"

    def __init__(self, location: str, reason: str) -> None:
        self.location = location
        self.reason = reason
        super().__init__(f"{location}: {reason}")


class StatementEncodingError(MalformedStatement):
    """Raised when a statement's bytes do not decode with the expected text encoding."""

    code = "statement_encoding"

    def __init__(self, location: str, reason: str, *, expected_encoding: str) -> None:
        self.expected_encoding = expected_encoding
        super().__init__(location, reason)


class InvalidPayout(BankFileError):
    """Raised when a payout cannot go into a SEPA credit transfer file (amount, ids, text)."""

    code = "invalid_payout"

    def __init__(self, end_to_end_id: str, reason: str) -> None:
        self.end_to_end_id = end_to_end_id
        self.reason = reason
        super().__init__(f"payout {end_to_end_id!r}: {reason}")


class SchemaViolation(BankFileError):
    """Raised when an XML document does not validate against its ISO 20022 schema."""

    code = "schema_violation"

    def __init__(self, schema: str, reason: str) -> None:
        self.schema = schema
        self.reason = reason
        super().__init__(f"document does not validate against {schema}: {reason}")
