"""Where the fetcher may connect: public addresses only, and the very address that was checked.

An archive URL comes from a newsroom's sitemap or feed, so it is untrusted input: without a guard,
`http://169.254.169.254/` or a host name that resolves to 10.0.0.5 would make the importer read the
cloud's metadata service or the office network for whoever wrote the sitemap (SSRF).

Checking the name and then letting the HTTP client resolve it again is not enough: a name with a
short TTL can answer a public address to the check and 127.0.0.1 to the connection (DNS rebinding).
So `PinnedTransport` sends each request to the IP address the check approved: it rewrites the
request's URL host to that address and keeps the name where the server and TLS need it, in the
`Host` header and in the TLS server name (httpcore's `sni_hostname` extension), so virtual hosting
and certificate checks still work on the name.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

Resolve = Callable[[str, int], list[str]]

# The request extension that carries the approved address from the fetcher to the transport.
ADDRESS = "factcard.address"
# The request extension that carries the page's deadline (a time.monotonic() value).
DEADLINE = "factcard.deadline"


class AddressRefused(Exception):
    """A host that is not fetched: its reason reads well in an import report."""


def resolve_host(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, by the system resolver (IPv4 and IPv6 alike)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """What makes `address` non-public ("a loopback address"), or None for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # ::ffff:10.0.0.5 reaches 10.0.0.5.
        return _kind(address.ipv4_mapped)
    # Order matters: 127.0.0.1 is also "private" to the ipaddress module; name the narrower kind.
    kinds = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        # Not private yet not on the internet either, such as the carrier-grade NAT 100.64.0.0/10.
        ("non-public", not address.is_global),
    )
    return next((kind for kind, applies in kinds if applies), None)


def refusal(text: str) -> str | None:
    """Why the address `text` is not fetched without --allow-private-addresses, or None if it may be."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    except ValueError:
        return f"an address that is not an IP address ({text})"
    kind = _kind(address)
    if kind is None:
        return None
    article = "an" if kind[0] in "aeiou" else "a"
    return f"{article} {kind} address ({text}) is not fetched without --allow-private-addresses"


def checked_address(host: str, port: int, resolve: Resolve, allow_private: bool) -> str:
    """The address to connect to for `host`: after refusing the host when ANY of its addresses is
    non-public (one private answer among public ones is how a rebinding attack starts)."""
    try:
        addresses = [str(ipaddress.ip_address(host))]  # a literal IP host is checked as it is
    except ValueError:
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError) as error:
            raise AddressRefused(f"host not found ({host}): {error}") from error
    if not addresses:
        raise AddressRefused(f"host not found ({host})")
    if not allow_private:
        for address in addresses:
            reason = refusal(address)
            if reason is not None:
                raise AddressRefused(reason)
    return addresses[0]


class _TimeLeft(Mapping[str, float]):
    """httpcore's timeout extension, whose values are the time left until the deadline when read.

    httpcore reads it as each phase starts (connecting, sending, the headers, the body), so the
    phases together end by the deadline instead of each taking the whole timeout. Within the body
    one read timeout holds throughout; `bodies.Watchdog` ends a body that outlasts the deadline."""

    def __init__(self, deadline: float):
        self.deadline = deadline

    def __getitem__(self, key: str) -> float:
        if key not in ("connect", "read", "write", "pool"):
            raise KeyError(key)
        # Never 0: a socket with timeout 0 is non-blocking, which is not a timeout.
        return max(self.deadline - time.monotonic(), 0.01)

    def __iter__(self) -> Iterator[str]:
        return iter(("connect", "read", "write", "pool"))

    def __len__(self) -> int:
        return 4


class PinnedTransport(httpx.BaseTransport):
    """Sends a request to the address in its `factcard.address` extension, never to a fresh lookup.

    One inner connection pool per (scheme, host, port): httpcore pools connections by the URL's host,
    which here is an IP address, so sharing a pool would let a TLS connection made for one name be
    reused for another name served from the same address, without its certificate checked for it.
    """

    def __init__(self, make_transport: Callable[[], httpx.BaseTransport] | None = None, max_pools: int = 32):
        self._make = make_transport or (lambda: httpx.HTTPTransport(retries=0))
        self._pools: OrderedDict[tuple[str, str, int], httpx.BaseTransport] = OrderedDict()
        self._max_pools = max_pools

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        address = request.extensions.get(ADDRESS)
        if not isinstance(address, str):
            # Refuse rather than connect to a name nobody checked.
            raise httpx.ConnectError("no checked address for this request", request=request)
        url = request.url
        extensions: dict[str, Any] = {
            key: value for key, value in request.extensions.items() if key not in (ADDRESS, DEADLINE)
        }
        extensions["sni_hostname"] = url.host
        deadline = request.extensions.get(DEADLINE)
        if isinstance(deadline, float):
            extensions["timeout"] = _TimeLeft(deadline)
        # The Host header was set from the name when the request was built, and stays.
        pinned = httpx.Request(
            request.method, url.copy_with(host=address), headers=request.headers, stream=request.stream,
            extensions=extensions,
        )  # fmt: skip
        return self._pool(url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80)).handle_request(
            pinned
        )

    def _pool(self, scheme: str, host: str, port: int) -> httpx.BaseTransport:
        key = (scheme, host, port)
        pool = self._pools.pop(key, None) or self._make()
        self._pools[key] = pool  # most recently used last
        while len(self._pools) > self._max_pools:
            _, oldest = self._pools.popitem(last=False)
            oldest.close()
        return pool

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()
