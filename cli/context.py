"""What every command shares for one run: the database, the language, the consoles.

The database URL is decided here and nowhere else: the ``--database`` option, else the
``MLC_DATABASE_URL`` variable, else a SQLite file under ``var/``; on PostgreSQL, exports
and reports read from the standby of ``MLC_DATABASE_READ_URL`` if set. When the service's
settings grow a single source of configuration, only :data:`DATABASE_ENV` and
:data:`DEFAULT_DATABASE_URL` (and the option that reads them) change.

The database is opened lazily, so ``--help`` and usage errors never touch it, and once:
every command of the run gets the same :class:`~monnaie_locale.store.Database`.

Whoever runs ``mlc`` names themself (``--as USER`` or ``MLC_AS``): each act is then
checked, and refused, exactly as it is over HTTP for that user (see
:meth:`RunContext.context`).

The consoles lay text out for the terminal they write to. Into a pipe or a file there is
no width to fit, and rich would assume 80 columns: a command line printed for a script
would be cut in two, a table cell cut with an ellipsis. There, lines are written whole.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from cli.errors import UsageProblem
from cli.messages import Messages

if TYPE_CHECKING:
    from monnaie_locale.acting import Context, SigningKeys
    from monnaie_locale.store import Database

# The core (and through it SQLAlchemy) is imported by the methods that need it, so that
# help and usage errors never pay for it.

__all__ = [
    "ACTOR_ENV",
    "DATABASE_ENV",
    "DEFAULT_DATABASE_URL",
    "LANG_ENV",
    "RunContext",
    "console",
    "run_context",
]

# A width no line reaches: into a pipe, tables take their natural width and text its own.
_UNBOUNDED = 1_000_000
ACTOR_ENV = "MLC_AS"
DATABASE_ENV = "MLC_DATABASE_URL"
READ_DATABASE_ENV = "MLC_DATABASE_READ_URL"
DEFAULT_DATABASE_URL = "sqlite:///var/monnaie-locale.db"
LANG_ENV = "MLC_LANG"


def console(*, stderr: bool = False) -> Console:
    """A console that wraps for a terminal, and writes whole lines anywhere else.

    Never emoji: ``notes:office:centre`` is an account code, not ``notes🏢centre``.
    """
    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        return Console(stderr=stderr, emoji=False)
    return Console(stderr=stderr, emoji=False, width=_UNBOUNDED, soft_wrap=True)


@dataclass
class RunContext:
    """One run of ``mlc``: its settings, and the database opened on first use."""

    database_url: str
    messages: Messages
    actor_name: str | None = None
    out: Console = field(default_factory=console)
    err: Console = field(default_factory=lambda: console(stderr=True))
    _database: Database | None = None
    _journal_key: bytes | None = None
    _context: Context | None = None

    def database(self, *, create: bool = False) -> Database:
        """The run's database. Refuses a SQLite file that does not exist unless ``create``."""
        if self._database is None:
            from monnaie_locale.database_url import sqlite_path
            from monnaie_locale.store import connect

            path = sqlite_path(self.database_url)
            if path is not None:
                if create:
                    path.parent.mkdir(parents=True, exist_ok=True)
                elif not path.exists():
                    # Opening would silently create an empty file and fail later, less clearly.
                    raise UsageProblem(self.messages("db.missing_file", path=path))
            self._database = connect(self.database_url, journal_key=self.journal_key())
            read_url = os.environ.get(READ_DATABASE_ENV)
            # Exports and reports read from the standby, as the service's do; it is the
            # standby of MLC_DATABASE_URL, not of a database named by --database.
            if read_url and path is None and self.database_url == os.environ.get(DATABASE_ENV):
                self._database.add_replica(read_url)
        return self._database

    def context(self) -> Context:
        """The run's acting context: the user named by ``--as``, the deployment's rules.

        With no background process to chain the journal, each write is followed by its
        sealing on PostgreSQL (see :mod:`monnaie_locale.journal`).
        """
        if self._context is None:
            from cli.deployment_settings import load_deployment
            from monnaie_locale.acting import Context
            from monnaie_locale.acts.sessions import acting_as
            from monnaie_locale.auth.errors import NotAuthenticated

            if not self.actor_name:
                raise NotAuthenticated("no user named")
            database = self.database()
            self._context = Context(
                database=database,
                actor=acting_as(database, self.actor_name),
                deployment=load_deployment(self),
                seal_after_commit=True,
                signing=_signing(),
            )
        return self._context

    def journal_key(self) -> bytes:
        """The key that marks the journal's rows: the deployment's, from its settings.

        Every command that writes to the books, or verifies them, needs the secret the
        service runs with (``MLC_SECRET_KEY``): see :mod:`monnaie_locale.journal_content`.
        """
        if self._journal_key is None:
            from pydantic import ValidationError

            from monnaie_locale.config import load_settings
            from monnaie_locale.journal_content import key_from_secret

            try:
                secret = load_settings().secret_key.get_secret_value()
            except ValidationError as error:
                reason = "; ".join(str(e["msg"]) for e in error.errors())
                raise UsageProblem(self.messages("keys.bad_settings", reason=reason)) from error
            self._journal_key = key_from_secret(secret)
        return self._journal_key

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()
            self._database = None
            self._context = None


def _signing() -> SigningKeys | None:
    """The deployment's signing keys, if its settings name them: quittances issued by a
    command are then signed as the service signs them."""
    from pydantic import ValidationError

    from monnaie_locale.acting import SigningKeys
    from monnaie_locale.config import load_settings
    from monnaie_locale.signing_keys import SigningKeyUnavailable, keyring_from_settings

    try:
        settings = load_settings()
        ring = keyring_from_settings(settings)
    except (ValidationError, SigningKeyUnavailable):
        return None  # what needs a key says so; the rest works without one
    return None if ring is None else SigningKeys(ring, settings.deployment_id)


def run_context(ctx: typer.Context) -> RunContext:
    """The :class:`RunContext` the root command stored for this run."""
    found = ctx.find_root().obj
    if not isinstance(found, RunContext):
        raise RuntimeError("mlc commands run under the root command, which sets the context")
    return found
