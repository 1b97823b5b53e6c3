"""A web page served by the test on its own loopback origin, with the real SDK bundles.

The browser SDKs come from npm (tests/sdk/package-lock.json, installed by scripts/setup with
`npm ci`) and are served from node_modules under /sdk/: nothing is fetched from a CDN.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

from pinrelay.app import http_server
from tests.support.servers import ThreadedLoop, free_port

NODE_MODULES = Path(__file__).resolve().parents[1] / "sdk" / "node_modules"
SEGMENT_UMD = NODE_MODULES / "@segment" / "analytics-next" / "dist" / "umd"
RUDDERSTACK_UMD = (
    NODE_MODULES / "@rudderstack" / "analytics-js" / "dist" / "npm" / "modern" / "bundled" / "umd"
)


def require_sdks() -> None:
    """Skip on a machine without the npm packages; fail in CI, where setup installs them."""
    if (NODE_MODULES / ".pinrelay-lock").exists():
        return
    message = f"the SDK matrix's npm packages are missing in {NODE_MODULES}: run scripts/setup"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def serving_page(html: str, *, port: int | None = None) -> Iterator[str]:
    """Serve `html` at / and tests/sdk/node_modules at /sdk/...; yields the page's origin."""

    async def page(request: Request) -> Response:
        return HTMLResponse(html)

    async def module_file(request: Request) -> Response:
        path = (NODE_MODULES / str(request.path_params["path"])).resolve()
        if not path.is_relative_to(NODE_MODULES) or not path.is_file():
            return Response(status_code=404)
        return FileResponse(path, media_type="text/javascript")

    app = Starlette(
        routes=[Route("/", page), Route("/sdk/{path:path}", module_file)],
    )
    runner = ThreadedLoop()
    port = port or free_port()
    server = http_server(app, "127.0.0.1", port)
    task = runner.submit(server.serve())
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the page server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        task.result(timeout=10)
        runner.close()
