"""Match quality: which keys an integration's events carry, and a score.

The counts come from `match_key_counts` (one counter row per integration, hour and key,
added to in the ingest commit); the score and its weights are documented in
`pinrelay.identity.quality` and docs/reference/match-keys.md.
"""

from __future__ import annotations

import time

from pinrelay.identity.quality import ADVICE, REPORTED_KEYS, SCORE_WEIGHTS, score
from pinrelay.services.context import ServiceContext
from pinrelay.services.integrations import existing_integration
from pinrelay.services.models.quality import MatchKeyShare, MatchQualityOut

MAX_HOURS = 24 * 90  # counters are hourly; three months is plenty for a share


async def match_quality(
    context: ServiceContext, integration_id: str, *, hours: int, now: float | None = None
) -> MatchQualityOut:
    """Share of queued events carrying each match key over the last `hours`, and the score."""
    existing_integration(context.store, integration_id)
    now = time.time() if now is None else now
    since = (int(now) // 3600 - hours + 1) * 3600
    counts = await context.store.match_key_counts(integration_id, since=since)
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
