"""``mlc init`` and ``mlc serve``: set a deployment up, then run the HTTP service.

``init`` is the one documented set-up step: it migrates the database, registers the
currencies, opens the system accounts of the account plan and creates the first
administrator. ``serve --demo`` also fills a clearly marked demonstration deployment,
which is refused in production mode, and serves it with the rules its story needs (see
:mod:`monnaie_locale.demo`). How uvicorn runs is :mod:`cli.serving`'s.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli.commands.keys import explained_key_problems, service_settings
from cli.context import RunContext, run_context
from cli.errors import UsageProblem
from cli.lazy import lazy
from cli.serving import raise_open_files_limit, uvicorn_options, worker_environment

if TYPE_CHECKING:
    from monnaie_locale import demo, store
    from monnaie_locale import deployment as deployments
    from monnaie_locale.acts import demo as demo_acts
    from monnaie_locale.acts import users
    from monnaie_locale.config import Settings
else:
    demo_acts = lazy("monnaie_locale.acts.demo")
    users = lazy("monnaie_locale.acts.users")
    demo = lazy("monnaie_locale.demo")
    deployments = lazy("monnaie_locale.deployment")
    store = lazy("monnaie_locale.store")

__all__ = ["DEMO_FOLDER", "register"]

# Where the demonstration keeps its signing key: beside the default SQLite file.
DEMO_FOLDER = Path("var")


def register(app: typer.Typer) -> None:
    app.command(name="init")(init)
    app.command(name="serve")(serve)


def _settings(run: RunContext) -> Settings:
    """The service's settings, on the database this run of mlc points at."""
    return service_settings(run).model_copy(update={"database_url": run.database_url})


def init(
    ctx: typer.Context,
    admin: Annotated[str, typer.Option("--admin", help="Username of the first administrator.")],
    office: Annotated[
        list[str] | None, typer.Option("--office", help="An exchange office id (repeatable).")
    ] = None,
    password_env: Annotated[
        str | None,
        typer.Option(
            "--password-env",
            help="Read the administrator's password from this environment variable "
            "instead of asking for it.",
        ),
    ] = None,
) -> None:
    """Set a deployment up: schema, system accounts, first administrator.

    The currency comes from the settings (MLC_CURRENCY_CODE, MLC_CURRENCY_NAME,
    MLC_CURRENCY_SYMBOL).

    [b]Example:[/b] mlc init --admin marie --office centre --office halles
    """
    run = run_context(ctx)
    settings = _settings(run)
    if password_env is not None:
        password = os.environ.get(password_env, "")
        if not password:
            raise UsageProblem(run.messages("init.no_password", var=password_env))
    else:
        password = typer.prompt(
            run.messages("init.password_prompt"), hide_input=True, confirmation_prompt=True
        )
    # Every setting is checked before the database is touched: a bad one leaves nothing.
    try:
        deployment = deployments.from_settings(settings, offices=tuple(office or ()))
    except ValueError as exc:
        raise UsageProblem(run.messages("init.bad_setting", problem=str(exc))) from exc
    fresh = _new_sqlite_file(run.database_url)
    database = run.database(create=True)
    try:
        store.migrate(database)
        # One transaction: the system accounts and the administrator, or nothing.
        opened = users.set_up(database, deployment, admin=admin, password=password)
    except BaseException:
        if fresh is not None:
            _remove_sqlite_file(database, fresh)
        raise
    run.out.print(run.messages("init.done", accounts=len(opened), admin=admin))


def _new_sqlite_file(url: str) -> Path | None:
    """The SQLite file ``url`` names if init is about to create it, else None."""
    from monnaie_locale.database_url import sqlite_path

    path = sqlite_path(url)
    return path if path is not None and not path.exists() else None


def _remove_sqlite_file(database: store.Database, path: Path) -> None:
    """Remove the file a failed init created, so that no half-made deployment remains."""
    database.dispose()
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    demo: Annotated[
        bool, typer.Option("--demo", help="Create the demonstration deployment first.")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Worker processes, on PostgreSQL (SQLite is served by one process).",
        ),
    ] = 1,
) -> None:
    """Run the HTTP service (migrating the database first).

    [b]Example:[/b] mlc serve --demo
    """
    run = run_context(ctx)
    settings = _settings(run)
    database = run.database(create=True)
    if workers > 1 and database.is_sqlite:
        # SQLite has one writer: a second process would only wait for the first.
        raise UsageProblem(run.messages("serve.workers_on_sqlite"))
    store.migrate(database)
    if demo:
        settings = _serve_demo(run, settings, host=host, port=port)
    elif workers > 1 and settings.signing_key_file is None and settings.signing_key_pem is None:
        # Each worker would make a key of its own, and refuse the codes of the others.
        raise UsageProblem(run.messages("serve.workers_need_key"))
    # Imported here: the web stack costs every other command ~75 MB and a second to load.
    import uvicorn

    from api.app import create_app

    # Built before saying it listens: a signing key it cannot read stops it here.
    with explained_key_problems(run):
        service = create_app(settings)
    run.out.print(run.messages("serve.listening", url=f"http://{host}:{port}"))
    raise_open_files_limit()
    options = uvicorn_options(settings, host=host, port=port)
    if workers == 1:
        uvicorn.run(service, **options)
        return
    # Each worker process builds its own application from the environment.
    os.environ.update(worker_environment(service_settings(run), settings))
    uvicorn.run("api.app:create_app", factory=True, workers=workers, **options)


def _serve_demo(run: RunContext, settings: Settings, *, host: str, port: int) -> Settings:
    """Fill the demonstration deployment; the settings it is served with."""
    try:
        with explained_key_problems(run):
            served = demo_acts.set_up_demo(run.database(), settings, key_folder=DEMO_FOLDER)
    except demo.DemoInProduction as refused:
        raise UsageProblem(run.messages("error.demo_in_production")) from refused
    _print_demo(run, host=host, port=port)
    return served


def _print_demo(run: RunContext, *, host: str, port: int) -> None:
    table = Table(title=run.messages("serve.demo_title"))
    # What one types is never cut; on a narrow terminal the rest folds onto more lines.
    for column in ("user", "password"):
        table.add_column(run.messages(f"serve.column.{column}"), no_wrap=True)
    for column in ("role", "account"):
        table.add_column(run.messages(f"serve.column.{column}"), overflow="fold")
    for user in demo.DEMO_USERS:
        table.add_row(user.username, user.password, str(user.role), "\n".join(user.accounts))
    run.out.print(table)
    run.out.print(run.messages("serve.demo_try", url=f"http://{host}:{port}"))
