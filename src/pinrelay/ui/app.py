"""Registration of the UI on the admin app: pages, static files, sessions, security headers,
and the UI's rendering of errors (an HTML page; JSON for the page's own scripts).

Adding a page (dead letters and replay, match quality, pipelines editor, ...) is one module
under ui/pages with a `router` and a `NAV` entry, plus one line in PAGES below.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from pinrelay.erroranswers import admin_error_body, answer_for
from pinrelay.errors import PinrelayError
from pinrelay.ui.pages import (
    dashboard,
    deliveries,
    events,
    imports,
    integrations,
    login,
    pipeline_editor,
    pipelines,
    sources,
)
from pinrelay.ui.sessions import SessionStore
from pinrelay.ui.web import (
    HERE,
    CsrfRefused,
    LoginRequired,
    login_redirect,
    render,
    session_of,
)

PAGES = (
    login,
    dashboard,
    sources,
    integrations,
    events,
    deliveries,
    pipelines,
    pipeline_editor,
    imports,
)

# Scripts and styles only from this origin: no inline script can run, even if a value
# slipped through escaping. Frames are refused (clickjacking).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # "no-referrer" makes form posts send Origin: null
}


TITLES = {400: "Not possible", 403: "Refused", 404: "Not found", 409: "Not possible"}


def wants_json(request: Request) -> bool:
    """The page's scripts (dashboard data, debugger feed) ask for JSON; browsers for HTML."""
    return request.headers.get("accept", "").startswith("application/json")


def error_page(request: Request, exc: PinrelayError) -> Response:
    """A UI request's answer to an error of ours: erroranswers decides status and message,
    the page says it in the site's frame (with the menu when signed in)."""
    answer = answer_for(exc, path=request.url.path)
    if wants_json(request):
        response: Response = JSONResponse(admin_error_body(answer), answer.status)
    else:
        title = TITLES.get(answer.status, "Something went wrong")
        response = render(
            request,
            "error.html",
            session_of(request),
            status_code=answer.status,
            title=title,
            message=answer.message,
        )
    response.headers.update(answer.headers)
    return response


def install_ui(app: FastAPI, *, sessions: SessionStore | None = None) -> None:
    """Serve the management UI from `app` (the admin API's app)."""
    app.state.ui_sessions = sessions if sessions is not None else SessionStore()  # empty is falsy
    app.state.ui_nav = [page.NAV for page in PAGES if page.NAV is not None]
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for page in PAGES:
        app.include_router(page.router, include_in_schema=False)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        if wants_json(request):
            return JSONResponse({"error": {"status": 401, "message": "signed out"}}, 401)
        return login_redirect(request)

    @app.exception_handler(CsrfRefused)
    async def _csrf(request: Request, exc: CsrfRefused) -> Response:
        return render(request, "refused.html", None, status_code=403)

    @app.middleware("http")
    async def _headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        if not request.url.path.startswith("/v1/"):
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            if not request.url.path.startswith("/static/"):
                response.headers.setdefault("Cache-Control", "no-store")
        return response
