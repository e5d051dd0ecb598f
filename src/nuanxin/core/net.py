"""The client's network address, the one key every per-client limit counts by.

Behind a reverse proxy every request comes from the proxy, and the client's address is in
``X-Forwarded-For``. That header is the client's own words unless a proxy we run wrote it, so it
is read only when the request arrives from an address listed in ``TRUSTED_PROXIES``; then the
header is read from the right, skipping our own proxies, and the first other address is the
client. Anything else (no proxy configured, a header sent straight to the app server) is ignored:
a forged header must not let a client pick the address it is counted under.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# One subscriber is usually handed a whole IPv6 /64 and can use any address in it, so a limit
# keyed by the full address would be one new address away. IPv6 clients count by their /64.
IPV6_CLIENT_PREFIX = 64


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_proxies() -> tuple[IPNetwork, ...]:
    """``TRUSTED_PROXIES`` as networks (addresses or CIDR ranges); empty when none is set."""
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _parse(text: str) -> IPAddress | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: IPAddress, proxies: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def _client_address(request: HttpRequest) -> IPAddress | None:
    peer = _parse(request.META.get("REMOTE_ADDR", ""))
    proxies = trusted_proxies()
    if peer is None or not proxies or not _is_trusted(peer, proxies):
        return peer
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # A garbled entry was not written by our proxies; what lies left of it is unknown.
            return peer
        if not _is_trusted(address, proxies):
            return address
    return peer


def client_ip(request: HttpRequest) -> str | None:
    """The address the request is counted under: IPv4 as is, IPv6 as its /64 network address.

    None when the request carries no usable address (a test request built by hand).
    """
    address = _client_address(request)
    if address is None:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        network = ipaddress.IPv6Network((address, IPV6_CLIENT_PREFIX), strict=False)
        return str(network.network_address)
    return str(address)
