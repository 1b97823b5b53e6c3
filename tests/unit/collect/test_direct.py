"""The collect hot path: server-side POSTs skip the Starlette stack, nothing else does."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from pinrelay.collect.direct import DirectRoutes
from pinrelay.errors import PinrelayError, Unauthorized


async def direct_track(request: Request) -> Response:
    return PlainTextResponse("direct:" + (await request.body()).decode())


async def refusing(request: Request) -> Response:
    raise Unauthorized("unknown write key")


async def through_starlette(request: Request) -> Response:
    return PlainTextResponse("starlette")


def answer(exc: PinrelayError) -> Response:
    return PlainTextResponse(f"{exc.status_code}: {exc.message}", status_code=exc.status_code)


def client() -> httpx.AsyncClient:
    full = Starlette(
        routes=[
            Route("/v1/track", through_starlette, methods=["POST", "GET"]),
            Route("/healthz", through_starlette),
        ]
    )
    app = DirectRoutes(full, {"/v1/track": direct_track, "/v1/refuse": refusing}, on_error=answer)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://collect")


@pytest.mark.anyio
async def test_a_server_side_post_goes_straight_to_its_endpoint() -> None:
    async with client() as http:
        response = await http.post("/v1/track", content=b"{}")
    assert response.text == "direct:{}"


@pytest.mark.anyio
async def test_a_browser_post_goes_through_the_full_app() -> None:
    async with client() as http:
        response = await http.post(
            "/v1/track", content=b"{}", headers={"Origin": "https://shop.example"}
        )
    assert response.text == "starlette"


@pytest.mark.anyio
async def test_other_methods_and_paths_go_through_the_full_app() -> None:
    async with client() as http:
        assert (await http.get("/v1/track")).text == "starlette"
        assert (await http.get("/healthz")).text == "starlette"
        assert (await http.post("/v1/unknown")).status_code == 404


@pytest.mark.anyio
async def test_an_http_error_of_an_endpoint_is_answered_like_the_app_does() -> None:
    async with client() as http:
        response = await http.post("/v1/refuse", content=b"{}")
    assert response.status_code == 401
    assert response.text == "401: unknown write key"
