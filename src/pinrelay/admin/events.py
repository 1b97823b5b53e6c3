"""The event debugger's routes: the event log filtered, one event's journey, a live stream.

What an event and its journey look like is the service's (services.events); the stream is
HTTP's own (Server-Sent Events), so it lives here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

import msgspec
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse

from pinrelay.admin.deps import ERROR_RESPONSES, MAX_PAGE, MAX_SEQ, ContextDep
from pinrelay.services import events
from pinrelay.services.context import ServiceContext
from pinrelay.services.models.events import EventJourneyOut, EventOut, Outcome
from pinrelay.store.records import EventFilter

router = APIRouter(prefix="/v1/admin/events", tags=["events"], responses=ERROR_RESPONSES)

STREAM_POLL_SECONDS = 0.5  # how often the live stream looks for new events
STREAM_KEEPALIVE_SECONDS = 15.0  # a comment line so proxies keep an idle stream open
_encoder = msgspec.json.Encoder()


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
    context: ContextDep,
    filters: FiltersDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    before: Annotated[int | None, Query(ge=1, le=MAX_SEQ)] = None,
) -> list[EventOut]:
    """Events newest first; every filter is optional; page with ?before=<last seq>."""
    return await events.list_events(context, filters, limit=limit, before=before)


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
    context: ContextDep,
    filters: FiltersDep,
) -> StreamingResponse:
    """New events as they arrive (Server-Sent Events), with the same filters as the list."""
    start_after = await events.newest_seq(context)
    return StreamingResponse(
        _tail(request, context, filters, start_after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _tail(
    request: Request, context: ServiceContext, filters: EventFilter, after: int
) -> AsyncIterator[bytes]:
    idle = 0.0
    yield b": stream open\n\n"
    while not await request.is_disconnected():
        batch = await events.events_after(context, filters, after, limit=MAX_PAGE)
        for event in batch:  # oldest first
            after = max(after, event.seq)
            data = _encoder.encode(events.event_out(event).model_dump(mode="json"))
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
    seq: Annotated[int, Path(ge=1, le=MAX_SEQ)], context: ContextDep
) -> EventJourneyOut:
    """One event's journey: as received, the trace per integration, each Pinterest payload
    and its delivery state with Pinterest's message and a hint."""
    return await events.event_journey(context, seq)
