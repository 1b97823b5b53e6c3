"""The baseline for the ingest benchmark: a collect endpoint that parses JSON and stores nothing.

Served by the same uvicorn, with the same JSON decoder, so the ratio measures what pinrelay
adds on top of HTTP + JSON: checking, hashing, pipelines, validation and the durable commit.
"""

from __future__ import annotations

import msgspec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_decoder = msgspec.json.Decoder()


async def batch(request: Request) -> Response:
    body = _decoder.decode(await request.body())
    if not isinstance(body.get("batch"), list):
        return Response(b'{"success":false}', status_code=400, media_type="application/json")
    return Response(b'{"success":true}', media_type="application/json")


app = Starlette(routes=[Route("/v1/batch", batch, methods=["POST"])])
