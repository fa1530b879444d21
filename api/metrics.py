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
from ipaddress import ip_address

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

from monnaie_locale.auth.errors import NotAuthenticated
from monnaie_locale.jobs import JobRun

__all__ = ["PAYMENT_ROUTES", "UNMATCHED", "Metrics", "router"]

PAYMENT_ROUTES = frozenset({("POST", "/v1/transfers"), ("POST", "/v1/holds/{hold_id}/post")})
UNMATCHED = "unmatched"
# Payments are expected in milliseconds; the upper buckets catch a stalled database.
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

# The request counter, the latency histogram and, for a payment, the payment counter.
_Series = tuple[Counter, Histogram, Counter | None]


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

        # The labelled series of each (method, route, status) seen, found once.
        self._series: dict[tuple[str, str, int], _Series] = {}

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
        series = self._series.get((method, route, status))
        if series is None:
            series = self._series[(method, route, status)] = self._children(method, route, status)
        requests, latency, payments = series
        requests.inc()
        latency.observe(seconds)
        if payments is not None:
            payments.inc()

    def _children(self, method: str, route: str, status: int) -> _Series:
        # Finding a labelled series takes a lock and checks its labels: done once for each.
        paid = 200 <= status < 300 and (method, route) in PAYMENT_ROUTES
        return (
            self.requests.labels(method, route, str(status)),
            self.latency.labels(method, route),
            self.payments.labels(route) if paid else None,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


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
