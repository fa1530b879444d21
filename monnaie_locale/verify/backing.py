"""A holder's balance counted, and the reserve's bank statement, checked against a checkpoint.

* A liability proof (``GET /v1/transparency/liabilities/proof``) is checked with
  :func:`monnaie_locale.verify.sumtree.verify_proof` against the root and sum of the
  checkpoint's ``liabilities`` line, never against what the proof says of itself; that sum
  must be the checkpoint's digital circulation.
* A bank statement (the file the bank sent) is checked with
  :func:`monnaie_locale.verify.reserve.check_statement`, and the checkpoint's coverage with
  :func:`~monnaie_locale.verify.reserve.coverage`; what
  :func:`~monnaie_locale.verify.reserve.information` says is shown, and never fails.
"""

from __future__ import annotations

from typing import Any

from monnaie_locale.verify import reserve, sumtree
from monnaie_locale.verify.report import Report
from monnaie_locale.verify.signed import Opened, check_liabilities_sum

__all__ = ["check_liability", "check_reserve"]


def check_liability(opened: Opened, proof: Any, name: str, account: str, report: Report) -> None:
    """Whether ``account``'s leaves in ``proof`` (file ``name``) are counted in ``opened``."""
    cp = opened.checkpoint
    if cp.liabilities_root is None or cp.liabilities_sum is None:
        report.problem(f"{opened.name} carries no liabilities line: no proof can be checked")
        return
    check_liabilities_sum(opened, report)
    if isinstance(proof, dict) and proof.get("tree_size") != cp.size:
        report.problem(
            f"{name}: the proof is for the checkpoint of size {proof.get('tree_size')!r},"
            f" {opened.label} is another"
        )
        return
    problems = sumtree.verify_proof(
        proof, account=account, root=cp.liabilities_root, total=cp.liabilities_sum
    )
    for problem in problems:
        report.problem(f"{name}: {problem}")
    if not problems:
        leaves = len(proof["leaves"])
        report.say(
            f"{account}: a balance of {sumtree.balance(proof)} in {leaves} leaves, counted in"
            f" the {cp.liabilities_sum} of {opened.label}"
        )


def check_reserve(opened: Opened, content: bytes, name: str, report: Report) -> None:
    """Whether the bank's file ``content`` (file ``name``) is the checkpoint's document."""
    cp = opened.checkpoint
    problems = reserve.check_statement(cp, content)
    for problem in problems:
        report.problem(f"{name}: {problem}")
    if not problems:
        report.say(f"{name}: the statement {opened.label} rests on")
    for problem in reserve.coverage(cp):
        report.problem(f"{opened.name}: {problem}")
    for line in reserve.information(cp, content):
        report.say(f"  {line}")
