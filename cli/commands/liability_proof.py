"""``mlc liability-proof``: the proof that an account's balance is counted in a checkpoint.

Written as JSON to a file (or printed), in the format the offline verifier reads:
``python -m monnaie_locale.verify liability CHECKPOINT --proof FILE --account CODE``. A
holder asks for an account they hold; the association and its auditors for any. The
proof holds the holder's salts, their secret for that checkpoint: it is theirs to keep.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli import help_fr
from cli.commands.options import EXEMPLE
from cli.context import run_context
from cli.lazy import lazy
from cli.output import print_json
from monnaie_locale.money import format_amount

if TYPE_CHECKING:
    from monnaie_locale.acts import liabilities
    from monnaie_locale.verify import sumtree
else:
    liabilities = lazy("monnaie_locale.acts.liabilities")
    sumtree = lazy("monnaie_locale.verify.sumtree")

__all__ = ["register"]

FRENCH_HELP: dict[str, str] = {
    "liability-proof": (
        "La preuve que le solde d'un compte est compté dans un point de contrôle.\n\n"
        "Ses feuilles dans l'arbre des soldes du point de contrôle (un solde y est réparti "
        "en une à quatre), chacune avec son sel et son chemin, en JSON : le format que lit "
        "le vérificateur hors ligne (python -m monnaie_locale.verify liability). Le sel est "
        "le secret du titulaire pour ce point de contrôle : gardez la preuve pour vous."
        f"\n\n{EXEMPLE}mlc --as alice liability-proof --account alice --out preuve.json"
    ),
    "liability-proof --account": "Le compte, par exemple alice.",
    "liability-proof --checkpoint": "Le numéro du point de contrôle (par défaut : le dernier).",
    "liability-proof --out": "Le fichier JSON à écrire (par défaut : la sortie standard).",
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.command(name="liability-proof")(liability_proof)


def liability_proof(
    ctx: typer.Context,
    account: Annotated[str, typer.Option("--account", help="The account, e.g. alice.")],
    checkpoint: Annotated[
        int | None,
        typer.Option("--checkpoint", min=1, help="The checkpoint's number (default: the latest)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="The JSON file to write (default: stdout).")
    ] = None,
) -> None:
    """The proof that an account's balance is counted in a checkpoint.

    Its leaves in the checkpoint's sum tree (a balance is split over one to four), each
    with its salt and its path, as JSON: the format the offline verifier reads (python -m
    monnaie_locale.verify liability). The salt is the holder's secret for that
    checkpoint: keep the proof to yourself.

    [b]Example:[/b] mlc --as alice liability-proof --account alice --out proof.json
    """
    run = run_context(ctx)
    proof = liabilities.liability_proof(run.context(), account, checkpoint=checkpoint)
    if out is None:
        print_json(proof)
        return
    out.write_text(json.dumps(proof, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    shown = format_amount(sumtree.balance(proof), decimal_separator=run.messages.decimal_separator)
    run.out.print(
        run.messages(
            "liability_proof.written",
            account=account,
            checkpoint=proof["checkpoint_id"],
            leaves=len(proof["leaves"]),
            balance=shown,
            path=out,
        ),
        markup=False,
    )
