"""`GET /v1/admin/stats/...`: per integration, event outcomes over time (the dashboard's)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from pinrelay.admin.deps import ERROR_RESPONSES, ContextDep
from pinrelay.services.rangestats import bucket_stats
from pinrelay.services.recovered import DEFAULT_DAYS, recovered_by_integration

router = APIRouter(prefix="/v1/admin/stats", tags=["stats"], responses=ERROR_RESPONSES)


@router.get("/events")
async def stats_of_events(
    context: ContextDep,
    window_seconds: Annotated[int, Query(ge=60, le=30 * 86400)] = 3600,
    bucket_seconds: Annotated[int, Query(ge=10, le=86400)] = 60,
) -> dict[str, Any]:
    """Counts per bucket: received (events of the source) and each trace outcome."""
    if window_seconds // bucket_seconds > 2000:
        bucket_seconds = window_seconds // 2000
    stats = await bucket_stats(
        context.store, window_seconds=window_seconds, bucket_seconds=bucket_seconds
    )
    return stats.as_json()


@router.get("/recovered")
async def recovered_conversions(
    context: ContextDep, days: Annotated[int, Query(ge=1, le=90)] = DEFAULT_DAYS
) -> dict[str, Any]:
    """Per integration and UTC day: conversions delivered while the page's Pinterest Tag was
    blocked (pinrelay.js's `context.pinterestTag`), i.e. ones the Tag could not have sent."""
    return {"days": days, "integrations": await recovered_by_integration(context.store, days=days)}
