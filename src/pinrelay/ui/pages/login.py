"""Sign in with an admin token (checked exactly like the API checks a bearer token), sign out.

The login form has no session yet, so its CSRF defence is the SameSite=Strict cookie plus an
Origin check: a cross-site form post carries a foreign Origin and is refused.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pinrelay.collect.network import public_origin
from pinrelay.errors import TooManyRequests
from pinrelay.services.auth import actor_for_token, caller_address
from pinrelay.services.context import context_of
from pinrelay.ui.nav import NavItem
from pinrelay.ui.sessions import COOKIE_NAME
from pinrelay.ui.web import (
    FormDep,
    SessionDep,
    redirect,
    render,
    safe_next,
    sessions_of,
)

router = APIRouter()
NAV: NavItem | None = None


def _public_origin(request: Request) -> tuple[str, str]:
    """Scheme and host the browser used: behind a trusted TLS proxy, `https` and its Host."""
    return public_origin(
        request.url.scheme,
        request.headers.get("host", request.url.netloc),
        request.client.host if request.client else None,
        request.headers,
        context_of(request).trusted_proxies,
    )


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None  # no Origin header: a non-browser client or an old browser
    scheme, host = _public_origin(request)
    default_port = {"https": ":443", "http": ":80"}.get(scheme, "")
    if default_port and host.endswith(default_port):
        host = host.removesuffix(default_port)  # a browser's Origin never names it
    return origin.lower() == f"{scheme}://{host}".lower()


@router.get("/login")
async def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", None, next=safe_next(next), error=None)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    token = form.get("token")
    wanted = form.get("next")
    target = safe_next(wanted if isinstance(wanted, str) else None)
    if not _same_origin(request):
        return render(request, "refused.html", None, status_code=403)
    context = context_of(request)
    peer = request.client.host if request.client else None
    client = caller_address(context, peer, request.headers.get("x-forwarded-for"))
    try:
        context.auth_throttle.check(client)
    except TooManyRequests as exc:
        response = render(request, "login.html", None, 429, next=target, error=exc.message)
        response.headers["Retry-After"] = str(exc.retry_after_seconds)
        return response
    actor = actor_for_token(context, token.strip()) if isinstance(token, str) else None
    if actor is None:
        context.auth_throttle.failed(client, where="/login", reason="invalid token")
        return render(
            request,
            "login.html",
            None,
            next=target,
            error="That token was not accepted: use PINRELAY_ADMIN_TOKEN or a token created "
            "with POST /v1/admin/tokens.",
        )
    session = sessions_of(request).create(actor)
    response = redirect(target)
    response.set_cookie(
        COOKIE_NAME,
        session.id,
        httponly=True,
        samesite="strict",
        secure=_public_origin(request)[0] == "https",
        path="/",
    )
    return response


@router.post("/logout")
async def logout(request: Request, session: SessionDep, form: FormDep) -> Response:
    sessions_of(request).end(session.id)
    response = redirect("/login")
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict")
    return response
