"""Admin routes for the event log: each event as received (PII hashed) and its trace."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from pinrelay.admin.deps import ERROR_RESPONSES, MAX_PAGE, MAX_SEQ, StoreDep
from pinrelay.admin.models import EventOut

router = APIRouter(prefix="/v1/admin/events", tags=["events"], responses=ERROR_RESPONSES)


@router.get("")
async def list_events(
    store: StoreDep,
    source_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    before: Annotated[int | None, Query(ge=1, le=MAX_SEQ)] = None,
) -> list[EventOut]:
    events = await store.list_events(source_id=source_id, limit=limit, before=before)
    return [
        EventOut(
            seq=e.seq,
            source_id=e.source_id,
            message_id=e.message_id,
            type=e.type,
            name=e.name,
            user_id=e.user_id,
            anonymous_id=e.anonymous_id,
            received_at=e.received_at,
            body=e.body,
            trace=e.trace,
        )
        for e in events
    ]
