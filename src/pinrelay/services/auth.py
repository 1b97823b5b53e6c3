"""Who a token is, for the admin API's bearer check and the UI's sign-in alike.

Two kinds of token open the admin port: PINRELAY_ADMIN_TOKEN (the bootstrap token, actor
"env") and tokens created through `/v1/admin/tokens` (stored as SHA-256, actor = the token's
id). The audit log records which one made each change. Comparisons are constant-time or by
hash; a failed attempt counts against the caller's address (services.throttle).
"""

from __future__ import annotations

from pinrelay.collect.network import client_address
from pinrelay.credentials import hash_key, same_secret
from pinrelay.services.context import ServiceContext

BOOTSTRAP_ACTOR = "env"


def actor_for_token(context: ServiceContext, given: str) -> str | None:
    """Who `given` is ("env" or a created token's id), or None."""
    if same_secret(given, context.admin_token):
        return BOOTSTRAP_ACTOR
    token = context.store.admin_token_for_hash(hash_key(given))
    return None if token is None else token.id


def is_active_actor(context: ServiceContext, actor: str) -> bool:
    """Whether a signed-in actor may still act: its token was not revoked since."""
    return actor == BOOTSTRAP_ACTOR or any(
        t.id == actor and t.active for t in context.store.list_admin_tokens()
    )


def caller_address(context: ServiceContext, peer: str | None, forwarded_for: str | None) -> str:
    """The caller's address: X-Forwarded-For is believed only from our trusted proxies."""
    return client_address(peer, forwarded_for, context.trusted_proxies) or "unknown"
