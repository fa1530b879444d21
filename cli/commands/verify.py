"""``mlc verify``: the offline verifier from the association's command line.

The same checks as ``python -m monnaie_locale.verify`` (:mod:`monnaie_locale.verify.command`),
given files only: no database, no settings, no network. Each subcommand passes its
arguments to the verifier's ``main``, whose lines (English, as the verifier stands alone
with no catalogue) are followed by a verdict in the run's language; the exit codes are the
verifier's, which are mlc's too: 0 holds, 1 a discrepancy, 2 bad usage.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import run_context
from cli.errors import Discrepancy, UsageProblem

__all__ = ["register"]

group = typer.Typer(
    help="Check signed checkpoints, proofs and a journal export offline, with files only."
    "\n\n[b]Example:[/b] mlc verify checkpoint checkpoint.note --keys keys.json",
    no_args_is_help=True,
)

KeyOption = Annotated[
    list[str] | None,
    typer.Option("--key", help="A verifier key, name+id+base64 (repeatable)."),
]
KeysOption = Annotated[
    list[str] | None,
    typer.Option(
        "--keys", help="A file of verifier keys: one a line, or GET /v1/transparency/keys's JSON."
    ),
]
NoteArgument = Annotated[str, typer.Argument(help="A signed checkpoint file.")]
ProofOption = Annotated[str, typer.Option("--proof", help="The proof, as JSON.")]

_EX = "[b]Exemple :[/b] mlc verify "
_KEY = "Une clé de vérification, nom+id+base64 (répétable) : celle du journal, celles des témoins."
_KEYS = (
    "Un fichier de clés de vérification : une par ligne, ou le JSON de GET /v1/transparency/keys."
)
_NOTE = "Un point de contrôle signé (fichier)."
FRENCH_HELP: dict[str, str] = {
    "verify": "Vérifie hors ligne, avec des fichiers seulement, les points de contrôle signés, "
    f"les preuves et un export du journal.\n\n{_EX}checkpoint checkpoint.note --keys keys.json",
    "verify checkpoint": "La signature et le format de chaque point de contrôle, ses totaux, "
    "la circulation au plus égale à la réserve, la somme des soldes des détenteurs ; entre "
    "plusieurs points de contrôle d'un même journal, deux de même taille aux racines "
    f"différentes sont une bifurcation.\n\n{_EX}checkpoint a.note b.note --keys keys.json",
    "verify checkpoint NOTES": "Les points de contrôle signés (fichiers).",
    "verify consistency": "Le plus récent des deux points de contrôle prolonge l'ancien sans "
    f"rien en changer (RFC 9162).\n\n{_EX}consistency ancien.note "
    "nouveau.note --proof coherence.json --keys keys.json",
    "verify consistency OLD": "L'ancien point de contrôle signé.",
    "verify consistency NEW": "Le nouveau point de contrôle signé.",
    "verify consistency --proof": "La preuve de cohérence (JSON).",
    "verify inclusion": "Une écriture du journal est dans le point de contrôle : son empreinte "
    f"recalculée depuis son contenu, son chemin jusqu'à la racine.\n\n{_EX}inclusion "
    "checkpoint.note --proof inclusion.json --keys keys.json",
    "verify inclusion NOTE": _NOTE,
    "verify inclusion --proof": "La preuve d'inclusion (JSON).",
    "verify journal": "Rejoue l'export journal.jsonl : l'empreinte de chaque écriture, la "
    "chaîne, la suite des numéros, la racine de Merkle à la taille de chaque point de "
    "contrôle, les écritures laissées hors d'un point de contrôle.\n\n"
    f"{_EX}journal journal.jsonl a.note b.note --keys keys.json",
    "verify journal EXPORT": "L'export du journal, journal.jsonl.",
    "verify journal NOTES": "Les points de contrôle signés qu'un témoin a gardés.",
    "verify liability": "Le solde d'un détenteur est compté dans le point de contrôle : ses "
    "feuilles mènent à la racine de l'arbre des sommes et à son total.\n\n"
    f"{_EX}liability checkpoint.note --proof alice.json --account alice --keys keys.json",
    "verify liability NOTE": _NOTE,
    "verify liability --proof": "La preuve de passif du détenteur (JSON).",
    "verify liability --account": "Le code du compte, par exemple alice.",
    "verify reserve": "Le relevé de la banque est le document de la réserve du point de "
    "contrôle (son SHA-256, et le solde de clôture d'un camt.053), et la circulation ne "
    f"dépasse pas la réserve.\n\n{_EX}reserve checkpoint.note --statement releve.xml "
    "--keys keys.json",
    "verify reserve NOTE": _NOTE,
    "verify reserve --statement": "Le fichier de la banque, tel qu'elle l'a envoyé.",
}
for _command in ("checkpoint", "consistency", "inclusion", "journal", "liability", "reserve"):
    FRENCH_HELP[f"verify {_command} --key"] = _KEY
    FRENCH_HELP[f"verify {_command} --keys"] = _KEYS


def register(app: typer.Typer) -> None:
    from cli import help_fr

    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="verify")


def _run(
    ctx: typer.Context, argv: list[str], key: list[str] | None, keys: list[str] | None
) -> None:
    """Run the verifier on ``argv`` and the keys; its code becomes mlc's."""
    from monnaie_locale.verify.command import main

    run = run_context(ctx)
    for one in key or ():
        argv += ["--key", one]
    for one in keys or ():
        argv += ["--keys", one]
    code = main(argv)
    if code == 1:
        raise Discrepancy(run.messages("verify.failed"))
    if code != 0:
        raise UsageProblem(run.messages("verify.usage"))
    run.out.print(run.messages("verify.holds"))


@group.command()
def checkpoint(
    ctx: typer.Context,
    notes: Annotated[list[str], typer.Argument(help="Signed checkpoint files.")],
    key: KeyOption = None,
    keys: KeysOption = None,
) -> None:
    """Each checkpoint's signature and format, its totals, circulation within the reserve,
    the holders' sum; among several checkpoints of one log, two of one size with different
    roots are a fork.

    [b]Example:[/b] mlc verify checkpoint a.note b.note --keys keys.json
    """
    _run(ctx, ["checkpoint", *notes], key, keys)


@group.command()
def consistency(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="The older signed checkpoint.")],
    new: Annotated[str, typer.Argument(help="The newer signed checkpoint.")],
    proof: ProofOption,
    key: KeyOption = None,
    keys: KeysOption = None,
) -> None:
    """The newer checkpoint's tree holds the older one's entries unchanged (RFC 9162).

    [b]Example:[/b] mlc verify consistency old.note new.note --proof consistency.json
    --keys keys.json
    """
    _run(ctx, ["consistency", old, new, "--proof", proof], key, keys)


@group.command()
def inclusion(
    ctx: typer.Context,
    note: NoteArgument,
    proof: ProofOption,
    key: KeyOption = None,
    keys: KeysOption = None,
) -> None:
    """A journal entry is in the checkpoint: its hash recomputed from its content, its path
    to the root.

    [b]Example:[/b] mlc verify inclusion checkpoint.note --proof inclusion.json --keys keys.json
    """
    _run(ctx, ["inclusion", note, "--proof", proof], key, keys)


@group.command()
def journal(
    ctx: typer.Context,
    export: Annotated[str, typer.Argument(help="The journal export, journal.jsonl.")],
    notes: Annotated[list[str], typer.Argument(help="Signed checkpoints a witness kept.")],
    key: KeyOption = None,
    keys: KeysOption = None,
) -> None:
    """Replay journal.jsonl: every entry's hash, the chain, the sequence, the Merkle root at
    each checkpoint's size, entries left out of a checkpoint.

    [b]Example:[/b] mlc verify journal journal.jsonl a.note b.note --keys keys.json
    """
    _run(ctx, ["journal", export, *notes], key, keys)


@group.command()
def liability(
    ctx: typer.Context,
    note: NoteArgument,
    proof: Annotated[str, typer.Option("--proof", help="The holder's liability proof (JSON).")],
    account: Annotated[str, typer.Option("--account", help="The account's code, e.g. alice.")],
    key: KeyOption = None,
    keys: KeysOption = None,
) -> None:
    """A holder's balance is counted in the checkpoint: their leaves lead to the sum tree's
    root and total.

    [b]Example:[/b] mlc verify liability checkpoint.note --proof alice.json --account alice
    --keys keys.json
    """
    _run(ctx, ["liability", note, "--proof", proof, "--account", account], key, keys)


@group.command()
def reserve(
    ctx: typer.Context,
    note: NoteArgument,
    statement: Annotated[
        str, typer.Option("--statement", help="The bank's file, as the bank sent it.")
    ],
    key: KeyOption = None,
    keys: KeysOption = None,
) -> None:
    """The bank's statement is the checkpoint's reserve document (its SHA-256, and a
    camt.053's closing balance), and circulation does not exceed the reserve.

    [b]Example:[/b] mlc verify reserve checkpoint.note --statement statement.xml
    --keys keys.json
    """
    _run(ctx, ["reserve", note, "--statement", statement], key, keys)
