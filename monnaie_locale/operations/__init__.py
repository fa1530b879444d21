"""Currency operations: what makes the ledger a local currency.

Each operation is a function taking a connection, run inside ``database.write`` so that
its ledger entries and its own records commit together; money-moving operations take an
idempotency key and end by checking that the reserve still covers the circulation.

* :mod:`~monnaie_locale.operations.conversion`   euros in, units issued
* :mod:`~monnaie_locale.operations.reconversion` units back: requests holding the units
* :mod:`~monnaie_locale.operations.payouts`      batches validated, exported, paid
* :mod:`~monnaie_locale.operations.notes`        paper notes from printing to destruction
* :mod:`~monnaie_locale.operations.offices`      till closings and banking
* :mod:`~monnaie_locale.operations.funds`        the association's own euros
* :mod:`~monnaie_locale.operations.membership`   membership fees, who is up to date
* :mod:`~monnaie_locale.operations.bank_costs`   bank and card fees, interest
* :mod:`~monnaie_locale.operations.surplus`      fees held and surplus moved to operating
* :mod:`~monnaie_locale.operations.gifts`        donations and grants, in euros or units
* :mod:`~monnaie_locale.operations.leaving`      a holder who left or died: settle, close
* :mod:`~monnaie_locale.operations.write_offs`   note series lost for good, written off
* :mod:`~monnaie_locale.operations.reversals`    conversions reversed or charged back
* :mod:`~monnaie_locale.operations.reconciliation` bank statements matched to the books
* :mod:`~monnaie_locale.operations.bank_accounts`  the association's bank accounts
* :mod:`~monnaie_locale.operations.bank_reconciliation` a statement beside its ledger account
* :mod:`~monnaie_locale.operations.account_opening` who may open which account
* :mod:`~monnaie_locale.operations.account_import`  members and businesses from a CSV
"""
