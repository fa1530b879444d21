"""Prometheus metrics: requests by route and status, their latency, payments, and jobs.

Each application has its own registry, so two applications in one process (tests) count
apart. Routes are labelled by their template (``/v1/holds/{hold_id}/post``), never by the
raw path, which would make one series per id. A payment is a successful transfer or a
posted hold. A scheduled job's period counts once per process that saw it: ``ok`` or
``failed`` where it ran, ``skipped`` where another process had claimed it.

``GET /metrics`` serves the text format. It is open to callers on the loopback interface
(a scraper on the same host, or behind a proxy on it); from anywhere else it needs
``Authorization: Bearer <MLC_METRICS_SECRET>``, and without that setting it is refused.
"""

from __future__ import annotations

import hmac
import time
from ipaddress import ip_address

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from monnaie_locale.auth.errors import NotAuthenticated
from monnaie_locale.jobs import JobRun

__all__ = ["PAYMENT_ROUTES", "Metrics", "MetricsMiddleware", "router"]

PAYMENT_ROUTES = frozenset({("POST", "/v1/transfers"), ("POST", "/v1/holds/{hold_id}/post")})
UNMATCHED = "unmatched"
# Payments are expected in milliseconds; the upper buckets catch a stalled database.
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """The collectors of one application."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "mlc_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "mlc_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ("method", "route"),
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.payments = Counter(
            "mlc_payments",
            "Payments made (transfers and posted holds), by route template.",
            ("route",),
            registry=self.registry,
        )

        self.job_runs = Counter(
            "mlc_job_runs",
            "Periods of scheduled jobs, by job and status (ok, failed, skipped).",
            ("job", "status"),
            registry=self.registry,
        )
        self.job_duration = Histogram(
            "mlc_job_duration_seconds",
            "Time a scheduled job took, by job, where this process ran it.",
            ("job",),
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.job_last_run = Gauge(
            "mlc_job_last_run_timestamp_seconds",
            "When this process last finished running a job (Unix time), by job.",
            ("job",),
            registry=self.registry,
        )

    def observe_job(self, run: JobRun) -> None:
        self.job_runs.labels(run.job, run.status).inc()
        if run.status != "skipped":
            self.job_duration.labels(run.job).observe(run.seconds)
            self.job_last_run.labels(run.job).set_to_current_time()

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)
        if 200 <= status < 300 and (method, route) in PAYMENT_ROUTES:
            self.payments.labels(route).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """ASGI middleware timing every HTTP request and counting it once answered."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_see(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_see)
        finally:
            # The router leaves the matched route in the scope it shares with us.
            route = getattr(scope.get("route"), "path", UNMATCHED)
            self.metrics.observe(scope["method"], route, status, time.perf_counter() - started)


def _from_loopback(request: Request) -> bool:
    if request.client is None:
        return False
    try:
        return ip_address(request.client.host).is_loopback
    except ValueError:
        return False


def _has_secret(request: Request) -> bool:
    secret = request.app.state.settings.metrics_secret
    if secret is None:
        return False
    given = request.headers.get("authorization", "")
    expected = f"Bearer {secret.get_secret_value()}"
    return hmac.compare_digest(given.encode(), expected.encode())


router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    if not (_from_loopback(request) or _has_secret(request)):
        raise NotAuthenticated("metrics are served to the loopback interface or with the secret")
    collected: Metrics = request.app.state.metrics
    return Response(collected.exposition(), media_type=CONTENT_TYPE_LATEST)
