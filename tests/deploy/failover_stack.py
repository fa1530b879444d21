"""The pieces of the failover test: a seeded ledger, the service, nginx with TLS, the payers.

Each piece is a context manager that stops what it started, whatever happened inside:
:func:`service` (uvicorn with its workers, on a URL naming several servers), :func:`nginx_in_front`
(its own configuration, pid file, logs and temporary files in a folder of the test's,
the project's ``deploy/nginx/proxy.conf`` included in a TLS ``server``), and
:class:`Payers`, client threads paying through nginx, each payment under its own
``Idempotency-Key``, a failed one retried with the same key until acknowledged.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import itertools
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import Connection, func, select

from monnaie_locale import journal
from monnaie_locale.auth import Role, create_user, issue_token, link_account
from monnaie_locale.clock import utc_now
from monnaie_locale.config import Settings
from monnaie_locale.deployment import create_system_accounts, open_holder_account
from monnaie_locale.deployment import from_settings as deployment_from_settings
from monnaie_locale.ledger import service as ledger
from monnaie_locale.model import AccountKind, TransferRequest
from monnaie_locale.store import connect, migrate
from monnaie_locale.store.tables import accounts, transactions
from tests.deploy.clusters import REPO, free_port

HOST = "127.0.0.1"
FUNDING = 10_000_000  # minor units per member: no payment ever runs short
AMOUNT = "1.00"
MEMO = "failover"


@dataclass(frozen=True)
class Payer:
    account: str
    token: str
    merchant: str


def seed(url: str, *, members: int, merchants: int) -> list[Payer]:
    """Migrate, open the account plan, fund the members and sign each one in."""
    database = connect(url)
    try:
        migrate(database)
        deployment = deployment_from_settings(Settings(database_url=url))
        member_codes = [f"member:{i:04d}" for i in range(members)]
        merchant_codes = [f"business:{i:04d}" for i in range(merchants)]

        def set_up(conn: Connection) -> list[str]:
            now = utc_now()
            create_system_accounts(conn, deployment, now=now)
            for code in member_codes:
                open_holder_account(conn, deployment, code, kind=AccountKind.MEMBER, now=now)
            for code in merchant_codes:
                open_holder_account(conn, deployment, code, kind=AccountKind.BUSINESS, now=now)
            tokens = []
            for code in member_codes:
                user = create_user(
                    conn,
                    code.replace(":", "-"),
                    password="a member's password",
                    role=Role.MEMBER,
                    now=now,
                )
                link_account(conn, user.id, account_code=code)
                tokens.append(issue_token(conn, user.id, now=now, ttl=timedelta(hours=2)).token)
            return tokens

        tokens = database.write(set_up)
        # Issuance is no holder account: the funding goes through the engine itself.
        fundings = [TransferRequest.simple("issuance", code, FUNDING) for code in member_codes]
        database.write(
            lambda conn: ledger.post_batch(conn, fundings, idempotency_key="fund", clock=utc_now)
        )
        journal.seal_queue(database, clock=utc_now)
    finally:
        database.dispose()
    return [
        Payer(code, token, merchant_codes[i % merchants])
        for i, (code, token) in enumerate(zip(member_codes, tokens, strict=True))
    ]


# TLS ---------------------------------------------------------------------------------


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, written in ``folder``; the certificate is
    its own authority, so clients verify it instead of turning verification off."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


# Processes -----------------------------------------------------------------------------


def stop_process(process: subprocess.Popen[bytes], *, grace: float) -> None:
    """SIGTERM to the process's group (uvicorn's workers, nginx's), SIGKILL after ``grace``."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        process.wait()


@contextmanager
def service(
    url: str, folder: Path, *, workers: int = 2, signing_key_pem: str
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """The application under uvicorn on a free port; its output in ``folder/service.log``."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "MLC_DATABASE_URL": url,
        "MLC_JOBS_ENABLED": "true",
        # One key for every worker: each would otherwise make its own.
        "MLC_SIGNING_KEY_PEM": signing_key_pem,
        # The per-caller limit protects a real deployment; here every client pays flat out.
        "MLC_PAYMENT_ATTEMPTS_PER_MINUTE": "10000000",
        "MLC_TRUSTED_PROXIES": f'["{HOST}"]',
        "MLC_LOG_LEVEL": "WARNING",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "api.app:create_app",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    with (folder / "service.log").open("wb") as log:
        process = subprocess.Popen(
            command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield port, process
        finally:
            stop_process(process, grace=20)


NGINX_CONF = """
worker_processes 1;
{user}
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream monnaie_locale {{
        server {host}:{upstream};
        keepalive 16;
    }}
    server {{
        listen {host}:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        include {proxy_conf};
    }}
}}
"""


@contextmanager
def nginx_in_front(upstream: int, folder: Path, *, proxy_conf: Path) -> Iterator[tuple[int, Path]]:
    """nginx in front of ``upstream`` with TLS; yields its port and the certificate."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = self_signed(folder)
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            # Run as root, nginx's workers would become nobody, who cannot enter the
            # test's private folder: they stay who the master is.
            user="user root;" if os.geteuid() == 0 else "",
            folder=folder,
            host=HOST,
            upstream=upstream,
            port=port,
            cert=cert,
            key=key,
            proxy_conf=proxy_conf,
        )
    )
    base = ["nginx", "-p", str(folder), "-e", str(folder / "nginx-error.log"), "-c", str(conf)]
    checked = subprocess.run([*base, "-t"], capture_output=True, text=True, check=False)
    if checked.returncode != 0:
        raise AssertionError(f"nginx refuses its configuration:\n{checked.stderr}")
    process = subprocess.Popen(
        [*base, "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield port, cert
    finally:
        stop_process(process, grace=10)


def client(port: int, cert: Path, *, timeout: float = 10.0) -> httpx.Client:
    """An HTTPS client of nginx that checks its certificate."""
    context = ssl.create_default_context(cafile=str(cert))
    return httpx.Client(base_url=f"https://{HOST}:{port}", verify=context, timeout=timeout)


def wait_answering(
    port: int, cert: Path, process: subprocess.Popen[bytes], *, seconds: float
) -> None:
    """Until the service answers ready through nginx; fails if it exits or never does."""
    deadline = time.monotonic() + seconds
    with client(port, cert, timeout=2) as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"the service exited with status {process.returncode}")
            try:
                if http.get("/readyz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise AssertionError(f"the service did not answer through nginx within {seconds} s")


# The load ------------------------------------------------------------------------------


@dataclass
class Ack:
    """A payment the service acknowledged: its key, its transaction, when (monotonic)."""

    key: str
    transaction_id: int
    at: float


@dataclass
class Payers:
    """Client threads paying through nginx until :meth:`stop`.

    Each payment has a key of its own; a payment not acknowledged (an error status, a
    connection cut, a timeout) is sent again with the same key until it is, or until the
    end: its outcome is then unknown, and it must be in the books at most once.
    """

    port: int
    cert: Path
    payers: list[Payer]
    threads: int = 8
    acks: list[Ack] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # keys never acknowledged
    outcomes: Counter[str] = field(default_factory=Counter)
    slowest_refusal: float = 0.0  # seconds: the longest a refused attempt took
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _workers: list[threading.Thread] = field(default_factory=list)
    failures: list[BaseException] = field(default_factory=list)

    def start(self) -> None:
        for number in range(self.threads):
            mine = self.payers[number :: self.threads]
            worker = threading.Thread(target=self._run, args=(mine,), name=f"payer-{number}")
            worker.start()
            self._workers.append(worker)

    def stop(self) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=30)

    def acks_after(self, moment: float) -> int:
        with self._lock:
            return sum(1 for ack in self.acks if ack.at > moment)

    def _run(self, mine: list[Payer]) -> None:
        try:
            with client(self.port, self.cert) as http:
                turn = 0
                while not self._stop.is_set():
                    payer = mine[turn % len(mine)]
                    turn += 1
                    self._pay(http, payer, key=str(uuid.uuid4()))
        except BaseException as exc:  # the test reports it rather than hanging on it
            self.failures.append(exc)

    def _pay(self, http: httpx.Client, payer: Payer, *, key: str) -> None:
        body = {"payer": payer.account, "payee": payer.merchant, "amount": AMOUNT, "memo": MEMO}
        headers = {"Authorization": f"Bearer {payer.token}", "Idempotency-Key": key}
        while not self._stop.is_set():
            sent = time.monotonic()
            try:
                answer = http.post("/v1/transfers", json=body, headers=headers)
            except httpx.TransportError as exc:
                outcome = type(exc).__name__
            else:
                if answer.status_code == 201:
                    ack = Ack(key, int(answer.json()["id"]), time.monotonic())
                    with self._lock:
                        self.acks.append(ack)
                        self.outcomes["201"] += 1
                    return
                outcome = str(answer.status_code)
            with self._lock:
                self.outcomes[outcome] += 1
                self.slowest_refusal = max(self.slowest_refusal, time.monotonic() - sent)
            time.sleep(0.05)
        with self._lock:
            self.unknown.append(key)


@dataclass(frozen=True)
class Outage:
    """When payments stopped going through around a kill, in seconds after it."""

    last_before: float  # the last acknowledgement before the kill (negative)
    first_after: float  # the first acknowledgement after the outage

    @property
    def seconds(self) -> float:
        """From the last payment acknowledged before the kill to the next one served."""
        return self.first_after - self.last_before


def outage(acks: list[Ack], killed_at: float) -> Outage:
    """The outage around ``killed_at``: it ends with the longest wait between two
    acknowledgements from the last one before the kill on, so that answers already on
    their way at the kill do not count as the service being back."""
    times = sorted(ack.at for ack in acks)
    before = [t for t in times if t <= killed_at]
    start = before[-1] if before else killed_at
    window = [start, *(t for t in times if t > start)]
    if len(window) < 2:
        raise ValueError("no payment acknowledged after the kill")
    _, end = max(itertools.pairwise(window), key=lambda pair: pair[1] - pair[0])
    return Outage(start - killed_at, end - killed_at)


# The books -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Books:
    """What the failover test reads back: the payments by key, and balances' sums."""

    by_key: dict[str, list[int]]  # key the client sent -> transaction ids under it
    sums: dict[str, int]  # currency -> sum of the accounts' balances


def read_books(conn: Connection) -> Books:
    rows = conn.execute(
        select(transactions.c.id, transactions.c.idempotency_key).where(transactions.c.memo == MEMO)
    ).all()
    by_key: dict[str, list[int]] = {}
    for transaction_id, scoped in rows:
        # The act scopes a client's key by who sent it; the client's key ends it.
        client_key = str(scoped)[-36:]
        by_key.setdefault(client_key, []).append(int(transaction_id))
    totals = conn.execute(
        select(accounts.c.currency, func.sum(accounts.c.balance)).group_by(accounts.c.currency)
    ).all()
    sums = {str(currency): int(total) for currency, total in totals}
    return Books(by_key=by_key, sums=sums)
