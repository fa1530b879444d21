"""Bank files: the euro side of the reserve as the bank sees it.

The association keeps its euro reserve at a bank. This package reads what the bank sends
(camt.053 statements, CSV exports) into immutable `BankStatement` values, and writes what the
association sends to the bank (pain.001 SEPA credit transfers for reconversion payouts). It is
pure: no database, no ledger; the ledger decides what to book from what this package reads.
"""

from monnaie_locale.bank.camt053 import parse_camt053
from monnaie_locale.bank.csv_statement import FRENCH_BANK, CsvFormat, parse_csv_statement
from monnaie_locale.bank.errors import (
    BankFileError,
    InvalidBic,
    InvalidIban,
    InvalidPayout,
    MalformedStatement,
    SchemaViolation,
    StatementEncodingError,
)
from monnaie_locale.bank.iban import normalise, validate_account, validate_bic, validate_iban
from monnaie_locale.bank.pain001 import (
    PAIN001_SCHEMA,
    Debtor,
    Payout,
    build_pain001,
    validate_pain001,
)
from monnaie_locale.bank.statement import (
    BankStatement,
    StatementLine,
    decimal_to_cents,
    fingerprint,
)

__all__ = [
    "FRENCH_BANK",
    "PAIN001_SCHEMA",
    "BankFileError",
    "BankStatement",
    "CsvFormat",
    "Debtor",
    "InvalidBic",
    "InvalidIban",
    "InvalidPayout",
    "MalformedStatement",
    "Payout",
    "SchemaViolation",
    "StatementEncodingError",
    "StatementLine",
    "build_pain001",
    "decimal_to_cents",
    "fingerprint",
    "normalise",
    "parse_camt053",
    "parse_csv_statement",
    "validate_account",
    "validate_bic",
    "validate_iban",
    "validate_pain001",
]
