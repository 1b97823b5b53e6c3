"""A request size limit for every admin route (the collect port has its own, tighter ones).

Checked on the declared Content-Length and again while the body streams in, so a client that
lies about the length, or sends chunked, still cannot make the server buffer without bound.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_ADMIN_BODY_BYTES = 1024 * 1024  # room for the largest pipeline YAML an integration holds
# Routes that stream their body to disk and enforce their own limit (issue 15: import files).
STREAMED_PATHS = frozenset({"/v1/admin/imports/files", "/imports/upload"})


class BodySizeLimit:
    """ASGI middleware answering 413 with our error body past `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_ADMIN_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in STREAMED_PATHS:
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._refuse(send)
                return
        # Admin bodies are small: read the whole body first (refusing past the limit), then
        # hand it to the app. Raising from inside the app's own read would be turned into a
        # 400 by the framework's body parsing.
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for a disconnect, as servers do

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {
                "error": {
                    "status": 413,
                    "message": (
                        f"request body over {self.max_bytes // 1024} KB: send less per request"
                    ),
                }
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
