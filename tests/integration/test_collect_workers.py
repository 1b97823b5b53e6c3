"""Big collect requests mapped in worker processes (collect.mappingpool): stored exactly as
mapped on the collect loop (identities remembered, keys passed along within a batch), only
once the workers are up, and never for small requests; the gateway starts them on SQLite."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pinrelay.app import collect_pool_for
from pinrelay.collect.ingest import Ingestor, RequestInfo
from pinrelay.collect.mappingpool import MappingPool
from pinrelay.collect.messages import AcceptedMessage, check_message
from pinrelay.settings import load_settings
from pinrelay.store.sqlite.store import SQLiteStore
from tests.support.stores import SOURCE_ID, opened_store

pytestmark = pytest.mark.anyio

RECEIVED = datetime(2026, 12, 1, 12, tzinfo=UTC)
REQUEST = RequestInfo(
    client_ip="203.0.113.9",
    cookies={"_epik": "dj0yJnU9Zm9v"},
    user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
)
WRITTEN = {
    "events": "SELECT message_id, type, name, user_id, anonymous_id, body, trace FROM events"
    " ORDER BY seq",
    "outbox": "SELECT integration_id, event_id, event_name, event_time, payload"
    " FROM outbox_events ORDER BY seq",
    "identities": "SELECT source_id, kind, subject, match_keys, click_id, click_id_at"
    " FROM identities ORDER BY 1, 2, 3",
    "match keys": "SELECT integration_id, key, events FROM match_key_counts ORDER BY 1, 2",
}


def written(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as db:
        return {name: db.execute(query).fetchall() for name, query in WRITTEN.items()}


def batch(request: int, size: int) -> list[AcceptedMessage]:
    """A backend's batch: 5 users, each identified once (email) then buying without it."""
    messages: list[dict[str, object]] = []
    for i in range(size):
        user = f"user-{request}-{i % 5}"
        message: dict[str, object] = {
            "messageId": f"m-{request}-{i}",
            "userId": user,
            "anonymousId": f"anon-{i % 5}",
            "timestamp": "2026-12-01T11:59:00Z",
        }
        if i < 5:
            message |= {"type": "identify", "traits": {"email": f"{user}@example.com"}}
        else:
            message |= {
                "type": "track",
                "event": "Order Completed",
                "properties": {"order_id": f"o-{request}-{i}", "revenue": 12.5, "currency": "USD"},
            }
        messages.append(message)
    return [
        check_message(m, default_type=None, received_at=RECEIVED, batch_sent_at=None)
        for m in messages
    ]


async def started(pool: MappingPool) -> None:
    async with asyncio.timeout(60):
        while not pool.ready():  # noqa: ASYNC110  # the pool offers no event
            await asyncio.sleep(0.05)


async def ingest_all(store: SQLiteStore, ingestor: Ingestor, requests: int, size: int) -> None:
    source = store.get_source(SOURCE_ID)
    assert source is not None
    for request in range(requests):
        await ingestor.ingest(source, batch(request, size), REQUEST)


async def test_big_requests_mapped_in_workers_are_stored_as_mapped_on_the_loop(
    tmp_path: Path,
) -> None:
    async with opened_store(tmp_path / "loop.db") as store:
        await ingest_all(store, Ingestor(store), requests=4, size=40)
    pool = MappingPool(2, niceness=0)
    try:
        await started(pool)
        async with opened_store(tmp_path / "workers.db") as store:
            await ingest_all(
                store, Ingestor(store, pool=pool, pool_min_events=1), requests=4, size=40
            )
        assert pool.mapped == 160
        assert not pool.broken
    finally:
        await pool.close()

    stored = written(tmp_path / "loop.db")
    # 160 events, 140 orders; 20 users and 5 devices remembered
    assert [len(stored[name]) for name in ("events", "outbox", "identities")] == [160, 140, 25]
    # every order carries the email its user's identify left earlier in the same batch
    assert ("int_1", "em", 140) in stored["match keys"]
    assert written(tmp_path / "workers.db") == stored


async def test_small_requests_and_those_before_the_workers_are_up_stay_on_the_loop(
    tmp_path: Path,
) -> None:
    pool = MappingPool(1, niceness=0)
    try:
        async with opened_store(tmp_path / "p.db") as store:
            ingestor = Ingestor(store, pool=pool, pool_min_events=20)
            await ingest_all(store, ingestor, requests=1, size=40)  # starts the workers
            assert pool.mapped == 0
            await started(pool)
            await ingest_all(store, ingestor, requests=3, size=19)
            assert pool.mapped == 0
            await ingest_all(store, ingestor, requests=2, size=20)
            assert pool.mapped == 40
    finally:
        await pool.close()


def test_the_gateway_maps_big_requests_in_workers_on_sqlite_only() -> None:
    sqlite = load_settings(database_url="sqlite:///p.db", batch_workers=2)
    assert (pool := collect_pool_for(sqlite, frozenset({"collect"}))) is not None
    assert pool.workers == 2
    assert collect_pool_for(sqlite, frozenset({"admin", "deliver"})) is None
    assert collect_pool_for(load_settings(batch_workers=0), frozenset({"collect"})) is None
    postgres = load_settings(database_url="postgresql://u:p@db.example/pinrelay")
    assert collect_pool_for(postgres, frozenset({"collect"})) is None  # --workers scales it
