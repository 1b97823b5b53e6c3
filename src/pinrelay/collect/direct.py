"""The collect hot path without Starlette's middleware stack.

A server-side sender (an SDK, a shop's backend: no `Origin` header) posting to a Segment
endpoint needs none of the layers around the routes: no CORS (that is for browsers), no
routing table walk, no exception middleware (its only handler turns a `PinrelayError` into
an answer: done here by the same function, so a refused request gets its 4xx and a failed
commit its 503 with the Segment-style body on both paths). Measured with
benchmarks/ingest.py, those layers cost about a tenth of the server's CPU per single-event
request (docs/performance.md). Browsers, preflights, GETs and every other path go through
the full Starlette app unchanged; an unexpected exception (a bug, not one of ours)
propagates to uvicorn, which answers 500 and logs it, as Starlette's ServerErrorMiddleware
does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from pinrelay.errors import PinrelayError

Endpoint = Callable[[Request], Awaitable[Response]]
ErrorAnswer = Callable[[PinrelayError], Response]


def _from_browser(scope: Scope) -> bool:
    return any(name == b"origin" for name, _ in scope["headers"])


class DirectRoutes:
    """ASGI app: server-side POSTs to `endpoints` (by exact path) go straight to them;
    everything else to `app`."""

    def __init__(
        self, app: ASGIApp, endpoints: Mapping[str, Endpoint], *, on_error: ErrorAnswer
    ) -> None:
        self.app = app
        self._endpoints = dict(endpoints)
        self._on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = (
            self._endpoints.get(scope["path"])
            if scope["type"] == "http" and scope["method"] == "POST"
            else None
        )
        if endpoint is None or _from_browser(scope):
            await self.app(scope, receive, send)
            return
        try:
            response = await endpoint(Request(scope, receive, send))
        except PinrelayError as exc:  # a refused request, or a commit that failed
            response = self._on_error(exc)
        await response(scope, receive, send)
