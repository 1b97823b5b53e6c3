"""Admin routes for delivery: outbox entries per integration and the log of HTTP attempts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from pinrelay.admin.deps import ERROR_RESPONSES, MAX_PAGE, MAX_SEQ, ContextDep
from pinrelay.services import delivery
from pinrelay.services.models.delivery import AttemptOut, DeliveriesOut
from pinrelay.store.records import OutboxStatus

router = APIRouter(tags=["delivery"], responses=ERROR_RESPONSES)


@router.get("/v1/admin/deliveries")
async def list_deliveries(
    integration_id: str,
    context: ContextDep,
    status: OutboxStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    before: Annotated[int | None, Query(ge=1, le=MAX_SEQ)] = None,
) -> DeliveriesOut:
    """Outbox entries of an integration, newest first, with counts per status."""
    return await delivery.list_deliveries(
        context, integration_id, status=status, limit=limit, before=before
    )


@router.get("/v1/admin/integrations/{integration_id}/attempts")
async def list_attempts(
    integration_id: str,
    context: ContextDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> list[AttemptOut]:
    """Every HTTP call to Pinterest for this integration, newest first."""
    return await delivery.list_attempts(context, integration_id, limit=limit)
