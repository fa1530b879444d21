"""How ``mlc serve`` runs uvicorn: how it stops, and what its workers read.

Stopping. When asked to stop, the process gives what is in flight
:data:`SHUTDOWN_GRACE_SECONDS` before cutting it. The event streams of the tills end by
themselves at the stop (:mod:`api.stopping`); the grace is for the rest.

Workers. With ``--workers``, each worker process builds its application from the
environment (``api.app:create_app``), not from the parent's settings object. What the
parent decided on top of the environment (``--database``, the demonstration's rules and
signing key) is handed down as ``MLC_`` variables: :func:`worker_environment`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from monnaie_locale.config import Settings

__all__ = ["SHUTDOWN_GRACE_SECONDS", "uvicorn_options", "worker_environment"]

# deploy/monnaie-locale.service gives the whole stop more than this (TimeoutStopSec).
SHUTDOWN_GRACE_SECONDS = 10


def uvicorn_options(settings: Settings, *, host: str, port: int) -> dict[str, Any]:
    """The keyword arguments of ``uvicorn.run`` for serving ``settings`` on ``host:port``."""
    return {
        "host": host,
        "port": port,
        "log_level": "info",
        # The service writes its own access log, one JSON line with the request id.
        "access_log": False,
        "timeout_graceful_shutdown": SHUTDOWN_GRACE_SECONDS,
    }


def worker_environment(inherited: Settings, served: Settings) -> dict[str, str]:
    """The ``MLC_`` variables that make a worker, which reads ``inherited`` from the
    environment, read ``served`` instead."""
    return {
        f"MLC_{name.upper()}": _as_variable(getattr(served, name))
        for name in Settings.model_fields
        if getattr(served, name) != getattr(inherited, name)
    }


def _as_variable(value: object) -> str:
    if value is None:  # an environment variable cannot say "unset" to pydantic
        raise ValueError("a worker cannot be told to unset a setting")
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, str | Path):
        return str(value)
    # Numbers, booleans, lists and maps: the JSON pydantic-settings reads back.
    return json.dumps(value)
