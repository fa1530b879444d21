"""How ``mlc serve`` runs uvicorn: the limits it serves under, and what its workers read.

Limits. Each process takes at most ``MLC_MAX_CONNECTIONS`` connections and requests at
once (uvicorn's ``limit_concurrency``; beyond it a request gets 503 at once), closes an
idle kept-alive connection after :data:`KEEP_ALIVE_SECONDS`, and when asked to stop gives
what is in flight :data:`SHUTDOWN_GRACE_SECONDS` before cutting it. The event streams of
the tills end by themselves at the stop (:mod:`api.stopping`); the grace is for the rest.
Uvicorn has no timeout for a client that never finishes its headers: the reverse proxy
in front holds that one (``deploy/nginx/proxy.conf``), so a slow client only ever ties
up the proxy. The process also raises its own limit of open files to the most the system
allows, so that many open connections cannot starve the database of file descriptors.

Workers. With ``--workers``, each worker process builds its application from the
environment (``api.app:create_app``), not from the parent's settings object. What the
parent decided on top of the environment (``--database``, the demonstration's rules and
signing key) is handed down as ``MLC_`` variables: :func:`worker_environment`.
"""

from __future__ import annotations

import contextlib
import json
import resource
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from monnaie_locale.config import Settings

# pydantic and the settings are imported by the functions that read them: ``mlc serve
# --help`` imports this module and needs neither.

__all__ = [
    "KEEP_ALIVE_SECONDS",
    "SHUTDOWN_GRACE_SECONDS",
    "raise_open_files_limit",
    "uvicorn_options",
    "worker_environment",
]

KEEP_ALIVE_SECONDS = 5
# deploy/monnaie-locale@.service gives the whole stop more than this (TimeoutStopSec).
SHUTDOWN_GRACE_SECONDS = 10


def uvicorn_options(settings: Settings, *, host: str, port: int) -> dict[str, Any]:
    """The keyword arguments of ``uvicorn.run`` for serving ``settings`` on ``host:port``."""
    return {
        "host": host,
        "port": port,
        "log_level": "info",
        # The fast event loop and HTTP parser (uvloop, httptools), named rather than left to
        # uvicorn's "auto", which would fall back without a word if either went missing.
        "loop": "uvloop",
        "http": "httptools",
        # The service writes its own access log, one JSON line with the request id.
        "access_log": False,
        # No "server: uvicorn" on every answer: it tells a caller nothing it needs.
        "server_header": False,
        # Uvicorn would believe X-Forwarded-For from any local peer; the application reads
        # it from the proxies of MLC_TRUSTED_PROXIES only (api.app).
        "proxy_headers": False,
        "limit_concurrency": settings.max_connections,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "timeout_graceful_shutdown": SHUTDOWN_GRACE_SECONDS,
    }


def worker_environment(inherited: Settings, served: Settings) -> dict[str, str]:
    """The ``MLC_`` variables that make a worker, which reads ``inherited`` from the
    environment, read ``served`` instead."""
    from monnaie_locale.config import Settings

    return {
        f"MLC_{name.upper()}": _as_variable(getattr(served, name))
        for name in Settings.model_fields
        if getattr(served, name) != getattr(inherited, name)
    }


def _as_variable(value: object) -> str:
    from pydantic import SecretStr

    if value is None:  # an environment variable cannot say "unset" to pydantic
        raise ValueError("a worker cannot be told to unset a setting")
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, str | Path):
        return str(value)
    # Numbers, booleans, lists and maps: the JSON pydantic-settings reads back.
    return json.dumps(value)


def raise_open_files_limit() -> None:
    """Let this process open as many files as the system allows it (its hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        # Some systems cap the soft limit below an unlimited hard one: keep what it has.
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
