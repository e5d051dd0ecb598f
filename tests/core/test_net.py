"""The client address every per-client limit counts by, and when a proxy's header is believed."""

import pytest
from django.test import RequestFactory

from nuanxin.core.net import client_ip


def request(remote="203.0.113.7", forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []

    assert client_ip(request(forwarded="192.0.2.1")) == "203.0.113.7"


def test_a_header_sent_straight_to_the_server_is_ignored(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert client_ip(request(remote="203.0.113.7", forwarded="192.0.2.1")) == "203.0.113.7"


@pytest.mark.parametrize(
    "forwarded,expected",
    [
        ("192.0.2.1", "192.0.2.1"),
        # The client may write anything left of what our proxy appended.
        ("198.51.100.66, 192.0.2.1", "192.0.2.1"),
        # Our own proxies in the chain are skipped.
        ("192.0.2.1, 10.0.0.3", "192.0.2.1"),
        ("192.0.2.1:5555", "192.0.2.1"),
        ("not-an-address", "10.0.0.2"),
        ("192.0.2.1, garbage, 10.0.0.3", "10.0.0.2"),
        ("", "10.0.0.2"),
    ],
)
def test_behind_a_trusted_proxy_the_rightmost_outside_address_counts(settings, forwarded, expected):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert client_ip(request(remote="10.0.0.2", forwarded=forwarded)) == expected


def test_ipv6_clients_count_by_their_64_network(settings):
    settings.TRUSTED_PROXIES = []

    first = client_ip(request(remote="2001:db8:1:2::1"))
    second = client_ip(request(remote="2001:db8:1:2:ffff:ffff:ffff:ffff"))

    assert first == second == "2001:db8:1:2::"
    assert client_ip(request(remote="2001:db8:1:3::1")) == "2001:db8:1:3::"


def test_ipv4_mapped_addresses_are_ipv4(settings):
    settings.TRUSTED_PROXIES = []

    assert client_ip(request(remote="::ffff:203.0.113.7")) == "203.0.113.7"


def test_no_usable_address_is_none(settings):
    assert client_ip(request(remote="")) is None
