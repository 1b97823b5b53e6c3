"""Retention: old rows of the event log and the delivery log go, recent ones stay."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from pinrelay.store.records import DeliveryAttempt, EventFilter, IngestRecord
from pinrelay.store.retention import PRUNE_CHUNK_ROWS, RetentionTask
from pinrelay.store.sqlite.store import SQLiteStore
from tests.support.records import ingest_record

pytestmark = pytest.mark.anyio
DAY = 86400.0


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    opened = SQLiteStore(tmp_path / "pinrelay.db")
    await opened.open()
    yield opened
    await opened.close()


def record(message_id: str, received_at: float) -> IngestRecord:
    return ingest_record(message_id, outbox=0, name="x", user_id="u", received_at=received_at)


async def test_rows_older_than_the_window_are_pruned_in_chunks(store: SQLiteStore) -> None:
    now = time.time()
    old = [record(f"old-{i}", now - 8 * DAY) for i in range(PRUNE_CHUNK_ROWS + 5)]
    await store.ingest([*old, record("recent", now - 6 * DAY)])
    for age_days in (9, 1):
        await store.record_outcomes(
            [],
            DeliveryAttempt("int_1", now - age_days * DAY, 5.0, 1, 200, "delivered", None, False),
        )
    task = RetentionTask(store, retention_days=7, interval_seconds=60, clock=lambda: now)
    deleted = await task.prune_once()
    assert deleted == {"events": PRUNE_CHUNK_ROWS + 5, "attempts": 1}
    remaining = await store.list_events(filters=EventFilter(), limit=10, before=None)
    assert [e.message_id for e in remaining] == ["recent"]
    assert len(await store.list_attempts("int_1", limit=10)) == 1
    assert await task.prune_once() == {"events": 0, "attempts": 0}
