"""Local authorities in the currency: régies de recettes, conventions, quittances,
versements, mandates and what the public accountant receives.

An authority (a town, an intercommunality, a department) collects the local unit through
its régies de recettes: each collects into an account of its own, gives a numbered
quittance for every payment and pays in (the versement) what it collected, reconverted
under the authority's convention with the association, to the public accountant. Where
its convention allows, the authority also spends from an account of its own, each
payment proposed by the ordonnateur's side and approved by the public accountant's.

:mod:`registry` holds the authorities, their régies, tariffs and conventions;
:mod:`duties` who works for which; :mod:`quittances` the receipts' numbering;
:mod:`versements` paying in (and :mod:`remittance`, what the transfer to the Trésor says);
:mod:`etat` the état de versement, written by :mod:`etat_files` as CSV and PDF;
:mod:`year_statement` what the public accountant receives each year, per régie and per
authority account, written by :mod:`year_statement_csv` and :mod:`year_statement_pdf`
(:mod:`year_statement_text` holds the labels and tables the PDF and the command line share).
"""
