"""Liveness and readiness probes for the process supervisor and the load balancer."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import DatabaseDep, Public
from api.problems import problem_responses
from monnaie_locale.acts.audit import ready

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"] = "ok"


@router.get("/healthz", dependencies=[Public], summary="The process is up")
def healthz() -> Health:
    return Health()


@router.get(
    "/readyz",
    dependencies=[Public],
    summary="The database is reachable and migrated",
    responses=problem_responses(503),
)
def readyz(database: DatabaseDep) -> Health:
    ready(database)
    return Health()
