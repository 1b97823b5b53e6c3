"""/docs (Swagger UI) and /redoc (ReDoc) from vendored files, not a CDN.

FastAPI's defaults load both viewers from a CDN with an inline start script: blank on a
server without internet, and blocked by the UI's Content-Security-Policy anyway. The files
come from the npm registry (static/apidocs/README.md). The pages and /openapi.json are
public, like the schema of any API: they hold no secret, and every call they describe still
needs the admin token (the admin port is bound to loopback by default).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(__file__).parent / "static" / "apidocs"
ASSETS_PATH = "/apidocs"
# Scripts only from here, as everywhere in the UI; the viewers style themselves with inline
# styles (ReDoc writes <style> tags) and ReDoc searches in a blob: worker.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

_SWAGGER = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{title}}</title>
<link rel="icon" href="{ASSETS_PATH}/favicon-32x32.png">
<link rel="stylesheet" href="{ASSETS_PATH}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="{ASSETS_PATH}/swagger-init.js"></script></body></html>
"""
_REDOC = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{title}}</title>
<link rel="icon" href="{ASSETS_PATH}/favicon-32x32.png"></head>
<body><div id="redoc"></div>
<script src="{ASSETS_PATH}/redoc.standalone.js"></script>
<script src="{ASSETS_PATH}/redoc-init.js"></script></body></html>
"""


def _page(template: str, title: str) -> HTMLResponse:
    response = HTMLResponse(template.replace("{title}", title))
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response


def install_api_docs(app: FastAPI) -> None:
    """Serve /docs and /redoc for `app` (created with docs_url=None, redoc_url=None)."""
    app.mount(ASSETS_PATH, StaticFiles(directory=str(ASSETS)), name="apidocs")
    title = f"{app.title} - docs"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return _page(_SWAGGER, title)

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return _page(_REDOC, title)
