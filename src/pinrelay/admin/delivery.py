"""Admin routes for delivery: outbox entries per integration and the log of HTTP attempts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from pinrelay.admin.deps import ERROR_RESPONSES, MAX_PAGE, MAX_SEQ, StoreDep, existing_integration
from pinrelay.admin.hints import hint_for
from pinrelay.admin.models import AttemptOut, DeliveriesOut, OutboxEntryOut
from pinrelay.store.records import OutboxStatus

router = APIRouter(tags=["delivery"], responses=ERROR_RESPONSES)


@router.get("/v1/admin/deliveries")
async def list_deliveries(
    integration_id: str,
    store: StoreDep,
    status: OutboxStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    before: Annotated[int | None, Query(ge=1, le=MAX_SEQ)] = None,
) -> DeliveriesOut:
    """Outbox entries of an integration, newest first, with counts per status."""
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


@router.get("/v1/admin/integrations/{integration_id}/attempts")
async def list_attempts(
    integration_id: str,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> list[AttemptOut]:
    """Every HTTP call to Pinterest for this integration, newest first."""
    existing_integration(store, integration_id)
    attempts = await store.list_attempts(integration_id, limit=limit)
    return [
        AttemptOut.model_validate(a, from_attributes=True).model_copy(
            update={"hint": None if a.outcome == "delivered" else hint_for(a.http_status)}
        )
        for a in attempts
    ]
