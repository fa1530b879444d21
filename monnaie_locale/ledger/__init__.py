"""The posting engine: accounts, balanced transactions, holds, reversals, history.

Every function here works on a connection inside a transaction its caller owns
(``database.write``), so an act can post and record its own rows in one commit. The
product posts through :mod:`monnaie_locale.acts`, which check who may do what first;
:mod:`monnaie_locale.ledger.service` holds the idempotent building blocks they call.
"""
