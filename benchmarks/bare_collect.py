"""The baseline of the ingest benchmark: a bare ASGI app that only decodes the JSON body.

No framework, no routing, no checks: uvicorn (httptools, uvloop) reads the request, msgspec
decodes the same body pinrelay gets, and a fixed answer goes back. This is the ceiling of
HTTP + JSON in Python on one core; the benchmark reports pinrelay as a ratio of it, measured
in the same run, so a noisy machine moves both.

    uvicorn benchmarks.bare_collect:app --http httptools --loop uvloop
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import msgspec

Message = MutableMapping[str, Any]

_decode = msgspec.json.Decoder().decode
_OK = b'{"success":true}'
_HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(_OK)).encode())]


async def app(
    scope: Message,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    if scope["type"] != "http":
        return
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    status = 200
    if scope["method"] == "POST":
        try:
            _decode(b"".join(chunks))
        except msgspec.DecodeError:
            status = 400
    await send({"type": "http.response.start", "status": status, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": _OK})
