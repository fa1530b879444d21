"""The acts of the currency, one function per act, grouped by feature.

Each takes a :class:`~monnaie_locale.acting.Context` (database, rules, clock, actor),
checks who may do it, owns its transaction and returns a value; each module's docstring
lists its acts and who may do each. The API, the CLI and the pages call these and nothing
below them.

* :mod:`~monnaie_locale.acts.transfers`  transfers, holds and reversals between holders
* :mod:`~monnaie_locale.acts.checkout`  the QR checkout: payment requests, payments, refunds
  (and :mod:`~monnaie_locale.acts.webhooks`, where a shop's server hears of them)
"""
