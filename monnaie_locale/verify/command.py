"""``python -m monnaie_locale.verify``: the offline verifier's command line.

Each subcommand is given files only (what the service publishes, what a witness kept)
and the log's verifier key; it needs no database, no network and no other package than
``cryptography``. It writes what holds and each problem on a line of its own, and exits
0 when everything holds, 1 when something does not, 2 for bad usage
(:mod:`~monnaie_locale.verify.report`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from monnaie_locale.verify.backing import check_liability, check_reserve
from monnaie_locale.verify.files import load_keys, read_bytes, read_json
from monnaie_locale.verify.note import NoteKey
from monnaie_locale.verify.proofs import check_consistency, check_inclusion
from monnaie_locale.verify.replay import replay_export
from monnaie_locale.verify.report import USAGE, Report, UsageError
from monnaie_locale.verify.signed import (
    Opened,
    check_history,
    check_totals,
    describe,
    open_checkpoint,
)

__all__ = ["main", "parser"]

Run = Callable[[argparse.Namespace, list[NoteKey], Report], None]


def _open_all(paths: Sequence[str], keys: list[NoteKey], report: Report) -> list[Opened]:
    opened = [open_checkpoint(path, read_bytes(path), keys, report) for path in paths]
    return [one for one in opened if one is not None]


def _checkpoint(args: argparse.Namespace, keys: list[NoteKey], report: Report) -> None:
    opened = []
    for path in args.notes:
        one = open_checkpoint(path, read_bytes(path), keys, report)
        if one is not None:
            describe(one, report)
            check_totals(one, report)
            opened.append(one)
    check_history(opened, report)


def _consistency(args: argparse.Namespace, keys: list[NoteKey], report: Report) -> None:
    old, new = _open_all([args.old], keys, report), _open_all([args.new], keys, report)
    proof, why = read_json(args.proof)
    if why is not None:
        report.problem(why)
    elif old and new:
        check_consistency(old[0], new[0], proof, args.proof, report)


def _inclusion(args: argparse.Namespace, keys: list[NoteKey], report: Report) -> None:
    opened = _open_all([args.note], keys, report)
    proof, why = read_json(args.proof)
    if why is not None:
        report.problem(why)
    elif opened:
        check_inclusion(opened[0], proof, args.proof, report)


def _journal(args: argparse.Namespace, keys: list[NoteKey], report: Report) -> None:
    opened = _open_all(args.notes, keys, report)
    check_history(opened, report)
    replay_export(args.export, opened, report)


def _liability(args: argparse.Namespace, keys: list[NoteKey], report: Report) -> None:
    opened = _open_all([args.note], keys, report)
    proof, why = read_json(args.proof)
    if why is not None:
        report.problem(why)
    elif opened:
        check_liability(opened[0], proof, args.proof, args.account, report)


def _reserve(args: argparse.Namespace, keys: list[NoteKey], report: Report) -> None:
    opened = _open_all([args.note], keys, report)
    content = read_bytes(args.statement)
    if opened:
        check_reserve(opened[0], content, args.statement, report)


def parser() -> argparse.ArgumentParser:
    """The command line's arguments."""
    keys = argparse.ArgumentParser(add_help=False)
    keys.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="VKEY",
        help="a verifier key, name+id+base64 (repeatable): the log's, and witnesses'",
    )
    keys.add_argument(
        "--keys",
        action="append",
        default=[],
        metavar="FILE",
        help="a file of verifier keys, one a line or GET /v1/transparency/keys's JSON",
    )
    top = argparse.ArgumentParser(
        prog="python -m monnaie_locale.verify",
        description="Check a monnaie-locale ledger's signed checkpoints, proofs and journal"
        " export, offline. Exits 0 when everything holds, 1 when something does not.",
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    one = sub.add_parser(
        "checkpoint",
        parents=[keys],
        help="a checkpoint's signature and totals; forks among several",
        description="Verify each checkpoint's signature and format, print its totals, check"
        " circulation <= reserve and the holders' sum; with several checkpoints of one log,"
        " any two of one size with different roots are a fork.",
    )
    one.add_argument("notes", nargs="+", metavar="NOTE", help="a signed checkpoint file")
    one.set_defaults(run=_checkpoint)
    one = sub.add_parser(
        "consistency",
        parents=[keys],
        help="a newer checkpoint extends an older one",
        description="Verify that NEW's tree holds OLD's entries unchanged (RFC 9162).",
    )
    one.add_argument("old", metavar="OLD", help="the older signed checkpoint")
    one.add_argument("new", metavar="NEW", help="the newer signed checkpoint")
    one.add_argument("--proof", required=True, metavar="FILE", help="the consistency proof")
    one.set_defaults(run=_consistency)
    one = sub.add_parser(
        "inclusion",
        parents=[keys],
        help="a journal entry is in a checkpoint",
        description="Recompute an entry's hash from its content and verify its path to the"
        " checkpoint's root (RFC 9162).",
    )
    one.add_argument("note", metavar="NOTE", help="the signed checkpoint")
    one.add_argument("--proof", required=True, metavar="FILE", help="the inclusion proof")
    one.set_defaults(run=_inclusion)
    one = sub.add_parser(
        "journal",
        parents=[keys],
        help="replay a journal export against checkpoints",
        description="Replay journal.jsonl: every entry's hash, the chain, the sequence, the"
        " Merkle root at each checkpoint's size, entries left out of a checkpoint.",
    )
    one.add_argument("export", metavar="EXPORT", help="the journal export, journal.jsonl")
    one.add_argument("notes", nargs="+", metavar="NOTE", help="signed checkpoints a witness kept")
    one.set_defaults(run=_journal)
    one = sub.add_parser(
        "liability",
        parents=[keys],
        help="a holder's balance is counted in a checkpoint",
        description="Verify a liability proof's leaves against the checkpoint's liabilities"
        " root and sum (Merkle sum tree), and that sum against the digital circulation.",
    )
    one.add_argument("note", metavar="NOTE", help="the signed checkpoint")
    one.add_argument("--proof", required=True, metavar="FILE", help="the liability proof")
    one.add_argument("--account", required=True, metavar="CODE", help="the account it is for")
    one.set_defaults(run=_liability)
    one = sub.add_parser(
        "reserve",
        parents=[keys],
        help="the bank's statement is the checkpoint's reserve document",
        description="Verify that the bank's file is a statement the checkpoint carries (its"
        " SHA-256, and a camt.053's closing balance), and circulation <= reserve.",
    )
    one.add_argument("note", metavar="NOTE", help="the signed checkpoint")
    one.add_argument(
        "--statement", required=True, metavar="FILE", help="the bank's file, as the bank sent it"
    )
    one.set_defaults(run=_reserve)
    return top


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the verifier on ``argv``; the exit code."""
    stream = sys.stdout if out is None else out
    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:  # argparse's own refusal, already written to stderr
        return int(exit_.code or 0) if not isinstance(exit_.code, str) else USAGE
    report = Report(stream)
    try:
        keys = load_keys(args.key, args.keys)
        run: Run = args.run
        run(args, keys, report)
    except UsageError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return USAGE
    return report.close()
