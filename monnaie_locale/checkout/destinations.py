"""Where a webhook may be sent: hosts of the public internet, never the service's own network.

A merchant owner chooses the URL its webhooks go to. Were any URL accepted, the service
would post to addresses only it can reach (``127.0.0.1:5432``, the cloud's metadata
service at ``169.254.169.254``, a neighbour on the private network), and the delivery log,
which shows what each try got back, would turn it into a port scanner for whoever holds a
shop. So a destination is refused when its host is, or resolves to, an address that is
loopback, private, link-local, multicast, reserved or unspecified, or shared (carrier NAT),
in IPv4 or IPv6; an IPv6 address that embeds an IPv4 one (``::ffff:a.b.c.d``, 6to4) is
judged by the address it embeds. A name that resolves to several addresses is refused if
any of them is refused: a client could pick either.

The check runs twice (:class:`DestinationPolicy`):

* when the endpoint is registered (:meth:`DestinationPolicy.check_url`), so the owner is
  told at once. A name that does not resolve yet is accepted: it reaches nothing, and the
  check below runs anyway;
* at every delivery (:meth:`DestinationPolicy.addresses`), because the name's records can
  change after registration. The sender then connects to one of the addresses it checked,
  never to a name resolved a second time (see :mod:`monnaie_locale.checkout.http_sender`).

A refused delivery is logged as refused, with no address and no status: the log must not
tell what answers inside the network. Loopback may be allowed for a developer's own tests
(``MLC_WEBHOOK_ALLOW_LOOPBACK``, refused in production); nothing else is ever allowed.

Name resolution is injected (:data:`Resolve`), so tests need no DNS.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import SplitResult, urlsplit

from monnaie_locale.checkout.errors import InvalidWebhookUrl, WebhookDestinationRefused

__all__ = [
    "MAX_URL_LENGTH",
    "Address",
    "CheckedUrl",
    "DestinationPolicy",
    "DestinationRefused",
    "Resolve",
    "Unresolvable",
    "is_refused",
    "system_resolve",
]

MAX_URL_LENGTH = 2000

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# resolve(host, port) -> the addresses the host name stands for, as text; raises
# Unresolvable when it stands for none.
Resolve = Callable[[str, int], Sequence[str]]


@dataclass(frozen=True, slots=True)
class CheckedUrl:
    """A webhook URL that :meth:`DestinationPolicy.check_url` accepted."""

    url: str


class Unresolvable(Exception):
    """Raised by a resolver when a host name has no address (or DNS cannot say)."""


class DestinationRefused(Exception):
    """Raised at delivery when the URL's host is, or resolves to, a refused address."""


def system_resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host`` as the system's resolver gives them, in its order."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Unresolvable(host) from exc
    return [str(sockaddr[0]) for *_, sockaddr in found]


def is_refused(address: Address, *, allow_loopback: bool = False) -> bool:
    """True when ``address`` is not one of the public internet."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_refused(address.ipv4_mapped, allow_loopback=allow_loopback)
        if address.sixtofour is not None and is_refused(address.sixtofour):
            return True
        if address.is_site_local:
            return True
    if allow_loopback and address.is_loopback:
        return False
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        # is_global is False as well for shared (carrier NAT) and documentation ranges.
        or not address.is_global
    )


@dataclass(frozen=True, slots=True)
class DestinationPolicy:
    """Which webhook destinations are allowed, and how host names are resolved."""

    allow_loopback: bool = False
    resolve: Resolve = field(default=system_resolve)

    def check_url(self, url: str) -> CheckedUrl:
        """``url`` if it is an absolute http(s) URL whose host is public; else
        :class:`InvalidWebhookUrl` or :class:`WebhookDestinationRefused`. It may wait for
        DNS: call it outside any transaction."""
        parts = _parts(url)
        host, port = _host(parts), _port(parts, url)
        try:
            self.addresses(host, port)
        except DestinationRefused as exc:
            raise WebhookDestinationRefused(url) from exc
        except Unresolvable:
            pass  # reaches nothing today; checked again at each delivery
        return CheckedUrl(url)

    def target(self, url: str) -> tuple[str, int]:
        """The host and port ``url`` names, for a sender; :class:`InvalidWebhookUrl` if it
        is no absolute http(s) URL."""
        parts = _parts(url)
        return _host(parts), _port(parts, url)

    def addresses(self, host: str, port: int) -> list[Address]:
        """The addresses to connect to for ``host``, all of them allowed.

        Raises :class:`DestinationRefused` if any is refused, :class:`Unresolvable` if
        there is none.
        """
        literal = _literal(host)
        if literal is None and _is_localhost_name(host):
            # RFC 6761: such names are loopback whatever a resolver says.
            literal = ipaddress.ip_address("127.0.0.1")
        found = [literal] if literal is not None else _resolved(self.resolve, host, port)
        if not found:
            raise Unresolvable(host)
        if any(is_refused(address, allow_loopback=self.allow_loopback) for address in found):
            raise DestinationRefused(host)
        return found


def _parts(url: str) -> SplitResult:
    if len(url) > MAX_URL_LENGTH or not url.isascii() or any(c.isspace() for c in url):
        raise InvalidWebhookUrl(url)
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise InvalidWebhookUrl(url) from exc
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise InvalidWebhookUrl(url)
    return parts


def _host(parts: SplitResult) -> str:
    host = parts.hostname or ""
    return host.rstrip(".") or host


def _port(parts: SplitResult, url: str) -> int:
    try:
        port = parts.port
    except ValueError as exc:
        raise InvalidWebhookUrl(url) from exc
    if port == 0:
        raise InvalidWebhookUrl(url)
    return port if port is not None else (443 if parts.scheme == "https" else 80)


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    # inet_aton reads what some resolvers read too: "127.1", "2130706433", "0x7f.1".
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _is_localhost_name(host: str) -> bool:
    name = host.lower()
    return name == "localhost" or name.endswith(".localhost")


def _resolved(resolve: Resolve, host: str, port: int) -> list[Address]:
    found: list[Address] = []
    for text in resolve(host, port):
        # A scoped IPv6 address ("fe80::1%eth0") is link-local: keep it to refuse it.
        found.append(ipaddress.ip_address(text.split("%", 1)[0]))
    return found
