"""Benchmarks of the ledger core, run on demand as ``python -m bench.<name>``.

Each benchmark prints its figures as ratios to a baseline measured in the same run, so
the results stay comparable on a machine whose absolute speed drifts.
"""
