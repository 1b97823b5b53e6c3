"""Admin routes for sources: where events come from, and their write keys."""

from __future__ import annotations

from fastapi import APIRouter, Response

from pinrelay.admin.auth import ActorDep
from pinrelay.admin.deps import ERROR_RESPONSES, ContextDep
from pinrelay.services import sources
from pinrelay.services.models.sources import (
    OutcomeCountsOut,
    SourceCreate,
    SourceCreated,
    SourceOut,
    SourcePatch,
)

router = APIRouter(prefix="/v1/admin/sources", tags=["sources"], responses=ERROR_RESPONSES)


@router.post("", status_code=201)
async def create_source(body: SourceCreate, context: ContextDep, actor: ActorDep) -> SourceCreated:
    """Create a source; its write key is in this answer only (pinrelay keeps a hash)."""
    return await sources.create_source(context, body, actor=actor)


@router.get("")
async def list_sources(context: ContextDep) -> list[SourceOut]:
    return [sources.source_out(s) for s in context.store.list_sources()]


@router.get("/{source_id}")
async def get_source(source_id: str, context: ContextDep) -> SourceOut:
    return sources.source_out(sources.existing_source(context.store, source_id))


@router.post("/{source_id}/rotate-key")
async def rotate_write_key(source_id: str, context: ContextDep, actor: ActorDep) -> SourceCreated:
    """A new write key for the source (shown once); the old key stops working at once."""
    return await sources.rotate_write_key(context, source_id, actor=actor)


@router.patch("/{source_id}")
async def update_source(
    source_id: str, body: SourcePatch, context: ContextDep, actor: ActorDep
) -> SourceOut:
    """Change the name, the default country, or the browser settings the body names."""
    return await sources.update_source(context, source_id, body, actor=actor)


@router.get("/{source_id}/outcomes")
async def source_outcomes(source_id: str, context: ContextDep) -> OutcomeCountsOut:
    """What became of this source's events, counted per integration (e.g. consent-filtered)."""
    return await sources.source_outcomes(context, source_id)


@router.delete("/{source_id}", status_code=204)
async def delete_source(source_id: str, context: ContextDep, actor: ActorDep) -> Response:
    """Delete a source: its write key stops working; refused while integrations use it."""
    await sources.delete_source(context, source_id, actor=actor)
    return Response(status_code=204)
