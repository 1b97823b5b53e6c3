"""The admin port's app: the management API with the UI mounted on it.

The composition root of the two: `admin` and `ui` never import each other (a test checks the
import graph), so the one place that knows both lives here. It also picks, per request, how
an error of ours is rendered: API paths answer the JSON error body, UI pages an HTML page.
Both go through pinrelay.erroranswers, so a status and a message are decided once.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from pinrelay.admin.app import build_admin_app, error_json
from pinrelay.admin.nostore import API_PREFIXES
from pinrelay.errors import PinrelayError
from pinrelay.services.context import ServiceContext
from pinrelay.ui.app import error_page, install_ui
from pinrelay.ui.sessions import SessionStore


def is_api_path(path: str) -> bool:
    """Whether a path is the admin API's (JSON answers) rather than a UI page's."""
    return path.startswith(API_PREFIXES)


def build_admin_site(context: ServiceContext, *, sessions: SessionStore | None = None) -> FastAPI:
    """The admin API for `context`, with the management UI at / (its own session login)."""
    app = build_admin_app(context)
    install_ui(app, sessions=sessions)

    @app.exception_handler(PinrelayError)
    async def _domain_error(request: Request, exc: PinrelayError) -> Response:
        if is_api_path(request.url.path):
            return error_json(exc, request.url.path)
        return error_page(request, exc)

    return app
