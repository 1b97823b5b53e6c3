"""The event debugger: the event log filtered, one event's journey, and a live stream.

Each event is shown as received (PII already hashed), with its trace per integration: which
pipeline matched and its outcome (queued, filtered by consent, unmatchable, invalid, or no
pipeline), so a user can see why an event was or was not sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Annotated, Literal

import msgspec
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse

from pinrelay.admin.deps import ERROR_RESPONSES, MAX_PAGE, MAX_SEQ, StoreDep
from pinrelay.admin.hints import hint_for_event
from pinrelay.admin.models import DeliveryStepOut, EventJourneyOut, EventOut
from pinrelay.errors import ResourceNotFound
from pinrelay.store.base import Store
from pinrelay.store.records import EventFilter, StoredEvent

router = APIRouter(prefix="/v1/admin/events", tags=["events"], responses=ERROR_RESPONSES)

STREAM_POLL_SECONDS = 0.5  # how often the live stream looks for new events
STREAM_KEEPALIVE_SECONDS = 15.0  # a comment line so proxies keep an idle stream open
Outcome = Literal["queued", "filtered", "unmatchable", "invalid", "no_pipeline"]
_encoder = msgspec.json.Encoder()


def event_out(e: StoredEvent) -> EventOut:
    return EventOut.model_validate(e, from_attributes=True)


def query_filters(
    source_id: str | None = None,
    type: str | None = None,
    name: str | None = None,
    outcome: Outcome | None = None,
    user_id: str | None = None,
    anonymous_id: str | None = None,
    since: Annotated[float | None, Query(description="Unix seconds, inclusive")] = None,
    until: Annotated[float | None, Query(description="Unix seconds, exclusive")] = None,
) -> EventFilter:
    """The debugger's filters from the query string, shared by the list and the stream."""
    return EventFilter(
        source_id=source_id,
        type=type,
        name=name,
        outcome=outcome,
        user_id=user_id,
        anonymous_id=anonymous_id,
        since=since,
        until=until,
    )


FiltersDep = Annotated[EventFilter, Depends(query_filters)]


@router.get("")
async def list_events(
    store: StoreDep,
    filters: FiltersDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    before: Annotated[int | None, Query(ge=1, le=MAX_SEQ)] = None,
) -> list[EventOut]:
    """Events newest first; every filter is optional; page with ?before=<last seq>."""
    events = await store.list_events(filters=filters, limit=limit, before=before)
    return [event_out(e) for e in events]


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "Server-Sent Events, one `data:` per event.",
        }
    },
)
async def stream_events(
    request: Request,
    store: StoreDep,
    filters: FiltersDep,
) -> StreamingResponse:
    """New events as they arrive (Server-Sent Events), with the same filters as the list."""
    newest = await store.list_events(filters=EventFilter(), limit=1, before=None)
    start_after = newest[0].seq if newest else 0
    return StreamingResponse(
        _tail(request, store, filters, start_after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _tail(
    request: Request, store: Store, filters: EventFilter, after: int
) -> AsyncIterator[bytes]:
    idle = 0.0
    yield b": stream open\n\n"
    while not await request.is_disconnected():
        batch = await store.list_events(
            filters=replace(filters, after=after), limit=MAX_PAGE, before=None
        )
        for event in reversed(batch):  # oldest first
            after = max(after, event.seq)
            data = _encoder.encode(event_out(event).model_dump(mode="json"))
            yield b"id: %d\nevent: event\ndata: %s\n\n" % (event.seq, data)
        if batch:
            idle = 0.0
            continue
        await asyncio.sleep(STREAM_POLL_SECONDS)
        idle += STREAM_POLL_SECONDS
        if idle >= STREAM_KEEPALIVE_SECONDS:
            idle = 0.0
            yield b": keep-alive\n\n"


@router.get("/{seq}")
async def get_event(
    seq: Annotated[int, Path(ge=1, le=MAX_SEQ)], store: StoreDep
) -> EventJourneyOut:
    """One event's journey: as received, the trace per integration, each Pinterest payload
    and its delivery state with Pinterest's message and a hint."""
    event = await store.get_event(seq)
    if event is None:
        raise ResourceNotFound(f"event {seq} does not exist (or was pruned by retention)")
    steps = await store.journey(seq)
    return EventJourneyOut(
        **event_out(event).model_dump(),
        deliveries=[
            DeliveryStepOut(
                integration_id=s.entry.integration_id,
                event_id=s.entry.event_id,
                event_name=s.entry.event_name,
                status=s.entry.status,
                attempts=s.entry.attempts,
                last_error=s.entry.last_error,
                warning=s.entry.warning,
                hint=hint_for_event(s.entry.status, s.entry.last_error, s.entry.attempts),
                updated_at=s.entry.updated_at,
                payload=s.payload,
            )
            for s in steps
        ],
    )
