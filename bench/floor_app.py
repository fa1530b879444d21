"""The least a payment over HTTP can cost on this machine: the route's shape, no ledger.

``bench.http_load --floor`` serves this application as it serves the service (same
uvicorn options, same workers, same wrk script) after the payments, and prints its
requests per second and CPU per request beside theirs. What a payment costs above it is
the service's own: the credential check, the idempotency key, the ledger, the journal,
the answer. A FastAPI coroutine route with the payment's body, headers and answer, and
nothing behind it:

    POST /v1/transfers   {"payer", "payee", "amount", "memo"}  ->  201, a transaction
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import FastAPI, Header
from pydantic import BaseModel

__all__ = ["create_app"]


class _Transfer(BaseModel):
    payer: str
    payee: str
    amount: str
    memo: str


class _Posting(BaseModel):
    account: str
    currency: str
    amount: str


class _Transaction(BaseModel):
    id: int
    kind: str
    memo: str
    reference: str | None
    created_at: datetime
    reverses: int | None
    postings: list[_Posting]


def create_app() -> FastAPI:
    """The floor application (a factory, as ``api.app:create_app`` is)."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    numbers = iter(range(1, 2**62))

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    @app.post("/v1/transfers", status_code=201)
    async def transfer(
        body: _Transfer,
        authorization: Annotated[str, Header()],
        idempotency_key: Annotated[str, Header()],
    ) -> _Transaction:
        return _Transaction(
            id=next(numbers),
            kind="transfer",
            memo=body.memo,
            reference=None,
            created_at=datetime.now(UTC),
            reverses=None,
            postings=[
                _Posting(account=body.payer, currency="MLC", amount="-" + body.amount),
                _Posting(account=body.payee, currency="MLC", amount=body.amount),
            ],
        )

    return app
