"""Pinterest's own identifiers an event brings along: the click id and `_pin_unauth`.

pinterest-capi.md §5.4:
- `click_id` is the `epik` of the landing URL, else the `_epik` cookie. Server-side events
  (an order confirmed by the backend) carry neither, so the value is remembered with the
  identity of the device and the user: the freshest landing value wins and replaces it.
- `_pin_unauth` is the first-party cookie grouping the actions of a visitor Pinterest cannot
  identify; the v5 API has no field for it, so, as Pinterest's own Magento extension does, it
  is forwarded as one more hashed `external_id` (the `pin_unauth` URL parameter is read too).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from pinrelay.identity.clickid import EPIK_COOKIES, EPIK_PARAM, query_param
from pinrelay.identity.hashing import normalise_and_hash
from pinrelay.identity.matchkeys import lookup

PIN_UNAUTH_COOKIE = "_pin_unauth"
PIN_UNAUTH_PARAM = "pin_unauth"
_PAGE_PLACES = (("context", "page", "url"), ("context", "page", "search"))
MAX_CLICK_ID_CHARS = 2048  # opaque, but a kilobyte-sized "id" is not one


class RememberedClick(msgspec.Struct, frozen=True):
    """A click id and the event time (unix seconds) of the landing that brought it."""

    value: str
    at: float


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if text and len(text) <= MAX_CLICK_ID_CHARS else None


def landing_click_id(message: Mapping[str, Any]) -> str | None:
    """`epik` of this event's page URL or query (or `context.campaign.epik`): a fresh click."""
    for where in _PAGE_PLACES:
        found = _clean(query_param(lookup(message, where), EPIK_PARAM))
        if found is not None:
            return found
    return _clean(lookup(message, ("context", "campaign", EPIK_PARAM)))


def cookie_click_id(cookies: Mapping[str, str]) -> str | None:
    for name in EPIK_COOKIES:
        found = _clean(cookies.get(name))
        if found is not None:
            return found
    return None


def resolve_click_id(
    message: Mapping[str, Any],
    cookies: Mapping[str, str],
    remembered: RememberedClick | None,
    event_time: float,
) -> tuple[str | None, RememberedClick | None]:
    """(the click id for this event, what to remember from now on).

    Landing URL, else cookie, else the remembered value. A landing value replaces the
    remembered one unless that came from a later landing (a late retry must not win); a
    cookie value is remembered only when nothing is yet.
    """
    landing = landing_click_id(message)
    if landing is not None:
        if remembered is None or event_time >= remembered.at:
            return landing, RememberedClick(landing, event_time)
        return landing, remembered
    cookie = cookie_click_id(cookies)
    if cookie is not None:
        return cookie, remembered or RememberedClick(cookie, event_time)
    return (remembered.value if remembered else None), remembered


def pin_unauth_keys(message: Mapping[str, Any], cookies: Mapping[str, str]) -> dict[str, list[str]]:
    """`{"external_id": [sha256(_pin_unauth)]}` from the cookie or the URL parameter, or {}."""
    found = _clean(cookies.get(PIN_UNAUTH_COOKIE))
    if found is None:
        for where in _PAGE_PLACES:
            found = _clean(query_param(lookup(message, where), PIN_UNAUTH_PARAM))
            if found is not None:
                break
    hashed = None if found is None else normalise_and_hash("external_id", found)
    return {"external_id": [hashed]} if hashed else {}
