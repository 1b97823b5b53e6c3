"""The Pinterest click id (`epik`) of an event.

pinterest-capi.md §5.4: `user_data.click_id` is the `epik` query parameter of the landing URL
or the value of the `_epik` cookie, sent raw (never hashed). Its format is undocumented, so it
is treated as an opaque string: nothing is checked beyond "non-empty".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pinrelay.identity.matchkeys import lookup
from pinrelay.identity.urlquery import plain_pairs, plain_query

EPIK_PARAM = "epik"
EPIK_COOKIES: tuple[str, ...] = ("_epik",)


def query_param(url_or_query: object, name: str) -> str | None:
    """The first non-empty value of query parameter `name` in a URL or a `?a=b` string."""
    if not isinstance(url_or_query, str) or not url_or_query:
        return None
    return _query_param(url_or_query, name)


def _query_param(url_or_query: str, name: str) -> str | None:
    return _query_values(url_or_query).get(name)


# One event's URL is read several times (the click id writer of each pipeline, the identity
# step, the `_pin_unauth` and `_epik` rules, each for another name): parsed once, into the
# first non-empty value of every parameter. Bounded, and in memory only.
@lru_cache(maxsize=64)
def _query_values(url_or_query: str) -> dict[str, str]:
    query = url_or_query
    if "?" in url_or_query or "://" in url_or_query:
        plain = plain_query(url_or_query)
        try:
            query = urlsplit(url_or_query).query if plain is None else plain
        except ValueError:  # e.g. a malformed IPv6 host: no usable query
            return {}
    query = query.lstrip("?")
    pairs = plain_pairs(query)
    values: dict[str, str] = {}
    for key, value in parse_qsl(query) if pairs is None else pairs:
        if key not in values and value.strip():
            values[key] = value.strip()
    return values


def click_id_of(
    message: Mapping[str, Any],
    cookies: Mapping[str, str],
    *,
    param: str = EPIK_PARAM,
    cookie_names: Iterable[str] = EPIK_COOKIES,
) -> str | None:
    """The click id: URL parameter, then `context.campaign.<param>`, then the cookie.

    The URL of this very event wins over the cookie because it is the fresher click; the
    cookie keeps attribution when a later page no longer carries the parameter.
    """
    for where in (("context", "page", "url"), ("context", "page", "search")):
        found = query_param(lookup(message, where), param)
        if found is not None:
            return found
    campaign_value = lookup(message, ("context", "campaign", param))
    if isinstance(campaign_value, str) and campaign_value.strip():
        return campaign_value.strip()
    for cookie_name in cookie_names:
        cookie_value = cookies.get(cookie_name)
        if isinstance(cookie_value, str) and cookie_value.strip():
            return cookie_value.strip()
    return None
