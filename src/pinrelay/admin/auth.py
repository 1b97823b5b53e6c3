"""Bearer-token authentication of the admin API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pinrelay.credentials import same_secret
from pinrelay.errors import Unauthorized

_bearer = HTTPBearer(auto_error=False, description="PINRELAY_ADMIN_TOKEN")


def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Every admin route depends on this; the compare is constant-time."""
    expected: str = request.app.state.admin_token
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("missing admin token: send Authorization: Bearer <PINRELAY_ADMIN_TOKEN>")
    if not same_secret(credentials.credentials, expected):
        raise Unauthorized("invalid admin token")
