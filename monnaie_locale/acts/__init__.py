"""The acts of the currency, one function per act, grouped by feature.

Each takes a :class:`~monnaie_locale.acting.Context` (database, rules, clock, actor),
checks who may do it, owns its transaction and returns a value; each module's docstring
lists its acts and who may do each. The API, the CLI and the pages call these and nothing
below them.

* :mod:`~monnaie_locale.acts.transfers`  transfers, holds and reversals between holders
* :mod:`~monnaie_locale.acts.accounts`   opening, reading, freezing and closing accounts
* :mod:`~monnaie_locale.acts.users`      users, their roles and accounts; the first administrator
* :mod:`~monnaie_locale.acts.sessions`   signing in and out, changing one's own password
* :mod:`~monnaie_locale.acts.api_keys`   terminals' API keys
"""
