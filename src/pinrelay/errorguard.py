"""The last line of defence of our HTTP apps: an unexpected error gives one short log line.

Every input we know of is refused with a 4xx long before this runs (the fuzz suite checks
it). If a bug still raises, the default is a traceback in the log whose size the sender
controls (a RecursionError prints thousands of frames: 165 KB for a 1.2 KB request). Here
it becomes one line of bounded size, naming the error and where it was raised, and the
client gets a 500 that says nothing about our internals.
"""

from __future__ import annotations

import traceback

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = structlog.get_logger(__name__)

MAX_DETAIL_CHARS = 200  # of the exception's message, in the log line
MAX_FRAMES = 3  # innermost frames named in the log line
_BODY = b'{"success":false,"code":"error","message":"internal error; it has been logged"}'
ADMIN_BODY = b'{"error":{"status":500,"message":"internal error; it has been logged"}}'


def describe(exc: BaseException) -> dict[str, str]:
    """The exception in a few hundred characters: its type, message and innermost frames."""
    frames = traceback.extract_tb(exc.__traceback__)[-MAX_FRAMES:]
    return {
        "error": type(exc).__name__,
        "detail": str(exc)[:MAX_DETAIL_CHARS],
        "where": " < ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in frames[::-1]),
    }


class ErrorGuard:
    """ASGI middleware: log an unexpected error in one bounded line and answer 500."""

    def __init__(self, app: ASGIApp, *, action: str, body: bytes = _BODY) -> None:
        self.app = app
        self.action = action
        self.body = body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:  # the point of this class: nothing escapes
            logger.error(
                "unexpected error",
                action=self.action,
                path=str(scope.get("path", ""))[:100],
                **describe(exc),
            )
            if started:
                return  # the answer is half sent; closing the response is all we can do
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": self.body})
