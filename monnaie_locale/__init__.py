"""monnaie-locale: the core of a ledger for local complementary currencies.

The core knows nothing of HTTP or of the command line: ``api/`` and ``cli/`` call it.
"""
