"""Exports of the books: account statements (CSV), the French FEC, a plain-text journal.

Each export streams: it reads the ledger a chunk at a time and writes as it goes, so its
memory does not grow with the number of postings. Run it inside :meth:`Database.reading
<monnaie_locale.store.database.Database.reading>` to see one state of the books from the
first line to the last.
"""

from monnaie_locale.exports.account_map import AccountMap, AccountRule
from monnaie_locale.exports.fec import FEC_COLUMNS, FEC_ENCODING, FecSummary, fec, fec_file_name
from monnaie_locale.exports.hledger import JournalSummary, account_name, hledger_journal
from monnaie_locale.exports.source import count_postings
from monnaie_locale.exports.statement import STATEMENT_COLUMNS, statement_csv

__all__ = [
    "FEC_COLUMNS",
    "FEC_ENCODING",
    "STATEMENT_COLUMNS",
    "AccountMap",
    "AccountRule",
    "FecSummary",
    "JournalSummary",
    "account_name",
    "count_postings",
    "fec",
    "fec_file_name",
    "hledger_journal",
    "statement_csv",
]
