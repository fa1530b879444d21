"""The offline verifier: what anyone can check with files, without the database or the service.

It depends on the standard library and ``cryptography`` only, so an outsider installs that
one package and runs ``python -m monnaie_locale.verify`` (or ``mlc verify``). The service
computes its hashes and formats with these same modules.

* :mod:`~monnaie_locale.verify.merkle`: RFC 6962 trees, inclusion and consistency proofs;
* :mod:`~monnaie_locale.verify.note`: C2SP signed notes and witness cosignatures;
* :mod:`~monnaie_locale.verify.checkpoint`: the checkpoint's text and the totals it attests;
* :mod:`~monnaie_locale.verify.sumtree`: the holders' Merkle sum tree and its proofs;
* :mod:`~monnaie_locale.verify.reserve`: a bank statement's file against a checkpoint's
  statement lines, and the coverage the checkpoint attests.

The command line (:mod:`~monnaie_locale.verify.command`) puts them to work on files:
:mod:`~monnaie_locale.verify.signed` opens checkpoints and looks for forks,
:mod:`~monnaie_locale.verify.proofs` checks consistency and inclusion proofs,
:mod:`~monnaie_locale.verify.replay` replays a journal export
(:mod:`~monnaie_locale.verify.entries`: one entry alone),
:mod:`~monnaie_locale.verify.backing` checks liability proofs and bank statements, and
:mod:`~monnaie_locale.verify.report` writes what it found.
"""
