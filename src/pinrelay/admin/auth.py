"""Bearer-token authentication of the admin API.

Two kinds of token open it: PINRELAY_ADMIN_TOKEN (the bootstrap token, actor "env") and tokens
created through `/v1/admin/tokens` (stored as SHA-256, actor = the token's id). The audit log
records which one made each change. Comparisons are constant-time or by hash.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pinrelay.admin.throttle import FailureThrottle
from pinrelay.collect.network import Network, client_address
from pinrelay.credentials import hash_key, same_secret
from pinrelay.errors import Unauthorized
from pinrelay.store.base import Store

BOOTSTRAP_ACTOR = "env"

_bearer = HTTPBearer(auto_error=False, description="PINRELAY_ADMIN_TOKEN or a created token")


def client_of(request: Request) -> str:
    """The caller's address: X-Forwarded-For is believed only from our trusted proxies."""
    peer = request.client.host if request.client else None
    trusted: tuple[Network, ...] = getattr(request.app.state, "trusted_proxies", ())
    return client_address(peer, request.headers.get("x-forwarded-for"), trusted) or "unknown"


def throttle_of(request: Request) -> FailureThrottle:
    throttle: FailureThrottle = request.app.state.auth_throttle
    return throttle


def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Every admin route depends on this; it leaves the actor in request.state.actor.

    A client with too many failed tokens lately gets 429 (admin.throttle), whatever it sends.
    """
    client = client_of(request)
    throttle_of(request).check(client)
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("missing admin token: send Authorization: Bearer <token>")
    actor = actor_for_token(request, credentials.credentials)
    if actor is None:
        throttle_of(request).failed(client, where=request.url.path, reason="invalid bearer token")
        raise Unauthorized("invalid or revoked admin token")
    request.state.actor = actor


def actor_for_token(request: Request, given: str) -> str | None:
    """Who `given` is ("env" or a created token's id), or None; the UI's login uses it too."""
    expected: str = request.app.state.admin_token
    if same_secret(given, expected):
        return BOOTSTRAP_ACTOR
    store: Store = request.app.state.store
    token = store.admin_token_for_hash(hash_key(given))
    return None if token is None else token.id


def get_actor(request: Request) -> str:
    actor: str = request.state.actor
    return actor


ActorDep = Annotated[str, Depends(get_actor)]
