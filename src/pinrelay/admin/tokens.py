"""Admin routes for admin tokens (create: shown once; list: hints only; revoke: at once)."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from pinrelay.admin.auth import ActorDep
from pinrelay.admin.deps import ERROR_RESPONSES, StoreDep
from pinrelay.credentials import hash_key
from pinrelay.errors import ResourceNotFound
from pinrelay.store.base import Store
from pinrelay.store.records import AdminToken

router = APIRouter(prefix="/v1/admin/tokens", tags=["security"], responses=ERROR_RESPONSES)

ADMIN_TOKEN_PREFIX = "pra_"  # noqa: S105  a prefix that marks our tokens, not a secret


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
async def create_token(body: TokenCreate, store: StoreDep, actor: ActorDep) -> TokenCreated:
    secret = ADMIN_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = await store.create_admin_token(
        token_id="tok_" + secrets.token_hex(8),
        name=body.name,
        token_hash=hash_key(secret),
        token_hint=secret[:8] + "…",
    )
    await store.audit(
        actor=actor, action="token.create", target=token.id, details={"name": body.name}
    )
    return TokenCreated(**token_out(token).model_dump(), token=secret)


@router.get("")
async def list_tokens(store: StoreDep) -> list[TokenOut]:
    return [token_out(t) for t in store.list_admin_tokens()]


AUDIT_PAGE = 500  # audit entries read per query while looking for what a token created


async def created_tokens(store: Store) -> dict[str, list[str]]:
    """Which tokens each actor created, from the audit log (which is never pruned)."""
    created: dict[str, list[str]] = {}
    before: int | None = None
    while page := await store.list_audit(limit=AUDIT_PAGE, before=before):
        for entry in page:
            if entry.action == "token.create":
                created.setdefault(entry.actor, []).append(entry.target)
        before = page[-1].id
    return created


@router.delete("/{token_id}", status_code=204)
async def revoke_token(token_id: str, store: StoreDep, actor: ActorDep) -> Response:
    """Revoke a token, and every token created with it (and with those, and so on):
    a leaked token must not live on through the tokens it made. Requests with any of
    them fail from now on."""
    if not await store.revoke_admin_token(token_id):
        raise ResourceNotFound(f"no active admin token {token_id!r}")
    await store.audit(actor=actor, action="token.revoke", target=token_id, details={})
    created = await created_tokens(store)
    waiting = list(created.get(token_id, []))
    while waiting:
        child = waiting.pop()
        if await store.revoke_admin_token(child):
            await store.audit(
                actor=actor, action="token.revoke", target=child, details={"created_by": token_id}
            )
        waiting += created.get(child, [])
    return Response(status_code=204)
