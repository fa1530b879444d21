"""The acts of the currency, one function per act, grouped by feature.

Each takes a :class:`~monnaie_locale.acting.Context` (database, rules, clock, actor),
checks who may do it, owns its transaction and returns a value; each module's docstring
lists its acts and who may do each. The API, the CLI and the pages call these and nothing
below them.

* :mod:`~monnaie_locale.acts.transfers`  transfers, holds and reversals between holders
* :mod:`~monnaie_locale.acts.conversions`  euros into units: transfer orders, card, cash
* :mod:`~monnaie_locale.acts.reconversions`  units back into euros: requests, payout batches
* :mod:`~monnaie_locale.acts.notes`  paper notes, from printing to destruction
* :mod:`~monnaie_locale.acts.offices`  exchange offices: tills, and their cash at the bank
* :mod:`~monnaie_locale.acts.membership`  membership fees, and who is up to date
* :mod:`~monnaie_locale.acts.rules`  the currency's rules: in force on a day, history, changes
* :mod:`~monnaie_locale.acts.reserve`  the reserve report, bank statements, the
  association's own euros
* :mod:`~monnaie_locale.acts.books`  the association's other flows: bank fees and interest,
  its own money, donations and grants, closures, notes written off, conversions taken back
* :mod:`~monnaie_locale.acts.accounts`   opening, reading, freezing and closing accounts
* :mod:`~monnaie_locale.acts.users`      users, their roles and accounts; the first administrator
* :mod:`~monnaie_locale.acts.sessions`   signing in and out, acting as a named user (the
  command line), changing one's own password
* :mod:`~monnaie_locale.acts.passkeys`   passkeys: registering one's own, signing in with one
* :mod:`~monnaie_locale.acts.api_keys`   terminals' API keys
* :mod:`~monnaie_locale.acts.audit`      the journal sealed and verified
* :mod:`~monnaie_locale.acts.exports`    the FEC and the plain-text journal
* :mod:`~monnaie_locale.acts.chart`      the chart of accounts, income statement and
  balance sheet
* :mod:`~monnaie_locale.acts.periods`    the closing checklist, closing a period
* :mod:`~monnaie_locale.acts.jobs`       the service's scheduled jobs, listed and run by hand
* :mod:`~monnaie_locale.acts.demo`       the demonstration deployment (set-up, no actor)
* :mod:`~monnaie_locale.acts.checkout`  the QR checkout: payment requests, payments, refunds
  (and :mod:`~monnaie_locale.acts.webhooks`, where a shop's server hears of them)
* :mod:`~monnaie_locale.acts.cashiers`  a shop's cashiers, managed by the shop's owner
* :mod:`~monnaie_locale.acts.takings`   a shop's takings by day and month
* :mod:`~monnaie_locale.acts.mandates`  a local authority's spending: mandates proposed by
  its ordonnateur, paid by its comptable
* :mod:`~monnaie_locale.acts.dashboard` the association's dashboard: coverage now and over
  time, the months' flows, what waits for someone
* :mod:`~monnaie_locale.acts.authorities` local authorities: their régies, conventions,
  tariffs and who works there
* :mod:`~monnaie_locale.acts.regie_counter` a régie's counter: sales paid by QR, with a
  part in euros, and the signed quittances every payment into a régie gets
* :mod:`~monnaie_locale.acts.versements` a régie's versements and their états
* :mod:`~monnaie_locale.acts.authority_statements` what the public accountant receives: a
  régie's or an authority account's statement of a year
* :mod:`~monnaie_locale.acts.liabilities` proofs of liabilities: a holder's balance counted
  in a checkpoint's sum tree, and the wallet's page that checks it
"""
