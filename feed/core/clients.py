"""Who the client is: the connecting address, or X-Forwarded-For behind a trusted proxy.

X-Forwarded-For is written by whoever sends the request, so it is believed only when the
connection comes from a proxy the operator named (FACTCARD_TRUSTED_PROXIES). Each proxy
appends the address it received the request from; reading the list from the right and
skipping trusted proxies finds the first address no trusted proxy vouches for beyond: the
client. Anything to its left was written by the client itself and is ignored.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

from starlette.types import Scope

Network = IPv4Network | IPv6Network
SCOPE_KEY = "factcard.client"  # the resolved address, kept on the scope so it is worked out once
UNKNOWN = "unknown"  # no address at all (a Unix socket, some test clients)


def parse_networks(text: str) -> tuple[Network, ...]:
    """`10.0.0.0/8, 192.0.2.7, ::1` as networks; ValueError naming a bad entry."""
    networks = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ip_network(part, strict=False))
        except ValueError:
            raise ValueError(
                f"FACTCARD_TRUSTED_PROXIES: {part!r} is not an IP address or network (such as 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def _address(text: str) -> IPv4Address | IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.partition(":")[0]
    try:
        address = ip_address(text)
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPv4Address | IPv6Address | None, trusted: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in trusted)


def client_address(scope: Scope, trusted: tuple[Network, ...]) -> str:
    """The client's address as text; worked out once per request and kept on the scope."""
    known: str | None = scope.get(SCOPE_KEY)
    if known is not None:
        return known
    peer = scope.get("client")
    host = str(peer[0]) if peer else UNKNOWN
    result = host
    if trusted and _trusted(_address(host), trusted):
        forwarded = [value.decode("latin-1") for name, value in scope.get("headers", ()) if name == b"x-forwarded-for"]
        hops = [hop.strip() for hop in ",".join(forwarded).split(",") if hop.strip()]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                break  # garbage: stop believing the list here, keep the last good hop
            result = str(address)
            if not _trusted(address, trusted):
                break
    scope[SCOPE_KEY] = result
    return result
