"""The application factory: settings in, a ready FastAPI application out.

Nothing happens at import time. ``create_app`` opens (lazily) the database named by the
settings unless one is handed in, wires the error mapping, the body limit and the
routers, and keeps what the routes need on ``app.state``. Serve it with
``uvicorn --factory api.app:create_app``.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import problems
from api.body_limit import BodyLimit
from api.checkout_runtime import CheckoutRuntime
from api.envelope import Envelope
from api.logging import configure_logging
from api.metrics import Metrics
from api.metrics import router as metrics_router
from api.payment_limit import include_limited
from api.principal_cache import PrincipalCache, forgets_credentials
from api.rate_limit import AttemptLimiter
from api.routers import (
    account_admin,
    accounts,
    api_keys,
    audit,
    auth,
    authorities,
    authority_statements,
    bank,
    books,
    chart,
    checkout,
    checkout_events,
    checkout_lists,
    conversions,
    directory,
    docs,
    exports,
    health,
    holds,
    liabilities,
    mandates,
    membership,
    merchant_space,
    notes,
    offices,
    passkeys,
    passwords,
    pay_pages,
    periods,
    reconversions,
    regie_counter,
    reserve,
    rules,
    transfers,
    transparency,
    users,
    versements,
    webhook_endpoints,
    witnesses,
)
from api.schemas.checkout import PayIn
from api.schemas.ledger import TransferIn
from api.shortcuts import PaymentShortcuts, Shortcut
from api.stopping import ending_streams_on_stop
from api.web import assets as web_assets
from api.web import (
    bo_accounts,
    bo_conversions,
    bo_dashboard,
    bo_membership,
    bo_reconversions,
    bo_rules,
    bo_users,
    directory_page,
    office_counter,
    office_screen,
    office_till,
    passkey_pages,
    regie_books,
    regie_space,
    regie_statements,
    regie_versements,
)
from api.web import bo_audit as web_bo_audit
from api.web import bo_bank as web_bo_bank
from api.web import bo_notes as web_bo_notes
from api.web import home as web_home
from api.web import regie_counter as web_regie_counter
from api.web import shop as web_shop
from api.web import shop_money as web_shop_money
from api.web import shop_profile as web_shop_profile
from api.web import shop_settings as web_shop_settings
from api.web import shop_staff as web_shop_staff
from api.web import wallet as web_wallet
from api.web import wallet_counted as web_wallet_counted
from api.web import wallet_more as web_wallet_more
from api.webhook_docs import document_webhooks
from monnaie_locale.acts import checkout as checkout_acts
from monnaie_locale.acts import transfers as transfer_acts
from monnaie_locale.checkout import DestinationPolicy
from monnaie_locale.checkout.http_sender import HttpxSender
from monnaie_locale.clock import Clock, utc_now
from monnaie_locale.config import Settings, load_settings
from monnaie_locale.database_url import sqlite_path
from monnaie_locale.deployment import from_settings as deployment_from_settings
from monnaie_locale.jobs import Scheduler, standard_jobs
from monnaie_locale.journal_content import key_from_secret
from monnaie_locale.store.database import Database, connect
from monnaie_locale.transparency.checkpoints import origin_of
from monnaie_locale.transparency.publishing import Cadence, Publisher, Publishing

__all__ = ["create_app", "open_database"]

DESCRIPTION = """\
The ledger of a local currency, over HTTP.

* Amounts are decimal strings (`"12.50"`; requests also accept `"12,50"`), never JSON numbers.
* Every request that moves money carries an `Idempotency-Key` header: a retry with the same
  key and body returns the first response; the same key with another body gets 409.
* Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`.
* Lists are paged with an opaque `cursor`; timestamps are ISO 8601 with their zone.
* Authenticate with `Authorization: Bearer <token>` (from `POST /v1/auth/login`) or a
  terminal's API key.
* Answers carry `Cache-Control: no-store` (tokens, keys and statements are kept by no
  cache) and `X-Content-Type-Options: nosniff`.
"""


def open_database(settings: Settings) -> Database:
    """Connect to the configured database, creating a SQLite file's folder if needed.

    The journal's rows are marked with the key of the deployment's secret. Reports and
    exports read from the standby of ``MLC_DATABASE_READ_URL``, if set.
    """
    # sqlite_path reads libpq's list of servers too, which make_url alone cannot.
    path = sqlite_path(settings.database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    secret = settings.secret_key.get_secret_value()
    database = connect(
        settings.database_url,
        journal_key=key_from_secret(secret),
        group_commit=settings.group_commit,
    )
    if settings.database_read_url:
        database.add_replica(settings.database_read_url)
    return database


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    clock: Clock = utc_now,
) -> FastAPI:
    """Build the application; ``database`` defaults to the one the settings name."""
    settings = settings if settings is not None else load_settings()
    configure_logging(settings.log_level)
    # Built first: a deployment rule the settings get wrong stops the start.
    deployment = deployment_from_settings(settings)
    owns_database = database is None
    database = database if database is not None else open_database(settings)

    checkout_runtime = CheckoutRuntime(settings, database=database)
    # Checkpoints are signed by the key that signs payment codes, under the log's origin.
    publisher = Publisher(
        origin_of(settings.public_host, settings.deployment_name), checkout_runtime.keyring
    )
    publishing = Publishing(
        deployment,
        publisher,
        Cadence(settings.checkpoint_every_entries, settings.checkpoint_every_minutes),
    )
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        scheduler = _scheduler(
            settings, database=database, clock=clock, metrics=metrics, publishing=publishing
        )
        if scheduler is not None:
            scheduler.start()
        if owns_database:
            # A serving process: what start-up built (about 200,000 objects) lives as long
            # as it does. Moved out of the collector's sight, it is no longer walked by
            # each full collection, which took 100-150 ms with it: a stall of every
            # request in flight.
            gc.freeze()
        with ending_streams_on_stop(checkout_runtime.close):
            yield
        checkout_runtime.close()
        if scheduler is not None:
            scheduler.stop()
        if owns_database:
            database.dispose()

    app = FastAPI(
        title=f"{settings.deployment_name} API",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        # FastAPI's own pages load Swagger UI and ReDoc from a CDN: api.routers.docs
        # serves the documentation from this deployment instead.
        docs_url=None,
        redoc_url=None,
        # The service observes itself with its own metrics and JSON logs (api.metrics,
        # api.logging). FastAPI's OpenTelemetry hooks, unused here, would still ask the
        # process's global providers on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
    )
    app.state.settings = settings
    app.state.database = database
    app.state.clock = clock
    app.state.checkout = checkout_runtime
    app.state.publisher = publisher
    app.state.login_limiter = AttemptLimiter(per_minute=settings.login_attempts_per_minute)
    app.state.payment_limiter = AttemptLimiter(per_minute=settings.payment_attempts_per_minute)
    app.state.deployment = deployment
    app.state.principals = PrincipalCache()
    app.state.metrics = metrics
    problems.install(app)
    # Innermost: the payment routes, answered without FastAPI's general machinery once
    # the request is seen to be well formed (api.shortcuts).
    app.add_middleware(PaymentShortcuts, shortcuts=_payment_shortcuts())
    app.add_middleware(
        BodyLimit, max_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes
    )
    # Outermost, so even a refused body or an unexpected failure carries the request id,
    # is counted and logged.
    app.add_middleware(Envelope, metrics=app.state.metrics)
    if settings.trusted_proxies:
        # The client's address from X-Forwarded-For, believed only from these proxies:
        # the sign-in limit counts by address, and anyone may write that header.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    # Credentials checked a moment ago are remembered (api.principal_cache); the routes
    # that revoke them, or change what they allow, have them checked afresh after.
    revoking = [Depends(forgets_credentials)]
    for router in (health, docs, auth, accounts):  # auth: sign-out forgets on its own
        app.include_router(router.router)
    app.include_router(api_keys.router, dependencies=revoking)
    # Revoking a passkey changes no credential a request carries: nothing to forget.
    app.include_router(passkeys.router)
    for router in (transfers, holds):
        include_limited(app, router.router)
    for checkout_router in (
        checkout,
        checkout_lists,
        checkout_events,
        webhook_endpoints,
        pay_pages,
    ):
        app.include_router(checkout_router.router)
    # A shop's own management; before reconversions, whose /{request_id} would take
    # /v1/reconversions/quote for a request's id.
    app.include_router(merchant_space.router)
    # The currency operations: every one that moves money counts as a payment attempt.
    for moving in (conversions, reconversions, notes, offices, membership, bank, books, mandates):
        include_limited(app, moving.router)
    app.include_router(reserve.router)
    # A holder's proof that their balance is counted in a checkpoint.
    app.include_router(liabilities.router)
    app.include_router(rules.router)
    # A régie's counter: its sales and its quittances.
    app.include_router(regie_counter.router)
    # Its versements to the public accountant, and their états.
    app.include_router(versements.router)
    # The public directory: reading it needs no sign-in.
    app.include_router(directory.router)
    # The published log: signed checkpoints, proofs, the journal's export, the alarms.
    app.include_router(transparency.router)
    app.include_router(transparency.well_known)
    # Administration: passwords and users, accounts' life, audit and exports.
    for admin_router in (passwords, users):
        app.include_router(admin_router.router, dependencies=revoking)
    for admin_router in (account_admin, audit, exports, chart, periods):
        app.include_router(admin_router.router)
    # What the local authorities' public accountants receive.
    app.include_router(authority_statements.router)
    # Local authorities: their set-up, and what their people read.
    app.include_router(authorities.router)
    # Provable backing: the published log's witnesses, their cosignatures, forks reported.
    app.include_router(witnesses.router)
    app.include_router(metrics_router)
    # The web app's pages (api.web): server-rendered, over the same acts.
    for page_router in (
        web_home,
        passkey_pages,
        directory_page,
        web_wallet,
        web_wallet_more,
        web_wallet_counted,
        web_shop,
        web_shop_money,
        web_shop_settings,
        web_shop_staff,
        web_shop_profile,
        bo_dashboard,
        bo_accounts,
        bo_conversions,
        bo_reconversions,
        bo_membership,
        bo_rules,
        web_bo_notes,
        web_bo_bank,
        office_screen,
        office_counter,
        office_till,
        web_bo_audit,
        # The régisseur's space: the régies' counters, quittances and versements.
        regie_space,
        web_regie_counter,
        regie_books,
        regie_versements,
        regie_statements,
        web_assets,
    ):
        app.include_router(page_router.router)
    # The users' pages disable, sign out, reset and link: credentials checked afresh after.
    app.include_router(bo_users.router, dependencies=revoking)
    app.include_router(pay_pages.session_router)
    document_webhooks(app)
    _document_problems(app)
    return app


def _payment_shortcuts() -> list[Shortcut]:
    """What a till and a payer's phone send all day: a transfer and a QR payment."""

    def route(router: APIRouter, path: str) -> APIRoute:
        return next(r for r in router.routes if isinstance(r, APIRoute) and r.path == path)

    return [
        Shortcut(
            route(transfers.router, "/v1/transfers"), TransferIn, transfer_acts.transfer_async
        ),
        Shortcut(
            route(checkout.router, "/v1/checkout/pay"),
            PayIn,
            checkout_acts.pay_async,
            with_runtime=True,
        ),
    ]


def _scheduler(
    settings: Settings,
    *,
    database: Database,
    clock: Clock,
    metrics: Metrics,
    publishing: Publishing,
) -> Scheduler | None:
    """The scheduled jobs of this process (see monnaie_locale.jobs), unless turned off."""
    if not settings.jobs_enabled:
        return None
    sender = HttpxSender(
        destinations=DestinationPolicy(allow_loopback=settings.webhook_allow_loopback),
        timeout_seconds=5.0,
    )
    intervals = {"deliver_webhooks": settings.webhook_poll_seconds, **settings.job_intervals}
    jobs = standard_jobs(database, send=sender, intervals=intervals, publishing=publishing)
    return Scheduler(database, jobs, clock=clock, on_run=metrics.observe_job, on_stop=sender.close)


def _document_problems(app: FastAPI) -> None:
    """Add the problem schemas, which responses name only by reference, to the document."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            document.setdefault("components", {}).setdefault("schemas", {}).update(
                problems.problem_schemas()
            )
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
