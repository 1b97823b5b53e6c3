"""Which IP and user agent describe the visitor (pinterest-capi.md §2.4)."""

from __future__ import annotations

from typing import Any

import pytest

from pinrelay.collect.network import parse_networks
from pinrelay.collect.visitor import bot_reason, unusable_address, visitor_of

BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"


def _message(library: str | None = None, **context: Any) -> dict[str, Any]:
    if library:
        context["library"] = {"name": library, "version": "1"}
    return {"type": "track", "context": context}


def test_a_server_sdks_context_ip_and_agent_win() -> None:
    visitor = visitor_of(
        _message("analytics-python", ip="198.51.100.7", userAgent=BROWSER),
        request_ip="203.0.113.250",
        header_agent="analytics-python/2.4.0",
    )
    assert (visitor.ip, visitor.user_agent, visitor.bot) == ("198.51.100.7", BROWSER, None)


def test_a_server_sdks_own_address_and_agent_are_never_the_visitors() -> None:
    visitor = visitor_of(
        _message("analytics-node"), request_ip="203.0.113.250", header_agent="analytics-node/2"
    )
    assert (visitor.ip, visitor.user_agent) == (None, None)
    for agent in ("analytics-python/2.4.0", "RudderStack Python SDK", "python-requests/2.31"):
        assert visitor_of(_message(), request_ip="203.0.113.1", header_agent=agent).ip is None


def test_a_browser_request_gives_its_address_and_header_agent() -> None:
    visitor = visitor_of(_message("analytics.js"), request_ip="203.0.113.250", header_agent=BROWSER)
    assert (visitor.ip, visitor.user_agent) == ("203.0.113.250", BROWSER)


def test_an_sdk_agent_in_context_is_dropped_with_a_note() -> None:
    visitor = visitor_of(
        _message(userAgent="analytics-python/2.4.0"), request_ip=None, header_agent=None
    )
    assert visitor.user_agent is None
    assert visitor.notes == (
        "client_user_agent: an SDK's or a program's agent, not a visitor's; not sent",
    )


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("0.0.0.0", "unspecified"),  # noqa: S104  # an address in data, nothing binds to it
        ("::", "unspecified"),
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.20.0.1", "private"),
        ("fd00::1", "private"),
        ("::ffff:10.0.0.1", "private"),
        ("not-an-ip", "not an IP address"),
        ("203.0.113.4", "own proxies"),
    ],
)
def test_addresses_that_cannot_be_a_visitors_are_dropped(address: str, problem: str) -> None:
    reason = unusable_address(address, parse_networks(["203.0.113.0/28"]))
    assert reason is not None
    assert problem in reason
    visitor = visitor_of(_message(ip=address), request_ip=None, header_agent=None,
                         own_proxies=parse_networks(["203.0.113.0/28"]))  # fmt: skip
    assert visitor.ip is None
    assert visitor.notes[0].startswith("client_ip_address: the address")


@pytest.mark.parametrize("address", ["198.51.100.23", "2001:db8::1", "8.8.8.8"])
def test_public_addresses_are_kept(address: str) -> None:
    assert unusable_address(address) is None


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Pinterestbot/1.0; +http://www.pinterest.com/bot.html)",
        "Pinterest/0.2 (+http://www.pinterest.com/bot.html)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "facebookexternalhit/1.1",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/126.0 Safari/537.36",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0)",
    ],
)
def test_bots_are_recognised(agent: str) -> None:
    assert bot_reason(agent) is not None
    visitor = visitor_of(_message(userAgent=agent), request_ip=None, header_agent=None)
    assert visitor.bot is not None
    assert "bot traffic" in visitor.bot


@pytest.mark.parametrize(
    "agent",
    [
        BROWSER,
        "Mozilla/5.0 (Linux; Android 10; CUBOT KINGKONG 5 Pro) AppleWebKit/537.36 Chrome/120",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148 Pinterest/iOS",
    ],
)
def test_people_are_not_bots(agent: str) -> None:
    assert bot_reason(agent) is None


def test_a_bot_browser_header_stops_the_event_even_without_context_agent() -> None:
    googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    visitor = visitor_of(_message("analytics.js"), request_ip="66.249.66.1", header_agent=googlebot)
    assert visitor.bot is not None
