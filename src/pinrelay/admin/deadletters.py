"""Admin routes for dead letters: list them with their reason, and replay them
(services.deadletters says what a replay does)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from pinrelay.admin.auth import ActorDep
from pinrelay.admin.deps import MAX_PAGE, MAX_SEQ, ContextDep
from pinrelay.services import deadletters
from pinrelay.services.models.delivery import DeadLettersOut, ReplayIn, ReplayOut
from pinrelay.store.records import DeadFilter

router = APIRouter(prefix="/v1/admin/dead-letters", tags=["dead letters"])


@router.get("")
async def list_dead_letters(
    context: ContextDep,
    integration_id: str | None = None,
    since: float | None = None,
    until: float | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    before: Annotated[int | None, Query(ge=1, le=MAX_SEQ)] = None,
) -> DeadLettersOut:
    """Dead events, newest first, each with Pinterest's reason (or ours)."""
    selection = DeadFilter(integration_id=integration_id, since=since, until=until)
    return await deadletters.list_dead_letters(context, selection, limit=limit, before=before)


@router.post("/replay")
async def replay_dead_letters(body: ReplayIn, context: ContextDep, actor: ActorDep) -> ReplayOut:
    """Queue dead events again: one, a selection (seqs), an integration, or a time range."""
    return await deadletters.replay_dead_letters(context, body, actor=actor)
