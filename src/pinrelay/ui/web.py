"""What every UI page shares: templates, the session dependency, CSRF-checked forms, flashes.

Pages are server-rendered; a form posts, the handler checks the CSRF token of the session,
acts through the same services the admin API calls (pinrelay.services), and redirects
(post/redirect/get) with a one-time flash message, so reloading a page never repeats an action.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData

from pinrelay.errors import Forbidden, Unauthorized
from pinrelay.services.auth import is_active_actor
from pinrelay.services.context import context_of
from pinrelay.store.base import Store
from pinrelay.ui.sessions import COOKIE_NAME, Session, SessionStore, csrf_ok

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def _when(value: float | None) -> str:
    """Unix seconds as a UTC timestamp people read (ISO 8601, to the second)."""
    if value is None:
        return "-"
    return dt.datetime.fromtimestamp(value, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _age(since: float | None) -> str:
    """How long ago, in words: "45 s", "12 min", "3 h", "2 days"."""
    if since is None:
        return "-"
    seconds = max(0.0, time.time() - since)
    for unit, size in (("days", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return f"{int(seconds)} s"


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


templates.env.filters["when"] = _when
templates.env.filters["pretty"] = _pretty
templates.env.filters["age"] = _age


# A form with mistakes is shown again with status 200 and the mistakes marked: browsers log
# every 4xx page as a console error, and the page itself is a normal answer to the visitor.


class LoginRequired(Unauthorized):
    """No live session: the UI redirects to /login (or answers 401 to a script)."""

    def __init__(self) -> None:
        super().__init__("signed out")


class CsrfRefused(Forbidden):
    """A form without this session's CSRF token: refused with 403."""

    def __init__(self) -> None:
        super().__init__("this form did not come from this page: reload it and try again")


def sessions_of(request: Request) -> SessionStore:
    sessions: SessionStore = request.app.state.ui_sessions
    return sessions


def store_of(request: Request) -> Store:
    return context_of(request).store


def current_session(request: Request) -> Session:
    """The signed-in session, or LoginRequired; a revoked token ends its sessions."""
    sessions = sessions_of(request)
    session = sessions.get(request.cookies.get(COOKIE_NAME))
    if session is None:
        raise LoginRequired
    if not is_active_actor(context_of(request), session.actor):
        sessions.end_actor(session.actor)
        raise LoginRequired
    request.state.actor = session.actor
    request.state.ui_session = session  # an error page of this request shows the menu too
    return session


def session_of(request: Request) -> Session | None:
    """The session `current_session` found for this request, if it ran."""
    session: Session | None = getattr(request.state, "ui_session", None)
    return session


SessionDep = Annotated[Session, Depends(current_session)]


async def checked_form(request: Request, session: SessionDep) -> FormData:
    """The posted form, after checking its CSRF token against the session's."""
    form = await request.form()
    submitted = form.get("csrf_token")
    if not csrf_ok(session, submitted if isinstance(submitted, str) else None):
        raise CsrfRefused
    return form


FormDep = Annotated[FormData, Depends(checked_form)]


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def render(
    request: Request, template: str, session: Session | None, status_code: int = 200, **context: Any
) -> Response:
    flashes = list(session.flash) if session else []
    if session:
        session.flash.clear()
    return templates.TemplateResponse(
        request,
        template,
        {"session": session, "flashes": flashes, "nav": request.app.state.ui_nav, **context},
        status_code=status_code,
    )


def redirect(path: str, session: Session | None = None, flash: str | None = None) -> Response:
    """303 See Other to a UI path (never an absolute URL: no open redirect)."""
    if session is not None and flash:
        session.flash.append(flash)
    return RedirectResponse(path, status_code=303)


def login_redirect(request: Request) -> Response:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def safe_next(target: str | None) -> str:
    """Only paths of this site: '/x' yes, '//evil.example' or 'https://...' no."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
