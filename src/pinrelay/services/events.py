"""The event log as the debugger shows it: events as received, one event's journey.

Each event is shown as received (PII already hashed), with its trace per integration: which
pipeline matched and its outcome (queued, filtered by consent, unmatchable, invalid, or no
pipeline), and each Pinterest payload with its delivery state and a hint.
"""

from __future__ import annotations

from dataclasses import replace

from pinrelay.errors import ResourceNotFound
from pinrelay.services.context import ServiceContext
from pinrelay.services.hints import hint_for_event
from pinrelay.services.models.events import DeliveryStepOut, EventJourneyOut, EventOut
from pinrelay.store.records import EventFilter, StoredEvent


def event_out(event: StoredEvent) -> EventOut:
    return EventOut.model_validate(event, from_attributes=True)


async def list_events(
    context: ServiceContext, filters: EventFilter, *, limit: int, before: int | None
) -> list[EventOut]:
    """Events newest first; page with `before` (the last seq of the previous page)."""
    events = await context.store.list_events(filters=filters, limit=limit, before=before)
    return [event_out(e) for e in events]


async def newest_seq(context: ServiceContext) -> int:
    """The seq of the newest event of all (0: none yet); a live stream starts after it."""
    newest = await context.store.list_events(filters=EventFilter(), limit=1, before=None)
    return newest[0].seq if newest else 0


async def events_after(
    context: ServiceContext, filters: EventFilter, after: int, *, limit: int
) -> list[StoredEvent]:
    """Events newer than `after` that pass `filters`, oldest first."""
    batch = await context.store.list_events(
        filters=replace(filters, after=after), limit=limit, before=None
    )
    return list(reversed(batch))


async def event_journey(context: ServiceContext, seq: int) -> EventJourneyOut:
    """One event's journey: as received, the trace per integration, each Pinterest payload
    and its delivery state with Pinterest's message and a hint."""
    store = context.store
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
