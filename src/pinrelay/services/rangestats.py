"""Dashboard ranges (1 h, 24 h, 7 d, 30 d) from the store's grouped counts.

`Store.count_by_bucket` counts in SQL, so a 30-day chart is a few hundred numbers and no
count is capped by a row limit (the dashboard used to read events page by page and stop at
20,000). `GET /v1/admin/stats/events` answers with the same numbers.
"""

from __future__ import annotations

import math
import time

from pinrelay.services.eventstats import SERIES, EventStats, IntegrationSeries
from pinrelay.store.aggregates import RECEIVED
from pinrelay.store.base import Store

HOUR = 3600
# range name -> (window, bucket) in seconds: per minute for an hour, per hour beyond
RANGES: dict[str, tuple[int, int]] = {
    "1h": (HOUR, 60),
    "24h": (24 * HOUR, HOUR),
    "7d": (7 * 24 * HOUR, HOUR),
    "30d": (30 * 24 * HOUR, HOUR),
}
DEFAULT_RANGE = "24h"


def range_of(name: str | None) -> str:
    return name if name in RANGES else DEFAULT_RANGE


async def range_stats(store: Store, name: str, *, now: float | None = None) -> EventStats:
    window, bucket = RANGES[range_of(name)]
    return await bucket_stats(store, window_seconds=window, bucket_seconds=bucket, now=now)


async def bucket_stats(
    store: Store, *, window_seconds: int, bucket_seconds: int, now: float | None = None
) -> EventStats:
    """Counts per bucket of the last `window_seconds`, for every integration (no row limit)."""
    window, bucket = window_seconds, bucket_seconds
    now = time.time() if now is None else now
    count = max(1, math.ceil(window / bucket))
    first = (math.floor(now / bucket) - count + 1) * bucket
    buckets = [float(first + i * bucket) for i in range(count)]
    by_id = {
        i.id: IntegrationSeries(i.id, i.source_id, {name: [0] * count for name in SERIES})
        for i in store.list_integrations()
    }
    by_source: dict[str, list[IntegrationSeries]] = {}
    for series in by_id.values():
        by_source.setdefault(series.source_id, []).append(series)
    for item in await store.count_by_bucket(since=float(first), bucket_seconds=bucket):
        index = int((item.bucket - first) // bucket)
        if not 0 <= index < count or item.outcome not in SERIES:
            continue
        if item.outcome == RECEIVED:
            targets = by_source.get(item.source_id or "", [])
        else:
            target = by_id.get(item.integration_id or "")
            targets = [target] if target is not None else []
        for series in targets:
            series.series[item.outcome][index] += item.count
    for series in by_id.values():
        series.totals = {name: sum(values) for name, values in series.series.items()}
    return EventStats(float(first), bucket, buckets, list(by_id.values()), truncated=False)
