"""The visitor's address: X-Forwarded-For is believed only from our own proxies."""

from __future__ import annotations

from pinrelay.collect.network import client_address, parse_networks

PROXIES = parse_networks(["10.0.0.0/8", "192.0.2.1"])


def test_without_a_trusted_proxy_the_peer_is_the_client() -> None:
    assert client_address("198.51.100.7", "1.2.3.4", PROXIES) == "198.51.100.7"


def test_a_trusted_proxy_forwards_the_client_address() -> None:
    assert client_address("10.1.2.3", "198.51.100.7", PROXIES) == "198.51.100.7"


def test_addresses_typed_by_the_client_are_ignored() -> None:
    forged = "6.6.6.6, 198.51.100.7, 192.0.2.1"
    assert client_address("10.1.2.3", forged, PROXIES) == "198.51.100.7"


def test_no_header_means_the_peer() -> None:
    assert client_address("10.1.2.3", None, PROXIES) == "10.1.2.3"


def test_forwarded_scheme_and_host_are_believed_only_from_a_trusted_proxy() -> None:
    from pinrelay.collect.network import public_origin

    proxies = parse_networks(["10.0.0.0/8"])
    headers = {"x-forwarded-proto": "https", "x-forwarded-host": "admin.example"}
    assert public_origin("http", "10.0.0.5:8084", "10.0.0.2", headers, proxies) == (
        "https",
        "admin.example",
    )
    assert public_origin("http", "pinrelay:8084", "203.0.113.9", headers, proxies) == (
        "http",
        "pinrelay:8084",
    )
    odd = {"x-forwarded-proto": "gopher"}
    assert public_origin("http", "h", "10.0.0.2", odd, proxies) == ("http", "h")
