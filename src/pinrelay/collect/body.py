"""Reading a collect request body: size limits, gzip, JSON.

Limits: 32 KB per event (Segment's HTTP Tracking API), and per request the batch size of
RudderStack's SDKs (4 MB, its gateway's limit; Segment's SDKs stop at 500 KB), so no SDK a site
already runs hits ours. A gzip body is limited by its *decompressed* size, so a
small compressed bomb cannot make us allocate gigabytes.
"""

from __future__ import annotations

import zlib
from typing import Any

import msgspec
from starlette.requests import Request

from pinrelay.errors import BadRequest, PayloadTooLarge

# rudder-sdk-python fills a batch until it reaches 4 MB, so one may pass 4 MB by its last event
MAX_REQUEST_BYTES = 4608 * 1024
MAX_EVENT_BYTES = 32 * 1024  # Segment: "maximum of 32 KB per event"

_decoder = msgspec.json.Decoder()


async def read_body(request: Request, max_bytes: int = MAX_REQUEST_BYTES) -> bytes:
    """The request body, decompressed, refused past `max_bytes`."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(chunk)
    raw = b"".join(chunks)
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding == "gzip":
        return _gunzip(raw, max_bytes)
    raise BadRequest(f"Content-Encoding {encoding!r} is not supported: send gzip or no encoding")


def _gunzip(raw: bytes, max_bytes: int) -> bytes:
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = decompressor.decompress(raw, max_bytes + 1)
    except zlib.error as exc:
        raise BadRequest(
            f"the body is not valid gzip ({exc}): compress it or drop the Content-Encoding header"
        ) from exc
    if len(data) > max_bytes or decompressor.unconsumed_tail:
        raise _too_large(max_bytes)
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


def _too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"request body over {max_bytes // 1024} KB: split it into several batches "
        f"(and keep each event under {MAX_EVENT_BYTES // 1024} KB)"
    )
