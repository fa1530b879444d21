"""``mlc transparency``: the published log, as files anyone can check.

``checkpoint`` extends the journal's tree and signs a checkpoint now, with the key the
settings name (the service's). ``latest`` and ``list`` read the checkpoints, ``keys``
prints the verifier keys to pin, ``proof`` writes an inclusion or a consistency proof,
``export`` writes a folder for the offline verifier: the latest checkpoint
(``checkpoint.note``) and the journal (``journal.jsonl``). ``alarms`` lists what proved
the log was not kept append-only, ``acknowledge`` says one was read. Each is an act of
:mod:`monnaie_locale.acts.transparency`: reading checkpoints, keys and consistency proofs
is public (no ``--as``); the others check who asks. ``liability-proof`` writes a holder's
proof of liabilities (:mod:`cli.commands.liability_proof`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from cli import help_fr
from cli.commands import liability_proof
from cli.commands.keys import explained_key_problems, service_settings
from cli.commands.options import EXAMPLE, EXEMPLE, JsonOption
from cli.context import RunContext, run_context
from cli.errors import UsageProblem
from cli.lazy import lazy
from cli.output import print_json, progress_bar

if TYPE_CHECKING:
    from monnaie_locale import signing_keys
    from monnaie_locale.acts import transparency as acts
    from monnaie_locale.acts import witnesses as witnessing
else:
    acts = lazy("monnaie_locale.acts.transparency")
    witnessing = lazy("monnaie_locale.acts.witnesses")
    signing_keys = lazy("monnaie_locale.signing_keys")

__all__ = ["register"]

group = typer.Typer(
    help=(
        "The published log: signed checkpoints, proofs, the journal's export, alarms.\n\n"
        f"{EXAMPLE}mlc transparency export --out verification/"
    ),
    no_args_is_help=True,
)
proof = typer.Typer(
    help=(
        "Proofs from the journal's tree, as JSON files the offline verifier reads.\n\n"
        f"{EXAMPLE}mlc transparency proof consistency --first 1200 --second 1340"
    ),
    no_args_is_help=True,
)
group.add_typer(proof, name="proof")

OutFile = Annotated[
    Path | None, typer.Option("--out", help="The file to write; default: standard output.")
]

# The French help of these commands, merged into cli.help_fr's table on registration.
FRENCH_HELP: dict[str, str] = {
    "transparency": (
        "Le journal publié\u00a0: points de contrôle signés, preuves, export du journal, "
        f"alarmes.\n\n{EXEMPLE}mlc transparency export --out verification/"
    ),
    "transparency checkpoint": (
        "Étend l'arbre du journal et signe un point de contrôle maintenant, qu'il soit dû "
        "ou non, avec la clé du service (MLC_SIGNING_KEY_FILE)\u00a0; affiche la note signée."
        f"\n\n{EXEMPLE}mlc --as marie transparency checkpoint"
    ),
    "transparency latest": (
        "Affiche le dernier point de contrôle\u00a0: la note signée, avec les cosignatures "
        f"des témoins.\n\n{EXEMPLE}mlc transparency latest --out checkpoint.note"
    ),
    "transparency latest --out": "Le fichier à écrire (par défaut\u00a0: la sortie standard).",
    "transparency witnesses": (
        "Les témoins enregistrés et leurs clés de vérification, du plus ancien au plus "
        f"récent (public).\n\n{EXEMPLE}mlc transparency witnesses"
    ),
    "transparency add-witness": (
        "Enregistre un témoin par la clé de vérification qu'il a donnée\u00a0: ses "
        "cosignatures sont alors gardées et publiées avec les points de contrôle."
        f"\n\n{EXEMPLE}mlc --as marie transparency add-witness mairie-bayonne "
        "'mairie-bayonne+8012e2bd+BAOh...'"
    ),
    "transparency add-witness NAME": "Le nom du témoin, tel que mlc witness init l'a donné.",
    "transparency add-witness VKEY": "La clé de vérification que mlc witness init a affichée.",
    "transparency list": (
        "Liste les points de contrôle, du plus récent au plus ancien\u00a0: taille de l'arbre, "
        f"date, cosignatures.\n\n{EXEMPLE}mlc transparency list --limit 5"
    ),
    "transparency list --limit": "Combien au plus (100 au plus).",
    "transparency keys": (
        "Affiche les clés de vérification des points de contrôle, une par ligne\u00a0: la "
        "clé active, puis celles qu'une rotation a retirées. À épingler par les témoins et "
        f"les vérificateurs.\n\n{EXEMPLE}mlc transparency keys > cles.txt"
    ),
    "transparency export": (
        "Écrit dans un dossier ce que le vérificateur hors ligne lit\u00a0: le dernier point "
        "de contrôle (checkpoint.note), puis le journal (journal.jsonl, une entrée par "
        f"ligne).\n\n{EXEMPLE}mlc --as audit transparency export --out verification/"
    ),
    "transparency export --out": "Le dossier où écrire (créé s'il n'existe pas).",
    "transparency export --upto": "S'arrête à cette entrée (la taille d'un point de contrôle).",
    "transparency proof": (
        "Preuves tirées de l'arbre du journal, en JSON, que le vérificateur hors ligne lit."
        f"\n\n{EXEMPLE}mlc transparency proof consistency --first 1200 --second 1340"
    ),
    "transparency proof inclusion": (
        "La preuve qu'une entrée du journal est dans l'arbre d'une taille donnée, avec "
        "l'entrée elle-même. Un adhérent ou un commerçant n'obtient que les entrées qui "
        f"touchent ses comptes.\n\n{EXEMPLE}mlc --as alice transparency proof inclusion "
        "--seq 41 --size 1340 --out preuve.json"
    ),
    "transparency proof inclusion --seq": "Le numéro de l'entrée du journal.",
    "transparency proof inclusion --size": "La taille de l'arbre (celle d'un point de contrôle).",
    "transparency proof inclusion --out": (
        "Le fichier à écrire (par défaut\u00a0: la sortie standard)."
    ),
    "transparency proof consistency": (
        "La preuve que l'arbre de FIRST entrées est le début de celui de SECOND\u00a0: "
        "l'historique entre deux points de contrôle n'a pas été réécrit."
        f"\n\n{EXEMPLE}mlc transparency proof consistency --first 1200 --second 1340"
    ),
    "transparency proof consistency --first": "La taille du plus ancien.",
    "transparency proof consistency --second": "La taille du plus récent.",
    "transparency proof consistency --out": (
        "Le fichier à écrire (par défaut\u00a0: la sortie standard)."
    ),
    "transparency alarms": (
        "Les alarmes de transparence, de la plus récente à la plus ancienne\u00a0: une entrée "
        "refusée par l'arbre, un point de contrôle que l'arbre ne contient plus, une "
        f"bifurcation signalée par un témoin.\n\n{EXEMPLE}mlc --as audit transparency alarms"
    ),
    "transparency alarms --unread": "Seulement celles que personne n'a encore lues.",
    "transparency acknowledge": (
        "Indique qu'une alarme a été lue\u00a0: elle quitte la liste «\u00a0À traiter\u00a0» "
        f"du tableau de bord et reste dans le journal des alarmes.\n\n{EXEMPLE}"
        "mlc --as marie transparency acknowledge 3"
    ),
    "transparency acknowledge ALARM_ID": (
        "Le numéro de l'alarme (voir «\u00a0mlc transparency alarms\u00a0»)."
    ),
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    liability_proof.register(group)
    app.add_typer(group, name="transparency")


def _origin(run: RunContext) -> str:
    settings = service_settings(run)
    return acts.origin_of(settings.public_host, settings.deployment_name)


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """A file to write beside ``path``, renamed to it at the end: never half a file."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _write_or_print(run: RunContext, text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=False)
        return
    with _replacing(out) as partial:
        partial.write_text(text, encoding="utf-8")
    run.err.print(run.messages("transparency.written", path=out), markup=False)


def _json_text(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@group.command()
def checkpoint(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Extend the journal's tree and sign a checkpoint now, due or not; print its note.

    Signed with the service's key (MLC_SIGNING_KEY_FILE): without it, refused.

    [b]Example:[/b] mlc --as marie transparency checkpoint
    """
    run = run_context(ctx)
    acting = run.context()
    publisher = None
    if acting.signing is not None:
        publisher = acts.Publisher(_origin(run), acting.signing.keyring)
    made = acts.make_checkpoint(acting, publisher=publisher)
    if as_json:
        print_json({"id": made.id, "tree_size": made.checkpoint.size, "note": made.note})
        return
    typer.echo(made.note, nl=False)


@group.command()
def latest(ctx: typer.Context, out: OutFile = None) -> None:
    """Print the latest checkpoint: its signed note, with the witnesses' cosignatures.

    [b]Example:[/b] mlc transparency latest --out checkpoint.note
    """
    run = run_context(ctx)
    _write_or_print(run, acts.latest_checkpoint(run.database()).note, out)


@group.command("list")
def list_command(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100, help="How many at most.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """List the checkpoints, newest first: tree size, when, cosignatures.

    [b]Example:[/b] mlc transparency list --limit 5
    """
    run = run_context(ctx)
    found = acts.list_checkpoints(run.database(), limit=limit)
    if as_json:
        print_json(
            {
                "checkpoints": [
                    {
                        "id": c.id,
                        "tree_size": c.tree_size,
                        "made_at": c.made_at.isoformat(),
                        "cosignatures": c.cosignatures,
                    }
                    for c in found
                ]
            }
        )
        return
    m = run.messages
    table = Table(title=m("transparency.list.title"))
    for key in ("id", "size", "made_at", "cosignatures"):
        table.add_column(m(f"transparency.column.{key}"))
    for c in found:
        table.add_row(
            str(c.id),
            str(c.tree_size),
            c.made_at.isoformat(timespec="seconds"),
            str(c.cosignatures),
        )
    run.out.print(table)


@group.command()
def keys(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Print the keys that verify the checkpoints, one per line: the active key, then the
    ones a rotation retired. Witnesses and verifiers pin them.

    [b]Example:[/b] mlc transparency keys > keys.txt
    """
    run = run_context(ctx)
    settings = service_settings(run)
    with explained_key_problems(run):
        ring = signing_keys.keyring_from_settings(settings)
    if ring is None:
        raise UsageProblem(run.messages("transparency.no_keys"))
    published = acts.verifier_keys(acts.Publisher(_origin(run), ring))
    if as_json:
        print_json({"origin": published.origin, "vkeys": published.vkeys})
        return
    typer.echo("".join(vkey + "\n" for vkey in published.vkeys), nl=False)


@group.command()
def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="The folder to write into (made if missing).")],
    upto: Annotated[
        int | None,
        typer.Option("--upto", min=1, help="Stop at this entry (a checkpoint's size)."),
    ] = None,
) -> None:
    """Write what the offline verifier reads into a folder: the latest checkpoint
    (checkpoint.note), then the journal (journal.jsonl, one entry a line).

    [b]Example:[/b] mlc --as audit transparency export --out verification/
    """
    run = run_context(ctx)
    acting = run.context()
    total = acts.count_entries(acting)  # refused here, before any file is written
    origin = _origin(run)
    out.mkdir(parents=True, exist_ok=True)
    # The checkpoint first: the journal, read after, holds every entry it covers.
    note_path = out / "checkpoint.note"
    try:
        note: str | None = acts.latest_checkpoint(acting.database).note
    except acts.NoCheckpoint:
        note = None
    if note is not None:
        with _replacing(note_path) as partial:
            partial.write_text(note, encoding="utf-8")
    journal_path = out / "journal.jsonl"
    bar_total = total if upto is None else min(total, upto)
    with (
        progress_bar(run.err, run.messages("transparency.progress"), total=bar_total) as bar,
        _replacing(journal_path) as partial,
        partial.open("w", encoding="utf-8", newline="") as handle,
    ):
        count = acts.export_journal(
            acting, handle, origin=origin, upto=upto, progress=bar.advance_to
        )
    key = "transparency.exported" if note is not None else "transparency.exported_alone"
    run.out.print(
        run.messages(key, count=count, journal=journal_path, note=note_path), markup=False
    )


@proof.command("inclusion")
def inclusion(
    ctx: typer.Context,
    seq: Annotated[int, typer.Option("--seq", min=1, help="The journal entry's number.")],
    size: Annotated[int, typer.Option("--size", min=1, help="The tree's size (a checkpoint's).")],
    out: OutFile = None,
) -> None:
    """The proof that a journal entry is in the tree of a size, with the entry itself.

    A member or a business's owner gets the entries that move their accounts only.

    [b]Example:[/b] mlc --as alice transparency proof inclusion --seq 41 --size 1340
    --out proof.json
    """
    run = run_context(ctx)
    found = acts.inclusion_proof(run.context(), seq, size)
    _write_or_print(run, _json_text(found.to_data()), out)


@proof.command("consistency")
def consistency(
    ctx: typer.Context,
    first: Annotated[int, typer.Option("--first", min=0, help="The older size.")],
    second: Annotated[int, typer.Option("--second", min=0, help="The newer size.")],
    out: OutFile = None,
) -> None:
    """The proof that the tree of FIRST entries is the start of the one of SECOND: the
    history between two checkpoints was not rewritten.

    [b]Example:[/b] mlc transparency proof consistency --first 1200 --second 1340
    """
    run = run_context(ctx)
    found = acts.consistency_proof(run.database(), first, second)
    _write_or_print(run, _json_text(found.to_data()), out)


@group.command()
def alarms(
    ctx: typer.Context,
    unread: Annotated[
        bool, typer.Option("--unread", help="Only those nobody acknowledged yet.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """The transparency alarms, newest first: an entry the tree refused, a checkpoint the
    tree no longer holds, a fork a witness reported.

    [b]Example:[/b] mlc --as audit transparency alarms
    """
    run = run_context(ctx)
    found = acts.list_alarms(run.context(), include_acknowledged=not unread)
    if as_json:
        print_json({"alarms": [_alarm_json(alarm) for alarm in found]})
        return
    m = run.messages
    if not found:
        run.out.print(m("transparency.no_alarms"), markup=False)
        return
    table = Table(title=m("transparency.alarms.title"))
    for key in ("id", "raised_at", "kind", "detail", "acknowledged_by"):
        table.add_column(m(f"transparency.column.{key}"))
    for alarm in found:
        table.add_row(
            str(alarm.id),
            alarm.raised_at.isoformat(timespec="seconds"),
            alarm.kind,
            escape(alarm.detail),
            escape(alarm.acknowledged_by or ""),
            style=None if alarm.acknowledged else "bold red",
        )
    run.out.print(table)


def _alarm_json(alarm: acts.Alarm) -> dict[str, Any]:
    return {
        "id": alarm.id,
        "raised_at": alarm.raised_at.isoformat(),
        "kind": alarm.kind,
        "detail": alarm.detail,
        "evidence": alarm.evidence,
        "acknowledged_at": None
        if alarm.acknowledged_at is None
        else alarm.acknowledged_at.isoformat(),
        "acknowledged_by": alarm.acknowledged_by,
    }


@group.command()
def witnesses(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The registered witnesses and their verifier keys, oldest first (public).

    [b]Example:[/b] mlc transparency witnesses
    """
    run = run_context(ctx)
    found = witnessing.list_witnesses(run.database())
    if as_json:
        print_json({"witnesses": [_witness_json(witness) for witness in found]})
        return
    m = run.messages
    if not found:
        run.out.print(m("transparency.no_witnesses"), markup=False)
        return
    table = Table(title=m("transparency.witnesses.title"))
    for key in ("name", "vkey", "added_at", "added_by"):
        table.add_column(m(f"transparency.column.{key}"))
    for witness in found:
        table.add_row(
            escape(witness.name),
            escape(witness.vkey),
            witness.added_at.isoformat(timespec="seconds"),
            escape(witness.added_by),
        )
    run.out.print(table)


def _witness_json(witness: Any) -> dict[str, Any]:
    return {
        "name": witness.name,
        "vkey": witness.vkey,
        "added_at": witness.added_at.isoformat(),
        "added_by": witness.added_by,
    }


@group.command("add-witness")
def add_witness(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The witness's name, as mlc witness init gave it.")],
    vkey: Annotated[str, typer.Argument(help="The verifier key mlc witness init printed.")],
) -> None:
    """Register a witness by the verifier key it gave: its cosignatures are then kept and
    served with the checkpoints.

    [b]Example:[/b] mlc --as marie transparency add-witness mairie-bayonne
    'mairie-bayonne+8012e2bd+BAOh...'
    """
    run = run_context(ctx)
    added = witnessing.register_witness(run.context(), name, vkey)
    run.out.print(run.messages("transparency.witness_added", name=added.name), markup=False)


@group.command()
def acknowledge(
    ctx: typer.Context,
    alarm_id: Annotated[
        int, typer.Argument(help="The alarm's number (see mlc transparency alarms).")
    ],
) -> None:
    """Say an alarm was read: it leaves the dashboard's list and stays in the log.

    [b]Example:[/b] mlc --as marie transparency acknowledge 3
    """
    run = run_context(ctx)
    read = acts.acknowledge_alarm(run.context(), alarm_id)
    run.out.print(run.messages("transparency.acknowledged", id=read.id), markup=False)
