"""Admin route for match quality (services.matchquality computes it)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from pinrelay.admin.deps import ERROR_RESPONSES, ContextDep
from pinrelay.services import matchquality
from pinrelay.services.models.quality import MatchQualityOut

router = APIRouter(
    prefix="/v1/admin/integrations", tags=["match quality"], responses=ERROR_RESPONSES
)


@router.get("/{integration_id}/match-quality")
async def match_quality(
    integration_id: str,
    context: ContextDep,
    hours: int = Query(
        168, ge=1, le=matchquality.MAX_HOURS, description="Look back this many hours."
    ),
) -> MatchQualityOut:
    """Share of queued events carrying each match key, and the score (0-100)."""
    return await matchquality.match_quality(context, integration_id, hours=hours)
