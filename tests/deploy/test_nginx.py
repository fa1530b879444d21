"""The production site of deploy/nginx in front of the real service, over TLS.

A real nginx runs the site file ``deploy/nginx/monnaie-locale.conf`` as shipped, with
``deploy/nginx/proxy.conf`` included, and only what a test machine must change changed:
its ports, its upstream (the service on a free loopback port), and a self-signed
certificate in place of the association's. Behind it, uvicorn serves the application over
a SQLite database made for the test. Through nginx: a payment works; a body over the
limit is refused by nginx, before the service reads it, and an upload within the uploads'
limit is not; a till's event stream delivers its first event while the stream goes on;
and the service sees the client's own address, never the one a client claims.

nginx and openssl are Debian packages; without them the test is skipped, except in CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from monnaie_locale.config import Settings
from monnaie_locale.payments import SigningKey
from monnaie_locale.signing_keys import write_new_key
from monnaie_locale.store import connect, migrate
from tests.deploy.shop_support import PASSWORD, Shop, open_shop, pay
from tests.e2e.support import live_server

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "nginx"
SITE = DEPLOY / "monnaie-locale.conf"
PROXY = DEPLOY / "proxy.conf"
# The client connects from this loopback address; nginx, to the service, from 127.0.0.1.
CLIENT_ADDRESS = "127.0.0.2"


def _tools_or_skip() -> tuple[str, str]:
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    openssl = shutil.which("openssl")
    if nginx is None or openssl is None:
        message = "nginx and openssl are needed (Debian packages nginx, openssl)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return nginx, openssl


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _replace_once(text: str, old: str, new: str) -> str:
    # The site file as shipped must still hold what the test replaces: a change to it
    # fails here, not by testing something else.
    assert text.count(old) == 1, f"{old!r} should appear once in {SITE.name}"
    return text.replace(old, new)


def site_for_test(
    *, tls_port: int, plain_port: int, upstreams: list[int], cert: Path, key: Path
) -> str:
    """The shipped site file with its ports, workers and certificate replaced."""
    site = SITE.read_text()
    site = _replace_once(
        site, "include /etc/nginx/snippets/monnaie-locale-proxy.conf;", f"include {PROXY};"
    )
    site = _replace_once(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{tls_port} ssl http2;")
    site = _replace_once(site, "listen 80;", f"listen 127.0.0.1:{plain_port};")
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)
    site = _replace_once(site, "/etc/letsencrypt/live/pay.eusko.example/fullchain.pem", str(cert))
    site = _replace_once(site, "/etc/letsencrypt/live/pay.eusko.example/privkey.pem", str(key))
    workers = re.findall(r"\n\s*server 127\.0\.0\.1:\d+;", site)
    assert len(workers) >= 2, "the upstream lists several workers"
    for worker in workers:
        site = site.replace(worker, "")
    servers = "".join(f"\n    server 127.0.0.1:{port};" for port in upstreams)
    return _replace_once(site, "upstream monnaie_locale {", "upstream monnaie_locale {" + servers)


def nginx_conf(prefix: Path, site: str) -> str:
    """A whole nginx configuration around ``site``, writing only under ``prefix``."""
    temp = "\n".join(
        f"    {kind}_temp_path {prefix / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, nginx's workers would run as nobody, who cannot enter pytest's folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}daemon off;
worker_processes 1;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    default_type application/octet-stream;
{temp}
    # Compression on for every type, as a distribution's or an admin's setting might be:
    # the event stream's location must turn it off for itself.
    gzip on;
    gzip_types *;
{site}
}}
"""


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[tuple[Shop, str]]:
    """The service on a free loopback port, trusting nginx's address; and its base URL."""
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    database = connect(url)
    migrate(database)
    opened = open_shop(database)
    # Every worker signs and checks payment codes with the same key, as in production.
    key = tmp_path / "signing.pem"
    write_new_key(key, SigningKey.generate(), passphrase=None)
    settings = Settings(
        database_url=url,
        signing_key_file=key,
        webhook_poll_seconds=3600,
        trusted_proxies=("127.0.0.1",),
        login_attempts_per_minute=1000,
    )
    app = create_app(settings, database=database)
    with live_server(app) as base:
        yield Shop(opened.tokens, app), base
    database.dispose()


@contextmanager
def nginx_in_front(upstreams: list[int], prefix: Path) -> Iterator[httpx.Client]:
    """nginx running the site before the workers on ``upstreams``; a client reaching it
    over TLS from CLIENT_ADDRESS."""
    nginx, openssl = _tools_or_skip()
    prefix.mkdir()
    cert, key = prefix / "cert.pem", prefix / "key.pem"
    # A self-signed certificate for 127.0.0.1, valid a day: the client trusts it alone.
    request = "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1"
    names = "-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1"
    subprocess.run(
        [openssl, *request.split(), *names.split(), "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    tls_port, plain_port = _free_port(), _free_port()
    site = site_for_test(
        tls_port=tls_port, plain_port=plain_port, upstreams=upstreams, cert=cert, key=key
    )
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_conf(prefix, site))
    error_log = prefix / "error.log"
    process = subprocess.Popen(
        [nginx, "-p", str(prefix), "-c", str(conf), "-e", str(error_log)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_listening(tls_port, process)
        trusted = ssl.create_default_context(cafile=str(cert))
        transport = httpx.HTTPTransport(local_address=CLIENT_ADDRESS, verify=trusted)
        with httpx.Client(
            base_url=f"https://127.0.0.1:{tls_port}", transport=transport, timeout=10
        ) as client:
            yield client
    finally:
        process.send_signal(signal.SIGQUIT)  # nginx's graceful stop
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


@pytest.fixture
def proxied(shop: tuple[Shop, str], tmp_path: Path) -> Iterator[tuple[Shop, httpx.Client]]:
    """nginx in front of the service; a client reaching it over TLS from CLIENT_ADDRESS."""
    service, base = shop
    with nginx_in_front([_port(base)], tmp_path / "nginx") as client:
        yield service, client


def _wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors = process.stderr.read().decode() if process.stderr else ""
            pytest.fail(f"nginx did not start: {errors}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail("nginx did not listen within 10 s")


def test_a_payment_goes_through_nginx_over_tls(proxied: tuple[Shop, httpx.Client]) -> None:
    service, client = proxied
    paid = pay(client, service, "4.20")
    assert (paid["payer_account"], paid["merchant_account"]) == ("alice", "bakery")
    assert "nginx" in client.get("/healthz").headers["server"]


def test_nginx_refuses_a_body_over_the_limit_before_the_service_reads_it(
    proxied: tuple[Shop, httpx.Client],
) -> None:
    service, client = proxied
    padding = "x" * (65 * 1024)
    refused = client.post(
        "/v1/checkout/pay",
        json={"request": padding},
        headers={**service.auth("alice"), "Idempotency-Key": "big"},
    )
    assert refused.status_code == 413
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "body_too_large"
    # Every answer of the service carries its request id: this one never reached it.
    assert "x-request-id" not in refused.headers


def test_an_upload_route_takes_the_uploads_limit_and_no_more(
    proxied: tuple[Shop, httpx.Client],
) -> None:
    service, client = proxied
    headers = {**service.auth("treasurer"), "Idempotency-Key": "statement"}
    # A megabyte reaches the service, which judges the file itself.
    statement = client.post(
        "/v1/bank/statements",
        files={"file": ("statement.csv", b"x" * 1024 * 1024, "text/csv")},
        data={"account": "main"},
        headers=headers,
    )
    assert statement.status_code != 413, statement.text
    assert "x-request-id" in statement.headers
    too_large = client.post(
        "/v1/bank/statements",
        files={"file": ("statement.csv", b"x" * 9 * 1024 * 1024, "text/csv")},
        headers=headers,
    )
    assert too_large.status_code == 413
    assert "x-request-id" not in too_large.headers


def test_a_tills_event_stream_arrives_through_nginx_as_it_happens(
    proxied: tuple[Shop, httpx.Client],
) -> None:
    service, client = proxied
    paid: list[dict[str, Any]] = []
    started = time.monotonic()
    with client.stream(
        "GET",
        "/v1/checkout/events",
        params={"account": "bakery"},
        headers={**service.auth("till"), "Accept-Encoding": "gzip"},
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in response.headers
        data = None
        for line in response.iter_lines():
            # The stream opens with its retry delay: pay once it is seen.
            if line.startswith("retry:"):
                paid.append(pay(client, service, "2.50"))
            if line.startswith("data:"):
                data = json.loads(line.removeprefix("data:"))
                break
        # The event came while the stream goes on, long before nginx's read timeout.
        assert not response.is_closed
    assert data == paid[0]["receipt"]
    assert time.monotonic() - started < 10


def test_the_service_sees_the_clients_address_not_the_one_it_claims(
    proxied: tuple[Shop, httpx.Client],
) -> None:
    service, client = proxied
    signed_in = client.post(
        "/v1/auth/login",
        json={"username": "alice", "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    assert signed_in.status_code == 200, signed_in.text
    # The sign-in limit counts by the address the service believes.
    counted = set(service.app.state.login_limiter._counts)
    assert counted == {CLIENT_ADDRESS}


def test_nginx_routes_around_a_worker_that_stops(shop: tuple[Shop, str], tmp_path: Path) -> None:
    """Two workers; one stops, as one does while it restarts: every payment still goes
    through, nginx trying the other worker when the stopped one refuses the connection."""
    service, base = shop
    second = create_app(service.app.state.settings, database=service.app.state.database)
    with ExitStack() as workers:
        other = workers.enter_context(live_server(second))
        with nginx_in_front([_port(base), _port(other)], tmp_path / "nginx") as client:
            for amount in ("1.01", "1.02", "1.03"):
                pay(client, service, amount)
            workers.close()  # the second worker stops; nginx and the first go on
            for amount in ("1.04", "1.05", "1.06", "1.07"):
                pay(client, service, amount)
            # Some of those went to the stopped worker first.
            errors = (tmp_path / "nginx" / "error.log").read_text()
            assert "Connection refused" in errors
