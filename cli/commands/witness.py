"""``mlc witness``: watch the association's published log from outside, and cosign it.

Anyone may run it (a town hall, another association, a member): it needs no database and
no account, only the service's address and a directory of its own. ``init`` makes the
witness's key (mode 0600) and prints the verifier key to give the association; ``run``
fetches the latest checkpoint, checks it extends the last one cosigned and cosigns it
(:mod:`monnaie_locale.transparency.witness_client` does the checking). A fork is loud:
in red, exit code 3, its evidence kept in the directory and reported to the service.

Exit codes: 0 cosigned (or nothing new); 1 the checkpoint served does not hold (not
signed by the pinned key, older than the last one, no proof it extends it); 2 bad usage;
3 FORK; 4 the service cannot be reached, or did not take the cosignature.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.panel import Panel
from rich.text import Text

from cli import help_fr
from cli.commands.options import EXAMPLE, EXEMPLE
from cli.context import RunContext, run_context
from cli.errors import CliProblem, Discrepancy, ExitCode, UsageProblem
from cli.lazy import lazy

if TYPE_CHECKING:
    import httpx

    from monnaie_locale.transparency import witness_client
    from monnaie_locale.transparency.witness_client import Result, WitnessState
else:
    witness_client = lazy("monnaie_locale.transparency.witness_client")

__all__ = ["connect", "register"]

group = typer.Typer(
    help=(
        "Watch the association's published log from outside and cosign it: no database, "
        f"no account needed.\n\n{EXAMPLE}mlc witness run --url https://eusko.example.org "
        "--state /var/lib/mlc-witness"
    ),
    no_args_is_help=True,
)

FRENCH_HELP: dict[str, str] = {
    "witness": (
        "Surveille de l'extérieur le journal publié par l'association et le cosigne : ni "
        "base de données ni compte.\n\n"
        f"{EXEMPLE}mlc witness run --url https://eusko.example.org --state /var/lib/mlc-witness"
    ),
    "witness init": (
        "Crée un témoin : sa clé Ed25519 dans DOSSIER (mode 0600) et la clé de vérification "
        "(vkey) à donner à l'association, qui l'inscrit.\n\n"
        "N'écrase jamais une clé existante.\n\n"
        f"{EXEMPLE}mlc witness init --name mairie-bayonne --state /var/lib/mlc-witness"
    ),
    "witness init --name": "Le nom du témoin : un mot, sans espace ni « + ».",
    "witness init --state": "Le dossier du témoin à créer (ou un dossier vide).",
    "witness run": (
        "Récupère le dernier checkpoint du service, vérifie sa signature et qu'il prolonge "
        "le dernier cosigné, puis le cosigne et envoie la cosignature.\n\n"
        "Même taille : même racine ; plus grand : la preuve de cohérence du service doit se "
        "vérifier ; plus petit : refusé. Sinon c'est une BIFURCATION : rien n'est cosigné, "
        "les deux notes sont gardées dans DOSSIER/forks et signalées au service, code de "
        "sortie 3.\n\n"
        "Codes de sortie : 0 cosigné (ou rien de nouveau) ; 1 checkpoint refusé ; 2 mauvaise "
        "saisie ; 3 bifurcation ; 4 service injoignable ou cosignature non remise.\n\n"
        f"{EXEMPLE}mlc witness run --url https://eusko.example.org "
        "--state /var/lib/mlc-witness --every 300"
    ),
    "witness run --state": "Le dossier du témoin : sa clé, la clé épinglée du service, le "
    "dernier checkpoint cosigné, les preuves d'une bifurcation.",
    "witness run --url": "L'adresse du service, par exemple https://eusko.example.org.",
    "witness run --service-key": (
        "La clé de vérification du service (GET /v1/transparency/keys) ; sinon celle "
        "épinglée dans DOSSIER au premier passage."
    ),
    "witness run --every": (
        "Recommence toutes les SECONDES secondes, jusqu'à une bifurcation (sans : une fois)."
    ),
}

StateOption = Annotated[
    Path,
    typer.Option(
        "--state",
        help="The witness's directory: its key, the service's pinned key, the last "
        "checkpoint cosigned, a fork's evidence.",
    ),
]


class _Unavailable(CliProblem):
    """The service could not be reached, or did not take what was sent."""

    exit_code = ExitCode.UNAVAILABLE


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="witness")


def connect(url: str) -> httpx.Client:
    """The HTTP client a run talks to the service with (a test puts the app's in its place)."""
    import httpx

    return httpx.Client(
        base_url=url, timeout=30.0, headers={"User-Agent": "mlc-witness"}, follow_redirects=False
    )


def _explained(run: RunContext, problem: witness_client.WitnessProblem) -> CliProblem:
    """The problem in the run's language, with the exit code its kind has."""
    kind = witness_client.Problem
    message = run.messages(f"witness.p.{problem.problem}", **problem.fields)
    if problem.problem == kind.UNREACHABLE:
        return _Unavailable(message)
    if problem.problem in (kind.UNSIGNED, kind.UNREADABLE, kind.OLDER, kind.NO_PROOF):
        return Discrepancy(message)
    return UsageProblem(message)


def _state(run: RunContext, path: Path) -> WitnessState:
    try:
        return witness_client.WitnessState(path)
    except witness_client.WitnessProblem as problem:
        raise _explained(run, problem) from None


@group.command()
def init(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="The witness's name: one word, no '+'.")],
    state: StateOption,
) -> None:
    """Make a witness: its Ed25519 key in DIR (mode 0600) and the verifier key (vkey) to
    give the association, which registers it.

    Never overwrites a key.

    [b]Example:[/b] mlc witness init --name mairie-bayonne --state /var/lib/mlc-witness
    """
    run = run_context(ctx)
    try:
        made = witness_client.WitnessState.create(state, name)
    except witness_client.WitnessProblem as problem:
        raise _explained(run, problem) from None
    run.out.print(run.messages("witness.initialized", name=made.name, path=state), markup=False)
    run.out.print(made.key.vkey, markup=False, highlight=False, soft_wrap=True)
    run.out.print(run.messages("witness.init_next", path=state), markup=False)


@group.command(name="run")
def run_witness(
    ctx: typer.Context,
    url: Annotated[
        str, typer.Option("--url", help="The service's address, such as https://eusko.example.org.")
    ],
    state: StateOption,
    service_key: Annotated[
        str | None,
        typer.Option(
            "--service-key",
            help="The service's verifier key (GET /v1/transparency/keys); else the one "
            "pinned in DIR at the first run.",
        ),
    ] = None,
    every: Annotated[
        int | None,
        typer.Option(
            "--every", min=1, help="Run again every SECONDS seconds, until a fork (else once)."
        ),
    ] = None,
) -> None:
    """Fetch the service's latest checkpoint, check its signature and that it extends the
    last one cosigned, then cosign it and send the cosignature.

    The same size: the same root; larger: the service's consistency proof must verify;
    smaller: refused. Anything else is a FORK: nothing is cosigned, both notes are kept in
    DIR/forks and reported to the service, exit code 3.

    Exit codes: 0 cosigned (or nothing new); 1 checkpoint refused; 2 bad usage; 3 fork;
    4 service unreachable or cosignature not delivered.

    [b]Example:[/b] mlc witness run --url https://eusko.example.org
    --state /var/lib/mlc-witness --every 300
    """
    run = run_context(ctx)
    if not url.startswith(("https://", "http://")):
        raise UsageProblem(run.messages("witness.bad_url", url=url))
    witness = _state(run, state)
    with connect(url) as client:
        while True:
            try:
                _once(run, client, witness, service_key)
            except (Discrepancy, _Unavailable) as problem:
                if every is None:
                    raise
                # Watching: say it, and look again next time; only a fork stops the watch.
                run.err.print(problem.message, style="bold red", markup=False)
            if every is None:
                return
            time.sleep(every)


def _once(
    run: RunContext, client: httpx.Client, witness: WitnessState, service_key: str | None
) -> None:
    try:
        result = witness_client.witness_once(
            client, witness, service_key=service_key, now=datetime.now(UTC)
        )
    except witness_client.WitnessProblem as problem:
        raise _explained(run, problem) from None
    outcome = witness_client.Outcome
    if result.outcome == outcome.FORK:
        _shout(run, result)
        raise typer.Exit(ExitCode.REFUSED)
    if result.outcome == outcome.NOTHING_YET:
        run.out.print(run.messages("witness.nothing_yet"), markup=False)
        return
    if result.outcome == outcome.ALREADY:
        said = run.messages("witness.already", size=result.size, root=result.root)
    elif result.previous_size is None:
        said = run.messages("witness.cosigned_first", size=result.size, root=result.root)
    else:
        said = run.messages(
            "witness.cosigned", size=result.size, root=result.root, previous=result.previous_size
        )
    run.out.print(said, markup=False)
    if not result.delivered:
        raise _Unavailable(
            run.messages("witness.not_delivered", path=witness.path, answer=result.answer)
        )


def _shout(run: RunContext, result: Result) -> None:
    """A fork, said so that nobody misses it."""
    lines = [
        run.messages(
            "witness.fork",
            held=result.previous_size,
            held_root=result.fields.get("held_root", ""),
            size=result.size,
            root=result.root,
            path=result.evidence,
        ),
        run.messages("witness.fork_reported", answer=result.answer)
        if result.delivered
        else run.messages("witness.fork_not_reported", answer=result.answer, path=result.evidence),
        run.messages("witness.fork_what", path=result.evidence),
    ]
    panel = Panel(
        Text("\n\n".join(lines)),
        title="FORK / BIFURCATION",
        border_style="bold red",
        style="bold red",
        expand=False,  # into a cron mail or a log: as wide as its text, not the unbounded page
    )
    run.err.print(panel)
