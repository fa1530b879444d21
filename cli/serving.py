"""How ``mlc serve`` runs uvicorn: what its worker processes read.

With ``--workers``, each worker process builds its application from the environment
(``api.app:create_app``), not from the parent's settings object. What the parent decided
on top of the environment (``--database``, the demonstration's rules and signing key) is
handed down as ``MLC_`` variables: :func:`worker_environment`.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import SecretStr

from monnaie_locale.config import Settings

__all__ = ["worker_environment"]


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
