"""The event debugger: the event log with the API's filters, live, and one event's journey.

Live updates poll `/events/feed?after=<seq>` (JSON, same filters) every couple of seconds:
no connection stays open, so proxies and server shutdowns never wait on the page. The admin
API's SSE stream (`/v1/admin/events/stream`) remains for API clients.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from pinrelay.services.eventstats import OUTCOMES
from pinrelay.services.models.events import Outcome
from pinrelay.services.paging import MAX_SEQ
from pinrelay.store.records import EventFilter, StoredEvent
from pinrelay.ui.journey import journey
from pinrelay.ui.nav import NavItem
from pinrelay.ui.pages.pipelines import registry_of
from pinrelay.ui.web import SessionDep, render, store_of

router = APIRouter()
NAV = NavItem("/events", "Event debugger")
PAGE = 100


def outcomes_of(event: StoredEvent) -> list[str]:
    return sorted({str(step.get("outcome")) for step in event.trace}) or ["no_integration"]


def row(event: StoredEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "type": event.type,
        "name": event.name or "",
        "source_id": event.source_id,
        "user": event.user_id or event.anonymous_id or "",
        "received_at": event.received_at,
        "outcomes": outcomes_of(event),
    }


def _filters(
    source_id: str | None,
    type: str | None,
    name: str | None,
    outcome: str | None,
    user_id: str | None,
    anonymous_id: str | None,
) -> EventFilter:
    """The API's filters (an empty form field means any; an unknown outcome is ignored)."""
    return EventFilter(
        source_id=source_id or None,
        type=type or None,
        name=name or None,
        outcome=outcome if outcome in OUTCOMES else None,
        user_id=user_id or None,
        anonymous_id=anonymous_id or None,
    )


@router.get("/events")
async def list_events(
    request: Request,
    session: SessionDep,
    source_id: str | None = None,
    type: str | None = None,
    name: str | None = None,
    outcome: str | None = None,
    user_id: str | None = None,
    anonymous_id: str | None = None,
) -> Response:
    store = store_of(request)
    filters = _filters(source_id, type, name, outcome, user_id, anonymous_id)
    events = await store.list_events(filters=filters, limit=PAGE, before=None)
    return render(
        request,
        "events.html",
        session,
        rows=[row(e) for e in events],
        filters=filters,
        sources=store.list_sources(),
        outcomes=OUTCOMES,
        newest=events[0].seq if events else 0,
    )


@router.get("/events/feed")
async def feed(
    request: Request,
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
    source_id: str | None = None,
    type: str | None = None,
    name: str | None = None,
    outcome: Outcome | None = None,
    user_id: str | None = None,
    anonymous_id: str | None = None,
) -> JSONResponse:
    """Events newer than `after`, oldest first (what the page appends on top)."""
    filters = _filters(source_id, type, name, outcome, user_id, anonymous_id)
    filters = replace(filters, after=after)
    events = await store_of(request).list_events(filters=filters, limit=PAGE, before=None)
    return JSONResponse({"events": [row(e) for e in reversed(events)]})


@router.get("/events/{seq}")
async def show_event(
    request: Request, seq: Annotated[int, Path(ge=1, le=MAX_SEQ)], session: SessionDep
) -> Response:
    store = store_of(request)
    event = await store.get_event(seq)
    if event is None:
        return render(request, "not_found.html", session, status_code=404, what="event")
    steps = await journey(store, event, registry_of(request).pipelines_for)
    return render(request, "event.html", session, event=event, steps=steps)
