"""Delivery: outbox entries of an integration and the log of its HTTP calls to Pinterest."""

from __future__ import annotations

from pinrelay.services.context import ServiceContext
from pinrelay.services.hints import hint_for
from pinrelay.services.integrations import existing_integration
from pinrelay.services.models.delivery import AttemptOut, DeliveriesOut, OutboxEntryOut
from pinrelay.store.records import OutboxStatus


async def list_deliveries(
    context: ServiceContext,
    integration_id: str,
    *,
    status: OutboxStatus | None,
    limit: int,
    before: int | None,
) -> DeliveriesOut:
    """Outbox entries of an integration, newest first, with counts per status."""
    store = context.store
    existing_integration(store, integration_id)
    entries = await store.list_outbox(integration_id, status=status, limit=limit, before=before)
    return DeliveriesOut(
        integration_id=integration_id,
        counts=await store.outbox_counts(integration_id),
        entries=[
            OutboxEntryOut(
                seq=e.seq,
                event_id=e.event_id,
                event_name=e.event_name,
                event_time=e.event_time,
                status=e.status,
                attempts=e.attempts,
                next_attempt_at=e.next_attempt_at if e.status == "pending" else None,
                last_error=e.last_error,
                warning=e.warning,
                created_at=e.created_at,
                updated_at=e.updated_at,
            )
            for e in entries
        ],
        next_before=entries[-1].seq if len(entries) == limit else None,
    )


async def list_attempts(
    context: ServiceContext, integration_id: str, *, limit: int
) -> list[AttemptOut]:
    """Every HTTP call to Pinterest for this integration, newest first, with a hint."""
    existing_integration(context.store, integration_id)
    attempts = await context.store.list_attempts(integration_id, limit=limit)
    return [
        AttemptOut.model_validate(a, from_attributes=True).model_copy(
            update={"hint": None if a.outcome == "delivered" else hint_for(a.http_status)}
        )
        for a in attempts
    ]
