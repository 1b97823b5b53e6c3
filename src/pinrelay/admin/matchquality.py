"""Admin route for match quality: which keys an integration's events carry, and a score.

The counts come from `match_key_counts` (one counter row per integration, hour and key,
added to in the ingest commit); the score and its weights are documented in
`pinrelay.identity.quality` and docs/reference/match-keys.md.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Query

from pinrelay.admin.deps import ERROR_RESPONSES, StoreDep, existing_integration
from pinrelay.admin.models import MatchKeyShare, MatchQualityOut
from pinrelay.identity.quality import ADVICE, REPORTED_KEYS, SCORE_WEIGHTS, score

router = APIRouter(
    prefix="/v1/admin/integrations", tags=["match quality"], responses=ERROR_RESPONSES
)

MAX_HOURS = 24 * 90  # counters are hourly; three months is plenty for a share


@router.get("/{integration_id}/match-quality")
async def match_quality(
    integration_id: str,
    store: StoreDep,
    hours: int = Query(168, ge=1, le=MAX_HOURS, description="Look back this many hours."),
) -> MatchQualityOut:
    """Share of queued events carrying each match key, and the score (0-100)."""
    existing_integration(store, integration_id)
    since = (int(time.time()) // 3600 - hours + 1) * 3600
    counts = await store.match_key_counts(integration_id, since=since)
    events = counts.get("_events", 0)
    shares = {key: (counts.get(key, 0) / events if events else 0.0) for key in REPORTED_KEYS}
    keys = [
        MatchKeyShare(
            key=key,
            events=counts.get(key, 0),
            share=round(shares[key], 4),
            weight=SCORE_WEIGHTS.get(key, 0),
            advice=ADVICE.get(key) if shares[key] < 1 else None,
        )
        for key in REPORTED_KEYS
    ]
    return MatchQualityOut(
        integration_id=integration_id, since=since, events=events, score=score(shares), keys=keys
    )
