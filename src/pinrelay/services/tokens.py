"""Admin tokens: create (the secret is shown once), list (hints only), revoke (at once).

A revoked token takes with it every token created with it, and those created with those:
a leaked token must not live on through the tokens it made.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from pinrelay.credentials import hash_key
from pinrelay.errors import ResourceNotFound
from pinrelay.services.context import ServiceContext
from pinrelay.store.base import Store
from pinrelay.store.records import AdminToken

ADMIN_TOKEN_PREFIX = "pra_"  # noqa: S105  a prefix that marks our tokens, not a secret
AUDIT_PAGE = 500  # audit entries read per query while looking for what a token created


@dataclass(frozen=True)
class CreatedToken:
    token: AdminToken
    secret: str  # in this answer only: pinrelay keeps its SHA-256


async def create_token(context: ServiceContext, name: str, *, actor: str) -> CreatedToken:
    secret = ADMIN_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = await context.store.create_admin_token(
        token_id="tok_" + secrets.token_hex(8),
        name=name,
        token_hash=hash_key(secret),
        token_hint=secret[:8] + "…",
    )
    await context.store.audit(
        actor=actor, action="token.create", target=token.id, details={"name": name}
    )
    return CreatedToken(token, secret)


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


async def revoke_token(context: ServiceContext, token_id: str, *, actor: str) -> None:
    """Revoke a token and, transitively, every token created with it."""
    store = context.store
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
