"""First-party cookies the collect server sets for pinrelay.js: `_epik` and a device id.

Why the server and not the script: Safari caps cookies written by script at 7 days (ITP), and
ad blockers remove the Pinterest Tag that would write `_epik`; a cookie set by a first-party
server response lives its full lifetime, so a checkout weeks after the click still carries
the click id (pinterest-capi.md §5.4: `_epik` holds the click id, sent raw).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pinrelay.identity.clickid import EPIK_PARAM, query_param
from pinrelay.identity.consent import denies_advertising
from pinrelay.identity.matchkeys import lookup

EPIK_COOKIE = "_epik"  # the name the Pinterest Tag uses, so both read the same cookie
DEVICE_COOKIE = "_pinrelay_id"  # pseudonymous device id: the anonymousId of browser events
COOKIE_MAX_AGE = 400 * 24 * 3600  # 400 days: the longest lifetime browsers keep (RFC 6265bis)
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9._~=+/-]{1,512}$")  # no ';', ',', spaces or quotes


def landing_click_id(messages: Iterable[Mapping[str, Any]]) -> str | None:
    """The newest `epik` of the batch's page URLs: a newer click replaces the cookie's.

    The click id identifies an ad click, so it is not kept for a visitor who declined
    advertising (events without consent information keep it: the source asks for none)."""
    found = None
    for message in messages:
        if denies_advertising(message):
            continue
        for where in (("context", "page", "url"), ("context", "page", "search")):
            value = query_param(lookup(message, where), EPIK_PARAM)
            if value is not None:
                found = value
                break
    if found is None or not _SAFE_VALUE.match(found):
        return None  # a value a cookie cannot carry as is is not worth keeping
    return found


def known_device_id(cookies: Mapping[str, str]) -> str | None:
    value = cookies.get(DEVICE_COOKIE, "")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class CookiePolicy:
    """How this response's cookies are scoped: Domain and Secure."""

    domain: str | None  # None: host-only (the collect server's own host)
    secure: bool

    @classmethod
    def for_request(cls, host: str, cookie_domain: str | None, https: bool) -> CookiePolicy:
        host = host.split(":")[0].lower()
        domain = None
        if cookie_domain and (host == cookie_domain or host.endswith("." + cookie_domain)):
            domain = cookie_domain  # a browser drops a Domain the host is not inside
        return cls(domain=domain, secure=https)

    def header(self, name: str, value: str) -> str:
        parts = [f"{name}={value}", f"Max-Age={COOKIE_MAX_AGE}", "Path=/"]
        if self.domain:
            parts.append(f"Domain={self.domain}")
        if self.secure:
            parts.append("Secure")
        parts += ["HttpOnly", "SameSite=Lax"]
        return "; ".join(parts)


def cookie_headers(policy: CookiePolicy, device_id: str, click_id: str | None) -> list[str]:
    """Set-Cookie values: the device id on every answer (refreshing its 400 days), `_epik`
    when the batch landed from a Pinterest click."""
    headers = [policy.header(DEVICE_COOKIE, device_id)]
    if click_id is not None:
        headers.append(policy.header(EPIK_COOKIE, click_id))
    return headers


def new_device_id() -> str:
    return str(uuid.uuid4())
