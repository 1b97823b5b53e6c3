"""Bearer-token authentication of the admin API (who a token is: services.auth).

A client with too many failed tokens lately gets 429 (services.throttle), whatever it sends.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pinrelay.errors import Unauthorized
from pinrelay.services.auth import actor_for_token, caller_address
from pinrelay.services.context import context_of

_bearer = HTTPBearer(auto_error=False, description="PINRELAY_ADMIN_TOKEN or a created token")


def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Every admin route depends on this; it leaves the actor in request.state.actor."""
    context = context_of(request)
    peer = request.client.host if request.client else None
    client = caller_address(context, peer, request.headers.get("x-forwarded-for"))
    context.auth_throttle.check(client)
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("missing admin token: send Authorization: Bearer <token>")
    actor = actor_for_token(context, credentials.credentials)
    if actor is None:
        context.auth_throttle.failed(client, where=request.url.path, reason="invalid bearer token")
        raise Unauthorized("invalid or revoked admin token")
    request.state.actor = actor


def get_actor(request: Request) -> str:
    actor: str = request.state.actor
    return actor


ActorDep = Annotated[str, Depends(get_actor)]
