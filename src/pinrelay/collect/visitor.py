"""The visitor's IP address and user agent for `client_ip_address` / `client_user_agent`.

pinterest-capi.md §2.4: both are sent raw; IP must be a real address (never `0.0.0.0`), the
user agent a browser's (never `Other`, never a bot). Who sent the request decides which
values describe the visitor:

- `context.ip` / `context.userAgent` set by the sender win: a server-side SDK forwards the
  visitor's values there.
- The request's own address and `User-Agent` header stand in only when the request comes from
  the visitor's browser. A server-side SDK's request describes the server (its header is e.g.
  `analytics-python/2.4.0`), so its address and agent are never used.
- Addresses that cannot be a visitor's on the internet (unspecified, loopback, link-local,
  private, our own proxies) are dropped, with a note.
- A bot user agent (Pinterestbot, search crawlers, headless browsers) stops the event: Pinterest
  asks not to send bot traffic.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import msgspec

from pinrelay.collect.network import Network

MAX_USER_AGENT_CHARS = 16384  # pinterest-capi.md §2.2: app_info.user_agent maxLength

# context.library.name of SDKs that run on servers (Segment's and RudderStack's names).
SERVER_LIBRARIES = re.compile(
    r"analytics-(python|node|ruby|go|java|php|dotnet|csharp)|analytics\.net|analytics-cli|"
    r"rudder.*(node|python|ruby|go|java|php|dotnet|server)",
    re.IGNORECASE,
)
# User agents of SDKs and HTTP libraries: they describe a program, not a visitor.
SDK_AGENTS = re.compile(
    r"^(analytics-[a-z.]+|analytics\.net|rudder\w*|segment\w*|python-requests|python-httpx|"
    r"python-urllib|aiohttp|go-http-client|okhttp|java|apache-httpclient|node-fetch|axios|"
    r"undici|node|curl|wget|guzzlehttp|ruby|php|dart|libwww-perl)([/ ]|$)|^RudderStack",
    re.IGNORECASE,
)
# Substrings of lowercased bot user agents. Plain substring tests: a regex alternation of
# these costs ~100 µs on a long browser agent, on the hot path of every event.
BOT_TOKENS: tuple[str, ...] = (
    "pinterestbot", "pinterest/0.", "googlebot", "adsbot-google", "mediapartners-google",
    "bingbot", "bingpreview", "yandexbot", "yandeximages", "baiduspider", "duckduckbot",
    "slurp", "sogou", "exabot", "facebookexternalhit", "facebot", "twitterbot", "linkedinbot",
    "slackbot", "discordbot", "telegrambot", "whatsapp", "applebot", "petalbot", "bytespider",
    "gptbot", "claudebot", "ccbot", "ahrefsbot", "semrushbot", "mj12bot", "dotbot",
    "headlesschrome", "phantomjs", "lighthouse", "crawler", "spider", "bot/", "bot;",
    "+http://", "+https://",
)  # fmt: skip
# Private use (RFC 1918, RFC 6598 shared, RFC 4193 unique local): never a visitor's address
# on the internet. Python's `is_private` also covers the documentation ranges, which are
# fine as example visitors, so the list is explicit.
_PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)


class Visitor(msgspec.Struct, frozen=True):
    ip: str | None
    user_agent: str | None
    bot: str | None = None  # why the event is bot traffic, if it is
    notes: tuple[str, ...] = ()


@lru_cache(maxsize=4096)  # the same visitors and servers come back: parsing costs ~10 µs
def unusable_address(address: str, own_proxies: tuple[Network, ...] = ()) -> str | None:
    """Why `address` cannot be the visitor's, or None when it can."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return "is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified:
        return "is the unspecified address"
    if ip.is_loopback or ip.is_link_local or ip.is_multicast:
        return "is a loopback, link-local or multicast address"
    if any(ip in network for network in _PRIVATE_NETWORKS):
        return "is a private address"
    if any(ip in network for network in own_proxies):
        return "is one of our own proxies"
    return None


def _library(message: Mapping[str, Any]) -> str:
    context = message.get("context")
    library = context.get("library") if isinstance(context, Mapping) else None
    name = library.get("name") if isinstance(library, Mapping) else None
    return name if isinstance(name, str) else ""


@lru_cache(maxsize=1024)  # a site's visitors share a few hundred agents; a regex per event
def is_sdk_agent(user_agent: str) -> bool:
    return SDK_AGENTS.search(user_agent.strip()) is not None


def is_server_request(message: Mapping[str, Any], header_agent: str | None) -> bool:
    """The request comes from a server-side SDK, not from the visitor's browser or app."""
    if SERVER_LIBRARIES.search(_library(message)):
        return True
    return bool(header_agent) and is_sdk_agent(header_agent or "")


@lru_cache(maxsize=1024)  # 40-odd substring tests of a long agent, the same agents again
def bot_reason(user_agent: str | None) -> str | None:
    if not user_agent:
        return None
    lowered = user_agent.lower()
    token = next((token for token in BOT_TOKENS if token in lowered), None)
    if token is None:
        return None
    return f"bot traffic (user agent contains {token!r}); Pinterest asks not to send it"


def _context_text(message: Mapping[str, Any], key: str) -> str | None:
    context = message.get("context")
    value = context.get(key) if isinstance(context, Mapping) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def visitor_of(
    message: Mapping[str, Any],
    *,
    request_ip: str | None,
    header_agent: str | None,
    own_proxies: tuple[Network, ...] = (),
) -> Visitor:
    """The visitor's IP and user agent for this message (rules in the module docstring)."""
    notes: list[str] = []
    server = is_server_request(message, header_agent)
    ip = _context_text(message, "ip")
    if ip is None and not server:
        ip = request_ip
    if ip is not None:
        problem = unusable_address(ip, own_proxies)
        if problem is not None:
            notes.append(f"client_ip_address: the address {problem}; not sent")
            ip = None
    agent = _context_text(message, "userAgent")
    if agent is None and not server and header_agent and header_agent.startswith("Mozilla/"):
        agent = header_agent.strip()
    if agent is not None and (is_sdk_agent(agent) or len(agent) > MAX_USER_AGENT_CHARS):
        notes.append("client_user_agent: an SDK's or a program's agent, not a visitor's; not sent")
        agent = None
    bot = bot_reason(agent) or (None if server else bot_reason(header_agent))
    return Visitor(ip, agent, bot, tuple(notes))
