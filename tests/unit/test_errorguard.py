"""The error guard: an unexpected error is one short log line and a plain 500."""

from __future__ import annotations

import httpx
import pytest
from starlette.types import Receive, Scope, Send
from structlog.testing import capture_logs

from pinrelay.errorguard import MAX_DETAIL_CHARS, ErrorGuard


def _recurse(depth: int) -> int:
    return _recurse(depth + 1) + 1


async def _crashing_app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["path"] == "/deep":
        _recurse(0)
    raise ValueError("x" * 100_000)


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["/deep", "/long"])
async def test_an_unexpected_error_is_a_500_and_one_bounded_log_line(path: str) -> None:
    guard = ErrorGuard(_crashing_app, action="test.unexpected_error")
    transport = httpx.ASGITransport(app=guard)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        with capture_logs() as logs:
            response = await client.get(path)
    assert response.status_code == 500
    assert response.json()["message"] == "internal error; it has been logged"
    [entry] = logs
    assert entry["action"] == "test.unexpected_error"
    assert len(entry["detail"]) <= MAX_DETAIL_CHARS
    assert len(repr(entry)) < 1000
