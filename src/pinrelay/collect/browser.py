"""What the collect server does for browsers (pinrelay.js): CORS, cookies, the device id.

A request is a browser's when it carries `Origin` (browsers send it on every POST, and on
cross-origin GETs); a server-side SDK sends none, so the hot path for servers is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pinrelay.collect.cors import cors_allowed, cors_headers, preflight_headers
from pinrelay.collect.servercookies import (
    CookiePolicy,
    cookie_headers,
    known_device_id,
    landing_click_id,
    new_device_id,
)
from pinrelay.store.records import Source


@dataclass(frozen=True)
class Visit:
    """One browser request: its device id (known from the cookie, or new) and cookie scope."""

    device_id: str
    policy: CookiePolicy

    @classmethod
    def of(
        cls, request: Request, source: Source, https: bool, *, host: str | None = None
    ) -> Visit | None:
        if "origin" not in request.headers:
            return None
        device_id = known_device_id(request.cookies) or new_device_id()
        if host is None:
            host = request.headers.get("host", request.url.hostname or "")
        return cls(device_id, CookiePolicy.for_request(host, source.cookie_domain, https))

    def fill_anonymous_id(self, messages: Sequence[Any]) -> list[Any]:
        """The device id as `anonymousId` where the page sent none (pinrelay.js never does:
        it keeps no id of its own, the server-set cookie is the visitor's identity)."""
        return [
            {**m, "anonymousId": self.device_id}
            if isinstance(m, dict) and not m.get("anonymousId")
            else m
            for m in messages
        ]

    def set_cookies(self, response: Response, messages: Sequence[Mapping[str, Any]]) -> None:
        for value in cookie_headers(self.policy, self.device_id, landing_click_id(messages)):
            response.headers.append("set-cookie", value)


class BrowserMiddleware:
    """Answers CORS preflights and adds CORS headers to answers to browsers.

    Per-source refusal happens in the endpoints (they know the write key), which mark an
    allowed origin in the request state; only those answers get CORS headers. A preflight,
    which carries no write key, is allowed when any source allows the origin.
    """

    def __init__(self, app: ASGIApp, *, allowed_anywhere: Callable[[str], bool]) -> None:
        self.app = app
        self.allowed_anywhere = allowed_anywhere

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = Headers(scope=scope).get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await self._preflight(origin, scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start" and cors_allowed(scope):
                headers = MutableHeaders(scope=message)
                for name, value in cors_headers(origin).items():
                    if name == "vary":
                        headers.add_vary_header(value)
                    else:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, origin: str, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allowed_anywhere(origin):
            response = Response(status_code=204, headers=preflight_headers(origin))
        else:
            message = (
                f"origin {origin} is in no source's allowed_origins: add it with "
                "PATCH /v1/admin/sources/{id}"
            )
            response = JSONResponse(
                {"success": False, "code": "forbidden", "message": message}, status_code=403
            )
        await response(scope, receive, send)
