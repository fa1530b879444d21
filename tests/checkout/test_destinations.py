"""Webhook destinations: the public internet only, whatever form the address takes."""

from __future__ import annotations

import pytest

from monnaie_locale.checkout import DestinationPolicy, DestinationRefused
from monnaie_locale.checkout.destinations import Unresolvable
from monnaie_locale.checkout.errors import InvalidWebhookUrl, WebhookDestinationRefused
from tests.checkout.conftest import PUBLIC_ADDRESS, FakeDns

INSIDE = [
    "http://127.0.0.1:5432/",
    "http://127.0.0.53/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/hooks",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",  # shared address space (carrier NAT)
    "http://0.0.0.0:8000/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://240.0.0.1/",
    "http://127.1/",  # the short forms resolvers accept
    "http://2130706433/",
    "http://0x7f.1/",
    "http://[::1]:8000/",
    "http://[::]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[ff02::1]/",
    "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    "http://[fec0::1]/",
    "http://localhost:8000/",
    "http://LOCALHOST./",
    "http://api.localhost/",
]


@pytest.mark.parametrize("url", INSIDE)
def test_a_url_into_a_local_or_private_network_is_refused(url: str) -> None:
    with pytest.raises(WebhookDestinationRefused):
        DestinationPolicy(resolve=FakeDns()).check_url(url)


@pytest.mark.parametrize(
    "address", ["10.1.2.3", "127.0.0.1", "169.254.169.254", "::1", "fe80::1%eth0"]
)
def test_a_name_that_resolves_inside_is_refused(address: str) -> None:
    dns = FakeDns({"hooks.shop.example": [address]})

    with pytest.raises(WebhookDestinationRefused):
        DestinationPolicy(resolve=dns).check_url("https://hooks.shop.example/h")


def test_a_name_with_one_address_inside_among_public_ones_is_refused() -> None:
    dns = FakeDns({"hooks.shop.example": [PUBLIC_ADDRESS, "10.0.0.7"]})

    with pytest.raises(DestinationRefused):
        DestinationPolicy(resolve=dns).addresses("hooks.shop.example", 443)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.shop.example/h",
        f"http://{PUBLIC_ADDRESS}:8080/h",
        "https://[2606:4700::1111]/h",
        "https://[::ffff:8.8.8.8]/h",
    ],
)
def test_a_public_url_is_accepted(url: str) -> None:
    assert DestinationPolicy(resolve=FakeDns()).check_url(url).url == url


def test_a_name_that_does_not_resolve_yet_is_accepted_and_checked_at_delivery() -> None:
    policy = DestinationPolicy(resolve=FakeDns({"new.shop.example": []}))

    assert policy.check_url("https://new.shop.example/h").url == "https://new.shop.example/h"
    with pytest.raises(Unresolvable):
        policy.addresses("new.shop.example", 443)


@pytest.mark.parametrize(
    "url", ["https://shop.example:99999/h", "https://shop.example:0/h", "https://bä.example/"]
)
def test_a_url_with_a_bad_port_or_host_is_invalid(url: str) -> None:
    with pytest.raises(InvalidWebhookUrl) as caught:
        DestinationPolicy(resolve=FakeDns()).check_url(url)
    assert caught.value.code == "invalid_webhook_url"


def test_loopback_allowed_for_development_lets_nothing_else_in() -> None:
    policy = DestinationPolicy(allow_loopback=True, resolve=FakeDns())

    assert policy.check_url("http://127.0.0.1:8000/h").url == "http://127.0.0.1:8000/h"
    assert policy.check_url("http://[::1]:8000/h").url == "http://[::1]:8000/h"
    assert policy.check_url("http://localhost:8000/h").url == "http://localhost:8000/h"
    for url in ("http://169.254.169.254/", "http://10.0.0.5/", "http://[fe80::1]/"):
        with pytest.raises(WebhookDestinationRefused):
            policy.check_url(url)
