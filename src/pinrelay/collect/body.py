"""Reading a collect request body: size limits, gzip, JSON.

Limits follow Segment's HTTP Tracking API, so an SDK that respects them never hits ours:
32 KB per event, 500 KB per request. A gzip body is limited by its *decompressed* size, so a
small compressed bomb cannot make us allocate gigabytes.
"""

from __future__ import annotations

import zlib
from typing import Any

import msgspec
from starlette.requests import Request

from pinrelay.errors import BadRequest, PayloadTooLarge

MAX_REQUEST_BYTES = 500 * 1024  # Segment: "maximum of 500 KB per batch request"
MAX_EVENT_BYTES = 32 * 1024  # Segment: "maximum of 32 KB per event"

_decoder = msgspec.json.Decoder()


async def read_body(request: Request) -> bytes:
    """The request body, decompressed, refused past MAX_REQUEST_BYTES."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_REQUEST_BYTES:
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            raise _too_large()
        chunks.append(chunk)
    raw = b"".join(chunks)
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding == "gzip":
        return _gunzip(raw)
    raise BadRequest(f"Content-Encoding {encoding!r} is not supported: send gzip or no encoding")


def _gunzip(raw: bytes) -> bytes:
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = decompressor.decompress(raw, MAX_REQUEST_BYTES + 1)
    except zlib.error as exc:
        raise BadRequest(
            f"the body is not valid gzip ({exc}): compress it or drop the Content-Encoding header"
        ) from exc
    if len(data) > MAX_REQUEST_BYTES or decompressor.unconsumed_tail:
        raise _too_large()
    if not decompressor.eof:
        raise BadRequest("the gzip body is truncated")
    return data


def decode_json(body: bytes) -> Any:
    if not body.strip():
        raise BadRequest("the body is empty: send a JSON object")
    try:
        return _decoder.decode(body)
    except msgspec.DecodeError as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}") from exc
    except RecursionError:
        # msgspec's own depth guard; the per-message limit (messages.MAX_NESTING_DEPTH) is lower
        raise BadRequest("the body nests too deeply: flatten its properties") from None


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(
        f"request body over {MAX_REQUEST_BYTES // 1024} KB: split it into several batches "
        f"(and keep each event under {MAX_EVENT_BYTES // 1024} KB)"
    )
