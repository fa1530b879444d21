"""PostgreSQL clusters of their own for the deployment tests, made and always dropped.

Each cluster is made with Debian's ``pg_createcluster`` on a free port, with trust
authentication, and started; :func:`cluster` drops it whatever the test did. Names start
with ``mlct_``, the process id and a counter, so parallel test processes never collide
and a leftover is easy to recognise (``pg_lsclusters``).
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

PREFIX = "mlct_"
REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "deploy" / "postgres"
_counter = itertools.count(1)


@dataclass(frozen=True)
class Cluster:
    """One local cluster: where it lives and how to reach it."""

    name: str
    version: str
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def data_dir(self) -> Path:
        return Path("/var/lib/postgresql") / self.version / self.name

    @property
    def pid(self) -> int | None:
        """The postmaster's process id, None while the cluster is stopped."""
        try:
            return int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])
        except (FileNotFoundError, IndexError, ValueError):
            return None

    def engine(self, **options: object) -> Engine:
        """An engine on its ``postgres`` database; the caller disposes of it."""
        return create_engine(self.url, connect_args={"connect_timeout": 5}, **options)

    def scalar(self, sql: str) -> object:
        """Run ``sql`` in a connection of its own (autocommit); its first value, if any."""
        engine = self.engine(isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                result = conn.execute(text(sql))
                return result.scalar() if result.returns_rows else None
        finally:
            engine.dispose()

    def ctl(self, action: str) -> None:
        """``pg_ctlcluster VERSION NAME action``: start, stop, restart, promote."""
        run(["pg_ctlcluster", self.version, self.name, action])


def version() -> str:
    """The major version new clusters get: the newest installed server."""
    installed = sorted(
        (p.name for p in Path("/usr/lib/postgresql").iterdir() if (p / "bin").is_dir()),
        key=float,
    )
    return installed[-1]


def free_port() -> int:
    """A TCP port nothing listens on now (the kernel's pick), for a new cluster."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def unique_name(hint: str = "") -> str:
    """``mlct_<pid>_<n>[_hint]``: unique across parallel test processes."""
    suffix = f"_{hint}" if hint else ""
    return f"{PREFIX}{os.getpid()}_{next(_counter)}{suffix}"


def run(args: list[str], timeout: float = 120) -> str:
    """Run a command, return its standard output; fail with its output on any error."""
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} exited {done.returncode}\n"
            f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        )
    return done.stdout


def script(name: str, *args: object, timeout: float = 120) -> str:
    """Run one of deploy/postgres's scripts with ``args``."""
    return run([str(SCRIPTS / name), *map(str, args)], timeout=timeout)


def make_cluster(name: str, port: int, *, options: dict[str, str] | None = None) -> Cluster:
    """Create and start cluster ``name`` on ``port``, trust authentication.

    ``options`` are settings for its postgresql.conf (e.g. ``{"archive_mode": "on"}``),
    values unquoted: pg_createcluster quotes them.
    """
    major = version()
    settings = [arg for key, value in (options or {}).items() for arg in ("-o", f"{key}={value}")]
    # --no-sync: a test cluster need not survive a power cut, and initdb is faster.
    trust = ["--", "--auth-local=trust", "--auth-host=trust", "--no-sync"]
    run(["pg_createcluster", major, name, "-p", str(port), "--start", *settings, *trust])
    made = Cluster(name=name, version=major, port=port)
    wait_for(lambda: _accepts(made), f"{name} to accept connections")
    return made


def drop(cluster: Cluster | str, version_: str | None = None) -> None:
    """Stop and drop a cluster (by object or by name); nothing if it is gone already."""
    name = cluster.name if isinstance(cluster, Cluster) else cluster
    major = cluster.version if isinstance(cluster, Cluster) else (version_ or version())
    subprocess.run(
        ["pg_dropcluster", "--stop", major, name], capture_output=True, timeout=120, check=False
    )


@contextmanager
def cluster(hint: str = "", *, options: dict[str, str] | None = None) -> Iterator[Cluster]:
    """A new started cluster, dropped on the way out whatever happened."""
    name = unique_name(hint)
    try:
        yield make_cluster(name, free_port(), options=options)
    finally:
        drop(name)


@contextmanager
def dropping(*names: str) -> Iterator[None]:
    """Drop the clusters of these names on the way out: for clusters a script makes."""
    try:
        yield
    finally:
        for name in names:
            drop(name)


def drop_leftovers() -> list[str]:
    """Drop the clusters of test processes that died before dropping them (killed, say);
    return their names. A live process's clusters are left alone."""
    dropped = []
    for line in run(["pg_lsclusters", "-h"]).splitlines():
        major, name = line.split()[:2]
        found = re.fullmatch(rf"{PREFIX}(\d+)_.*", name)
        if found and not Path(f"/proc/{found[1]}").exists():
            drop(name, major)
            dropped.append(name)
    return dropped


def wait_for(check: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {seconds}s waiting for {what}")
        time.sleep(0.1)


def _accepts(made: Cluster) -> bool:
    try:
        return made.scalar("SELECT 1") == 1
    except Exception:  # not up yet: any error means try again
        return False


def missing_tools(*, nginx: bool = False) -> str | None:
    """Why these tests cannot run here, or None when they can."""
    if os.geteuid() != 0:
        return "needs root (pg_createcluster, pg_ctlcluster)"
    for tool in ("pg_createcluster", "pg_dropcluster", "pg_ctlcluster", "pg_lsclusters"):
        if shutil.which(tool) is None:
            return f"needs {tool} (Debian's postgresql-common)"
    if nginx and shutil.which("nginx") is None:
        return "needs nginx"
    return None


def gate(problem: str | None) -> None:
    """Skip the test for ``problem`` (see :func:`missing_tools`), or fail it under
    ``CI=true``: CI must run these tests, never skip them silently."""
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"deployment test cannot run in CI: {problem}", pytrace=False)
    pytest.skip(problem)
