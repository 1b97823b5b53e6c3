"""Who the visitor is on the network: the client address behind our own proxies."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Sequence[str]) -> tuple[Network, ...]:
    """Trusted proxies as networks ("10.0.0.1" and "10.0.0.0/8" both work)."""
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def trusted(address: str, networks: Sequence[Network]) -> bool:
    """Whether `address` is one of our own proxies."""
    return _trusted(address, networks)


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(
    peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]
) -> str | None:
    """The visitor's address: X-Forwarded-For is believed only from a trusted proxy.

    Walking the header from the right and skipping our own proxies gives the first address
    no proxy of ours vouches for; anything left of it could have been typed by the client.
    """
    if peer is None or not forwarded_for or not _trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


def visitor_address(
    peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]
) -> str | None:
    """`client_address`, except that a trusted proxy without X-Forwarded-For gives None:
    the address of our own proxy is never the visitor's."""
    address = client_address(peer, forwarded_for, trusted)
    if address is not None and address == peer and _trusted(peer, trusted):
        return None
    return address


def _first(value: str | None) -> str:
    """The first entry of a forwarded header (the proxy nearest the client wrote it)."""
    return (value or "").split(",")[0].strip()


def public_origin(
    scheme: str,
    host: str,
    peer: str | None,
    headers: Mapping[str, str],
    trusted: Sequence[Network],
) -> tuple[str, str]:
    """(scheme, host) as the browser sees them: behind a trusted proxy, X-Forwarded-Proto
    and X-Forwarded-Host say so (a proxy that terminates TLS speaks plain HTTP to us).
    From anyone else these headers are ignored: a client could claim anything."""
    if peer is None or not _trusted(peer, trusted):
        return scheme, host
    proto = _first(headers.get("x-forwarded-proto")).lower()
    forwarded_host = _first(headers.get("x-forwarded-host"))
    return (
        proto if proto in ("http", "https") else scheme,
        forwarded_host or host,
    )
