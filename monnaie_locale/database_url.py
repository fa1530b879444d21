"""What a database URL says, for whoever has to name or find the database it points to.

SQLAlchemy reads the URLs (its :func:`~sqlalchemy.engine.make_url`), so that every part of
the project understands a URL the way the connection will. :func:`engine_url` first puts
a URL in the form the engine takes:

- ``postgresql://`` and ``postgres://`` name the psycopg driver;
- several PostgreSQL servers, a primary and its standbys, may be named as libpq names
  them, ``postgresql://user@h1:5433,h2:5434/db?target_session_attrs=read-write``, or as
  SQLAlchemy does, ``postgresql+psycopg://user@/db?host=h1:5433&host=h2:5434&...``. A
  connection tries them in turn; with ``target_session_attrs=read-write`` it settles on
  the one that takes writes, so after a standby is promoted new connections find it;
- a PostgreSQL URL without ``connect_timeout`` gets :data:`CONNECT_TIMEOUT_SECONDS`: a
  server that does not answer costs a request that long, not the two minutes the driver
  would otherwise wait, before the next server is tried or the service answers 503.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode, urlsplit

from sqlalchemy.engine import make_url

__all__ = ["CONNECT_TIMEOUT_SECONDS", "engine_url", "hosts_in_query", "safe_url", "sqlite_path"]

# Seconds a connection attempt waits for each server (libpq counts it per host; it
# cannot be less than 2).
CONNECT_TIMEOUT_SECONDS = 3

_DRIVER = "postgresql+psycopg"
_BARE_SCHEMES = ("postgresql", "postgres")


def engine_url(url: str) -> str:
    """``url`` as the engine takes it (see the module's docstring); others unchanged.

    Raises ValueError for a list of servers the URL does not spell right.
    """
    scheme, separator, rest = url.partition("://")
    if not separator or scheme not in (*_BARE_SCHEMES, _DRIVER):
        return url
    parsed = make_url(hosts_in_query(f"{_DRIVER}://{rest}"))
    if "connect_timeout" not in parsed.query:
        parsed = parsed.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT_SECONDS)})
    return parsed.render_as_string(hide_password=False)


def hosts_in_query(url: str) -> str:
    """libpq's ``user@h1:p1,h2:p2/db`` as SQLAlchemy's ``user@/db?host=h1,h2&port=p1,p2``.

    A URL naming one server, or none before its path, is returned as it is.
    """
    parts = urlsplit(url)
    userinfo, at, hostlist = parts.netloc.rpartition("@")
    if "," not in hostlist:
        return url
    hosts: list[str] = []
    ports: list[str] = []
    for spec in hostlist.split(","):
        host, port = _host_and_port(spec)
        hosts.append(host)
        ports.append(port)
    named = {"host": ",".join(hosts)}
    if any(ports):  # an empty one stands for the default port, as in libpq
        named["port"] = ",".join(ports)
    query = "&".join(part for part in (parts.query, urlencode(named)) if part)
    return f"{parts.scheme}://{userinfo}{at}{parts.path or '/'}?{query}"


def _host_and_port(spec: str) -> tuple[str, str]:
    if spec.startswith("["):  # an IPv6 address: [::1]:5432
        host, bracket, after = spec[1:].partition("]")
        port = after.removeprefix(":")
        if not bracket or (after and not after.startswith(":")):
            raise ValueError(f"unreadable server in a database URL: {spec!r}")
    else:
        host, _, port = spec.partition(":")
    if not host or (port and not port.isdigit()):
        raise ValueError(f"unreadable server in a database URL: {spec!r}")
    return host, port


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for another engine or an in-memory database."""
    parsed = make_url(hosts_in_query(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def safe_url(url: str) -> str:
    """The URL with its password masked, fit to print in a message."""
    return make_url(hosts_in_query(url)).render_as_string(hide_password=True)
