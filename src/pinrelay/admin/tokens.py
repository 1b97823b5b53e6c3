"""Admin routes for admin tokens (create: shown once; list: hints only; revoke: at once).

What revoking takes with it is the service's (services.tokens).
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from pinrelay.admin.auth import ActorDep
from pinrelay.admin.deps import ERROR_RESPONSES, ContextDep
from pinrelay.services import tokens
from pinrelay.store.records import AdminToken

router = APIRouter(prefix="/v1/admin/tokens", tags=["security"], responses=ERROR_RESPONSES)


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["CI deploy"])


class TokenOut(BaseModel):
    id: str
    name: str
    token_hint: str
    created_at: float
    revoked_at: float | None
    active: bool


class TokenCreated(TokenOut):
    token: str = Field(description="Shown once: pinrelay keeps only its SHA-256.")


def token_out(token: AdminToken) -> TokenOut:
    return TokenOut(
        id=token.id,
        name=token.name,
        token_hint=token.token_hint,
        created_at=token.created_at,
        revoked_at=token.revoked_at,
        active=token.active,
    )


@router.post("", status_code=201)
async def create_token(body: TokenCreate, context: ContextDep, actor: ActorDep) -> TokenCreated:
    created = await tokens.create_token(context, body.name, actor=actor)
    return TokenCreated(**token_out(created.token).model_dump(), token=created.secret)


@router.get("")
async def list_tokens(context: ContextDep) -> list[TokenOut]:
    return [token_out(t) for t in context.store.list_admin_tokens()]


@router.delete("/{token_id}", status_code=204)
async def revoke_token(token_id: str, context: ContextDep, actor: ActorDep) -> Response:
    """Revoke a token, and every token created with it (and with those, and so on):
    a leaked token must not live on through the tokens it made. Requests with any of
    them fail from now on."""
    await tokens.revoke_token(context, token_id, actor=actor)
    return Response(status_code=204)
