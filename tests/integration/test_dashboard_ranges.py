"""Issue 14: dashboard ranges (1 h to 30 d) and recovered conversions, counted by the store.

A real SQLite store: events received over several days, some delivered, some from pages
whose Pinterest Tag was blocked.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import msgspec
import pytest

from pinrelay.services.rangestats import range_stats
from pinrelay.services.recovered import recovered_by_integration
from pinrelay.store.records import EventOutcome, IngestRecord, OutboxRow
from tests.support.records import ingest_record
from tests.support.stores import INTEGRATION_ID, SOURCE_ID, opened_store

pytestmark = pytest.mark.anyio
DAY = 86400


def _record(number: int, received_at: float, *, tag: str | None = None) -> IngestRecord:
    context: dict[str, Any] = {} if tag is None else {"pinterestTag": tag}
    body = {"type": "track", "event": "Order Completed", "context": context}
    trace = [{"integration_id": INTEGRATION_ID, "outcome": "queued"}]
    return ingest_record(
        f"m-{number}",
        source_id=SOURCE_ID,
        rows=(OutboxRow(INTEGRATION_ID, f"m-{number}", "checkout", int(received_at), b"{}"),),
        body=msgspec.json.encode(body),
        trace=msgspec.json.encode(trace),
        received_at=received_at,
    )


async def test_each_range_counts_what_happened_in_it_without_a_row_limit(tmp_path: Path) -> None:
    now = time.time()
    async with opened_store(tmp_path / "p.db") as store:
        old = [_record(i, now - 3 * DAY) for i in range(3)]
        recent = [_record(10 + i, now - 600, tag="blocked") for i in range(2)]
        recent.append(_record(20, now - 600, tag="loaded"))
        await store.ingest([*old, *recent])
        claimed = await store.claim_batch(INTEGRATION_ID, limit=10, now=now, lease_seconds=30)
        delivered = [c for c in claimed if c.event_id in {"m-10", "m-11", "m-20", "m-0"}]
        await store.record_outcomes([EventOutcome(c.seq, "delivered") for c in delivered], None)

        totals = {}
        for name in ("1h", "24h", "7d", "30d"):
            stats = await range_stats(store, name, now=now)
            (series,) = stats.integrations
            totals[name] = (series.totals["received"], series.totals["queued"])
            assert series.totals["delivered"] == 4  # delivered just now, in every range
        assert totals == {"1h": (3, 3), "24h": (3, 3), "7d": (6, 6), "30d": (6, 6)}
        assert (await range_stats(store, "1h", now=now)).bucket_seconds == 60
        assert (await range_stats(store, "30d", now=now)).bucket_seconds == 3600

        (recovered,) = await recovered_by_integration(store, now=now)
        assert recovered["total"] == 2  # delivered from pages whose Tag was blocked
        assert recovered["days"][0]["recovered"] == 2
