"""Which web pages may send to a source: CORS per source (`allowed_origins`).

A browser sends `Origin` on every POST and on cross-origin GETs. pinrelay.js posts text/plain
with no custom header, a "simple" request that gets no preflight, so the browser would deliver
it whatever our CORS headers say: refusing other origins is therefore done by the server
itself (403 with a message saying which origin to add), not left to the browser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

from pinrelay.errors import Forbidden

ANY_ORIGIN = "*"
PREFLIGHT_MAX_AGE = 600  # seconds a browser may cache a preflight answer
MAX_PORT = 65535
_ORIGIN = re.compile(r"(https?)://([A-Za-z0-9.-]+)(?::([0-9]{1,5}))?/?", re.IGNORECASE)
_HOST = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$"
)


def normalise_origin(value: str) -> str:
    """`https://shop.example` as browsers write it in `Origin`; ValueError says what is wrong."""
    value = value.strip()
    if value == ANY_ORIGIN:
        return value
    match = _ORIGIN.fullmatch(value)
    if match is None:
        raise ValueError(
            f"{value!r} is not an origin: keep only scheme, host and port, "
            "like https://shop.example or http://localhost:3000"
        )
    scheme, host, port = match.group(1).lower(), match.group(2).lower(), match.group(3)
    if port is not None and int(port) > MAX_PORT:
        raise ValueError(f"{value!r} is not an origin: the port is over {MAX_PORT}")
    return f"{scheme}://{host}" + (f":{port}" if port is not None else "")


def normalise_cookie_domain(value: str) -> str:
    """A cookie Domain such as `shop.example` (a leading dot is dropped, as browsers do)."""
    domain = value.strip().lower().lstrip(".")
    if not _HOST.match(domain) or "." not in domain:
        raise ValueError(
            f"{value!r} is not a cookie domain: use the site's registrable domain, "
            "e.g. shop.example, so the cookies reach every subdomain"
        )
    return domain


def origin_allowed(allowed: Iterable[str], origin: str) -> bool:
    origin = origin.lower()
    return any(entry in (ANY_ORIGIN, origin) for entry in allowed)


# Set in the request's state once its source allows its origin: only then does the answer
# carry CORS headers. A refusal (unknown write key, unlisted origin) carries none, so no other
# site's script can read it (it names the source and its allowed origins).
CORS_ALLOWED = "cors_allowed"


def cors_allowed(scope: MutableMapping[str, Any]) -> bool:
    """Whether the endpoint found this request's origin allowed by its source."""
    state = scope.get("state")
    return isinstance(state, Mapping) and state.get(CORS_ALLOWED) is True


def check_origin(
    source_name: str,
    allowed: tuple[str, ...],
    origin: str | None,
    state: MutableMapping[str, Any] | None = None,
) -> None:
    """Refuse a browser request from an origin the source does not list (no Origin: a server).

    With `state` (the request scope's), an allowed origin is recorded there for CORS.
    """
    if origin is None:
        return
    if origin_allowed(allowed, origin):
        if state is not None:
            state[CORS_ALLOWED] = True
        return
    if not allowed:
        raise Forbidden(
            f"origin {origin} may not send to source {source_name!r}: it allows no browser "
            "origin yet; add it with PATCH /v1/admin/sources/{id} "
            f'{{"allowed_origins": ["{origin}"]}}'
        )
    raise Forbidden(
        f"origin {origin} may not send to source {source_name!r} (allowed: "
        f"{', '.join(allowed)}); add it to the source's allowed_origins"
    )


def cors_headers(origin: str) -> dict[str, str]:
    """Echo the origin (never `*`): the requests carry cookies, so credentials are allowed."""
    return {
        "access-control-allow-origin": origin,
        "access-control-allow-credentials": "true",
        "vary": "Origin",
    }


def preflight_headers(origin: str) -> dict[str, str]:
    return {
        **cors_headers(origin),
        "access-control-allow-methods": "GET, POST, OPTIONS",
        # X-Retry-Count: analytics.js on a retried send; AnonymousId: RudderStack's JS SDK
        "access-control-allow-headers": (
            "Content-Type, Authorization, Content-Encoding, X-Retry-Count, AnonymousId"
        ),
        "access-control-max-age": str(PREFLIGHT_MAX_AGE),
    }
