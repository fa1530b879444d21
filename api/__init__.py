"""The HTTP API: a FastAPI application over the ledger core, built by :func:`create_app`."""

from api.app import create_app

__all__ = ["create_app"]
