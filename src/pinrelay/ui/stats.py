"""Dashboard series: per integration, what happened to its traffic per time bucket.

Every stored event carries its trace (one step per integration: queued, filtered,
unmatchable, invalid, no_pipeline), so counting traces per bucket gives what happened to the
traffic of each integration without a new table. Delivery outcomes (delivered, dead) come
from the queue entries' last update. The reads are bounded (MAX_EVENTS newest events of the
window, MAX_ENTRIES newest queue entries per integration) so a busy gateway's dashboard stays
cheap; `truncated` says when a bound was reached.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from pinrelay.store.base import Store
from pinrelay.store.records import EventFilter

OUTCOMES = ("queued", "filtered", "unmatchable", "invalid", "no_pipeline")
DELIVERY = ("delivered", "dead")
SERIES = ("received", *OUTCOMES, *DELIVERY)
PAGE = 1000
MAX_EVENTS = 20_000  # at most this many events are read per dashboard refresh
MAX_ENTRIES = 5_000  # and at most this many queue entries per integration
SETTLE_SECONDS = 7 * 86400  # an entry created this long before the window cannot end in it


@dataclass
class IntegrationSeries:
    integration_id: str
    source_id: str
    series: dict[str, list[int]]
    totals: dict[str, int] = field(default_factory=dict)


@dataclass
class EventStats:
    since: float
    bucket_seconds: int
    buckets: list[float]  # start of each bucket, unix seconds
    integrations: list[IntegrationSeries]
    truncated: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "since": self.since,
            "bucket_seconds": self.bucket_seconds,
            "buckets": self.buckets,
            "truncated": self.truncated,
            "integrations": [
                {
                    "integration_id": s.integration_id,
                    "source_id": s.source_id,
                    "series": s.series,
                    "totals": s.totals,
                }
                for s in self.integrations
            ],
        }


async def event_stats(
    store: Store,
    *,
    window_seconds: int = 3600,
    bucket_seconds: int = 60,
    now: float | None = None,
) -> EventStats:
    """Counts per bucket of the last `window_seconds`, for every integration."""
    now = time.time() if now is None else now
    count = max(1, math.ceil(window_seconds / bucket_seconds))
    first = (math.floor(now / bucket_seconds) - count + 1) * bucket_seconds
    buckets = [float(first + i * bucket_seconds) for i in range(count)]
    by_id = {
        i.id: IntegrationSeries(i.id, i.source_id, {name: [0] * count for name in SERIES})
        for i in store.list_integrations()
    }
    by_source: dict[str, list[IntegrationSeries]] = {}
    for series in by_id.values():
        by_source.setdefault(series.source_id, []).append(series)

    read, before, truncated = 0, None, False
    while True:
        page = await store.list_events(
            filters=EventFilter(since=float(first)), limit=PAGE, before=before
        )
        for event in page:
            index = int((event.received_at - first) // bucket_seconds)
            if not 0 <= index < count:
                continue
            for series in by_source.get(event.source_id, ()):
                series.series["received"][index] += 1
            for step in event.trace:
                target = by_id.get(str(step.get("integration_id")))
                outcome = step.get("outcome")
                if target is not None and outcome in OUTCOMES:
                    target.series[str(outcome)][index] += 1
        read += len(page)
        if len(page) < PAGE:
            break
        if read >= MAX_EVENTS:
            truncated = True
            break
        before = page[-1].seq
    for series in by_id.values():
        if await _count_deliveries(store, series, float(first), bucket_seconds, count):
            truncated = True
        series.totals = {name: sum(values) for name, values in series.series.items()}
    return EventStats(float(first), bucket_seconds, buckets, list(by_id.values()), truncated)


async def _count_deliveries(
    store: Store, series: IntegrationSeries, first: float, bucket_seconds: int, count: int
) -> bool:
    """Delivered and dead entries per bucket of their last update; True if the bound hit."""
    read, before = 0, None
    while read < MAX_ENTRIES:
        page = await store.list_outbox(
            series.integration_id, status=None, limit=PAGE, before=before
        )
        for entry in page:
            if entry.status in DELIVERY:
                index = int((entry.updated_at - first) // bucket_seconds)
                if 0 <= index < count:
                    series.series[entry.status][index] += 1
        read += len(page)
        if len(page) < PAGE or page[-1].created_at < first - SETTLE_SECONDS:
            return False
        before = page[-1].seq
    return True
