"""Recovered conversions: what pinrelay delivered that the Pinterest Tag could not have sent.

pinrelay.js notes on every event whether the Tag's script was blocked on the page
(`context.pinterestTag`); counting the delivered events of blocked pages per integration and
day gives the number an advertiser runs pinrelay for. "pending" (still loading) and "absent"
(no Tag on the page) are not counted: the figure errs low, never high.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from pinrelay.store.base import Store

DAY = 86400
DEFAULT_DAYS = 30


def _date(day: float) -> str:
    return dt.datetime.fromtimestamp(day, dt.UTC).date().isoformat()


async def recovered_by_integration(
    store: Store, *, days: int = DEFAULT_DAYS, now: float | None = None
) -> list[dict[str, Any]]:
    """Per integration: its name, the total and the count per UTC day (newest first)."""
    now = time.time() if now is None else now
    since = (now // DAY - days + 1) * DAY
    counts = await store.recovered_conversions(since=since)
    found: list[dict[str, Any]] = []
    for integration in store.list_integrations():
        mine = sorted(
            (c for c in counts if c.integration_id == integration.id),
            key=lambda c: c.day,
            reverse=True,
        )
        found.append(
            {
                "integration_id": integration.id,
                "name": integration.name,
                "total": sum(c.count for c in mine),
                "days": [{"date": _date(c.day), "recovered": c.count} for c in mine],
            }
        )
    return found
