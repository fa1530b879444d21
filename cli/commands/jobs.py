"""``mlc jobs``: the work the service does by itself, and running one piece of it now.

``list`` shows each scheduled job the service runs (see :mod:`monnaie_locale.jobs`), how
often, and how its last period ended. ``run`` runs one job's current period here, under
the same rule as the serving processes: a period runs once, so when a server ran it
already the command is refused (exit 3) and can be run again in the next period. A run
that fails is recorded like a server's and exits with 1. Both are acts of
:mod:`monnaie_locale.acts.jobs`, for administrators.

``serve`` runs the scheduler alone, as a long-running process of its own (the unit
``deploy/monnaie-locale-scheduler.service``), so that the serving processes can run
without it (``MLC_JOBS_ENABLED=false``): a web worker then restarts without cutting a job
short, and the jobs' threads take no time from requests. Like ``mlc serve``, it acts for
no user. It stops on SIGTERM (or Ctrl-C): the runs under way end, the journal's sealer
makes its final pass, and the command exits 0. Each run that did something is logged at
INFO, one JSON line; runs that found nothing to do, or a period another process had
claimed, at DEBUG (``MLC_LOG_LEVEL=DEBUG``): the sealer looks five times a second.

The jobs and their intervals are the service's, from its settings (``MLC_JOB_INTERVALS``,
``MLC_WEBHOOK_POLL_SECONDS``, ``MLC_WEBHOOK_ALLOW_LOOPBACK``). The checkpoint job is
among them where the settings name the signing key (``MLC_SIGNING_KEY_FILE``): it signs
with it, at the service's cadence (``MLC_CHECKPOINT_EVERY_*``).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from cli import help_fr
from cli.commands.keys import explained_key_problems, service_settings
from cli.commands.options import EXAMPLE, EXEMPLE, JsonOption
from cli.context import RunContext, run_context
from cli.errors import Discrepancy
from cli.lazy import lazy
from cli.output import print_json

if TYPE_CHECKING:
    from monnaie_locale import jobs
    from monnaie_locale.acts import jobs as acts
else:
    acts = lazy("monnaie_locale.acts.jobs")

__all__ = ["register"]

log = logging.getLogger("monnaie_locale.jobs.serve")


group = typer.Typer(
    help=(
        "The service's scheduled jobs: expiring holds, sealing the journal, sending "
        f"webhooks.\n\n{EXAMPLE}mlc jobs list"
    ),
    no_args_is_help=True,
)

# The French help of these commands, merged into cli.help_fr's table on registration.
FRENCH_HELP: dict[str, str] = {
    "jobs": (
        "Les tâches planifiées du service : expiration des réservations, scellement du "
        f"journal, envoi des webhooks.\n\n{EXEMPLE}mlc jobs list"
    ),
    "jobs list": (
        "Montre chaque tâche, sa fréquence et la fin de sa dernière exécution (statut, "
        f"résultat ou erreur).\n\n{EXEMPLE}mlc jobs list --json"
    ),
    "jobs run": (
        "Exécute une tâche maintenant, pour la période en cours, et affiche ce qu'elle a fait."
        "\n\nUne période ne s'exécute qu'une fois, quel que soit le nombre de processus : si "
        "le service l'a déjà fait, la commande est refusée (code 3). Code de sortie 1 quand "
        f"la tâche échoue (l'erreur est enregistrée).\n\n{EXEMPLE}mlc jobs run expire_holds"
    ),
    "jobs run NAME": "Le nom de la tâche, par exemple expire_holds (voir « mlc jobs list »).",
    "jobs serve": (
        "Exécute les tâches planifiées du service dans ce seul processus, jusqu'à son arrêt "
        "(SIGTERM ou Ctrl-C), et journalise chaque exécution.\n\nLes processus qui servent "
        "les requêtes tournent alors sans elles (MLC_JOBS_ENABLED=false). À l'arrêt, les "
        "exécutions en cours se terminent et le scellement du journal fait une dernière "
        f"passe.\n\n{EXEMPLE}mlc jobs serve"
    ),
}


def register(app: typer.Typer) -> None:
    help_fr.FRENCH_HELP.update(FRENCH_HELP)
    app.add_typer(group, name="jobs")


@contextmanager
def _service(run: RunContext) -> Iterator[Mapping[str, Any]]:
    """How the service runs its jobs, from its settings: the webhooks' sender, the jobs'
    intervals and the log's keys and cadence, as the acts take them."""
    # The package imports the database library: only when a command runs.
    from monnaie_locale.checkout import DestinationPolicy
    from monnaie_locale.checkout.http_sender import HttpxSender
    from monnaie_locale.signing_keys import keyring_from_settings
    from monnaie_locale.transparency.checkpoints import origin_of
    from monnaie_locale.transparency.publishing import Cadence, Publisher

    settings = service_settings(run)
    with explained_key_problems(run):
        ring = keyring_from_settings(settings)
    origin = origin_of(settings.public_host, settings.deployment_name)
    publisher = None if ring is None else Publisher(origin, ring)
    cadence = Cadence(settings.checkpoint_every_entries, settings.checkpoint_every_minutes)
    sender = HttpxSender(
        destinations=DestinationPolicy(allow_loopback=settings.webhook_allow_loopback),
        timeout_seconds=5.0,
    )
    intervals = {"deliver_webhooks": settings.webhook_poll_seconds, **settings.job_intervals}
    try:
        yield {
            "send": sender,
            "intervals": intervals,
            "publisher": publisher,
            "cadence": cadence,
        }
    finally:
        sender.close()


@group.command("list")
def list_command(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show each job, how often it runs and how its last run ended.

    [b]Example:[/b] mlc jobs list --json
    """
    run = run_context(ctx)
    with _service(run) as service:
        listed = acts.list_jobs(run.context(), **service)
    if as_json:
        print_json({"jobs": [_job_json(entry) for entry in listed]})
        return
    run.out.print(_jobs_table(run, listed))


@group.command("run")
def run_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The job's name, e.g. expire_holds (see list).")],
    as_json: JsonOption = False,
) -> None:
    """Run a job now, for the current period, and show what it did.

    A period runs once, whatever the number of servers: one already run is refused (exit 3).

    Exits with 1 when the job fails; its error is recorded, as a server's would be.

    [b]Example:[/b] mlc jobs run expire_holds
    """
    run = run_context(ctx)
    with _service(run) as service:
        outcome = acts.run_job(run.context(), name, **service)
    if as_json:
        print_json(_run_json(outcome))
    if outcome.status == "failed":
        raise Discrepancy(run.messages("jobs.failed", name=name, error=outcome.error))
    if not as_json:
        said = _result(run, name, outcome.result)
        run.out.print(run.messages("jobs.ran", name=name, result=said), markup=False)


@group.command("serve")
def serve_command(ctx: typer.Context) -> None:
    """Run the service's scheduled jobs in this process alone until stopped, logging each run.

    The serving processes then run without them (MLC_JOBS_ENABLED=false). On SIGTERM or
    Ctrl-C the runs under way end, the journal's sealer makes a last pass, and it exits.

    [b]Example:[/b] mlc jobs serve
    """
    from api.logging import configure_logging
    from cli.deployment_settings import load_deployment
    from monnaie_locale.clock import utc_now
    from monnaie_locale.jobs import Scheduler, standard_jobs
    from monnaie_locale.transparency.publishing import Publishing

    run = run_context(ctx)
    configure_logging(service_settings(run).log_level)
    database = run.database()
    stopping = threading.Event()

    def stop(signum: int, _frame: object) -> None:
        log.info("stopping on %s", signal.Signals(signum).name)
        stopping.set()

    with _service(run) as service:
        publisher = service["publisher"]
        publishing = (
            None
            if publisher is None
            else Publishing(load_deployment(run), publisher, service["cadence"])
        )
        jobs = standard_jobs(
            database, send=service["send"], intervals=service["intervals"], publishing=publishing
        )
        scheduler = Scheduler(database, jobs, clock=utc_now, on_run=_log_run)
        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            scheduler.start()
            log.info(
                "scheduler started: %s",
                ", ".join(f"{job.name} every {job.interval:g} s" for job in jobs),
                extra={"jobs": [job.name for job in jobs]},
            )
            stopping.wait()
        finally:
            scheduler.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
    log.info("scheduler stopped")


def _log_run(outcome: jobs.JobRun) -> None:
    """One line per run: at INFO when it did something, at DEBUG when it had nothing to do
    or another process had its period. A failure was logged with its traceback already."""
    if outcome.status == "failed":
        return
    idle = outcome.status == "skipped" or outcome.result in (None, "", "0", "None")
    log.log(
        logging.DEBUG if idle else logging.INFO,
        "job %s period %d %s: %s",
        outcome.job,
        outcome.period,
        outcome.status,
        outcome.result,
        extra={
            "job": outcome.job,
            "period": outcome.period,
            "status": outcome.status,
            "result": outcome.result,
            "seconds": round(outcome.seconds, 4),
        },
    )


def _jobs_table(run: RunContext, listed: list[acts.ListedJob]) -> Table:
    m = run.messages
    table = Table(title=m("jobs.title"))
    for key in ("job", "interval", "last_run", "status", "outcome"):
        table.add_column(m(f"jobs.column.{key}"))
    for job, state in ((entry.job, entry.state) for entry in listed):
        table.add_row(
            job.name,
            m("jobs.every", seconds=f"{job.interval:g}"),
            _when(state.last_started_at if state else None, never=m("jobs.never")),
            m(f"jobs.status.{state.last_status}") if state and state.last_status else "",
            escape(_outcome(run, state)),
        )
    return table


def _outcome(run: RunContext, state: jobs.JobState | None) -> str:
    if state is None:
        return ""
    return state.last_error or _result(run, state.name, state.last_result)


def _result(run: RunContext, name: str, result: str | None) -> str:
    """A job's recorded result, said in words when it is the count the job returns."""
    key = f"jobs.result.{name}"
    if result is not None and result.isdigit() and run.messages.has(key):
        return run.messages(key, count=result)
    return result or ""


def _when(moment: datetime | None, *, never: str) -> str:
    return moment.isoformat(timespec="seconds") if moment is not None else never


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _job_json(entry: acts.ListedJob) -> dict[str, Any]:
    job, state = entry.job, entry.state
    return {
        "name": job.name,
        "interval_seconds": job.interval,
        "last_period": state.last_period if state else None,
        "last_started_at": _iso(state.last_started_at) if state else None,
        "last_finished_at": _iso(state.last_finished_at) if state else None,
        "last_status": state.last_status if state else None,
        "last_result": state.last_result if state else None,
        "last_error": state.last_error if state else None,
    }


def _run_json(outcome: jobs.JobRun) -> dict[str, Any]:
    return {
        "name": outcome.job,
        "period": outcome.period,
        "status": outcome.status,
        "result": outcome.result,
        "error": outcome.error,
    }
