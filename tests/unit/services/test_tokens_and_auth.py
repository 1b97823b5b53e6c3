"""Admin tokens and who they are: created once, revoked with everything they created."""

from __future__ import annotations

import pytest

from pinrelay.errors import ResourceNotFound, TooManyRequests
from pinrelay.services import tokens
from pinrelay.services.auth import BOOTSTRAP_ACTOR, actor_for_token, is_active_actor
from pinrelay.services.context import ServiceContext
from pinrelay.services.throttle import FailureThrottle
from tests.unit.services.conftest import ADMIN_TOKEN

pytestmark = pytest.mark.anyio


async def test_the_bootstrap_token_is_the_env_actor(context: ServiceContext) -> None:
    assert actor_for_token(context, ADMIN_TOKEN) == BOOTSTRAP_ACTOR
    assert actor_for_token(context, ADMIN_TOKEN + "x") is None


async def test_a_created_token_is_its_own_actor_until_revoked(context: ServiceContext) -> None:
    created = await tokens.create_token(context, "CI", actor=BOOTSTRAP_ACTOR)
    assert actor_for_token(context, created.secret) == created.token.id
    assert created.secret not in created.token.token_hint
    await tokens.revoke_token(context, created.token.id, actor=BOOTSTRAP_ACTOR)
    assert actor_for_token(context, created.secret) is None
    assert not is_active_actor(context, created.token.id)


async def test_revoking_a_token_revokes_what_it_created_transitively(
    context: ServiceContext,
) -> None:
    parent = await tokens.create_token(context, "parent", actor=BOOTSTRAP_ACTOR)
    child = await tokens.create_token(context, "child", actor=parent.token.id)
    grandchild = await tokens.create_token(context, "grandchild", actor=child.token.id)
    await tokens.revoke_token(context, parent.token.id, actor=BOOTSTRAP_ACTOR)
    for made in (parent, child, grandchild):
        assert actor_for_token(context, made.secret) is None


async def test_revoking_an_unknown_token_is_a_404(context: ServiceContext) -> None:
    with pytest.raises(ResourceNotFound, match="no active admin token 'tok_nope'"):
        await tokens.revoke_token(context, "tok_nope", actor=BOOTSTRAP_ACTOR)


def test_the_throttle_refuses_a_client_past_its_failures_with_retry_after() -> None:
    now = [1000.0]
    throttle = FailureThrottle(max_failures=2, window_seconds=60, clock=lambda: now[0])
    throttle.failed("198.51.100.7", where="/login", reason="invalid token")
    throttle.check("198.51.100.7")  # one failure: still allowed
    throttle.failed("198.51.100.7", where="/login", reason="invalid token")
    with pytest.raises(TooManyRequests) as refused:
        throttle.check("198.51.100.7")
    assert refused.value.retry_after_seconds == 60
    throttle.check("203.0.113.9")  # other clients are not slowed down
    now[0] += 61
    throttle.check("198.51.100.7")  # the failures left the window
