"""Dead letters: list them with their reason, and replay them.

A replay queues the same outbox entry again (same event_id, so Pinterest deduplicates if an
earlier attempt did land), with a fresh retry budget. Events whose event_time is more than
7 days old stay dead: Pinterest refuses them (pinterest-capi.md §5.3), and the answer says so.
"""

from __future__ import annotations

import time

from pinrelay.errors import BadRequest
from pinrelay.pinterest.model import MAX_EVENT_AGE_SECONDS
from pinrelay.services.context import ServiceContext
from pinrelay.services.integrations import existing_integration
from pinrelay.services.models.delivery import (
    DeadLetterOut,
    DeadLettersOut,
    ReplayIn,
    ReplayOut,
    SkippedOut,
)
from pinrelay.store.records import DeadFilter


async def list_dead_letters(
    context: ServiceContext, selection: DeadFilter, *, limit: int, before: int | None
) -> DeadLettersOut:
    """Dead events, newest first, each with Pinterest's reason (or ours)."""
    if selection.integration_id is not None:
        existing_integration(context.store, selection.integration_id)
    dead = await context.store.list_dead(selection, limit=limit, before=before)
    return DeadLettersOut(
        entries=[DeadLetterOut.model_validate(d, from_attributes=True) for d in dead],
        next_before=dead[-1].seq if len(dead) == limit else None,
    )


async def replay_dead_letters(context: ServiceContext, body: ReplayIn, *, actor: str) -> ReplayOut:
    """Queue dead events again: one, a selection (seqs), an integration, or a time range."""
    store = context.store
    filtered = any(
        value is not None for value in (body.integration_id, body.seqs, body.since, body.until)
    )
    if not filtered and not body.all:
        raise BadRequest(
            "say which dead events to replay: integration_id, seqs, since/until, or all=true"
        )
    if body.integration_id is not None:
        existing_integration(store, body.integration_id)
    selection = DeadFilter(
        integration_id=body.integration_id,
        seqs=tuple(body.seqs) if body.seqs is not None else None,
        since=body.since,
        until=body.until,
    )
    result = await store.replay_dead(
        selection, now=time.time(), max_age_seconds=MAX_EVENT_AGE_SECONDS, limit=body.limit
    )
    await store.audit(
        actor=actor,
        action="dead_letters.replay",
        target=body.integration_id or "*",
        details={
            **body.model_dump(mode="json", exclude_unset=True),
            "replayed": len(result.replayed),
            "skipped": len(result.skipped),
        },
    )
    return ReplayOut(
        replayed=len(result.replayed),
        replayed_seqs=list(result.replayed),
        skipped=[SkippedOut(seq=seq, reason=reason) for seq, reason in result.skipped],
    )
