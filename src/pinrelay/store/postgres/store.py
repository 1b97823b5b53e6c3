"""The PostgreSQL store: many collect and delivery processes, on many hosts, one database.

Nothing here is authoritative in memory: the catalog is a cache refreshed when the database's
catalog version moves (catalog.py), leases live in the outbox rows (outbox.py), the rate limit
in a bucket row (ratelimit.py). Ingest keeps group commit (ingest.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
from collections.abc import Sequence
from typing import Any

import psycopg
import structlog
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from pinrelay.errors import StoreError
from pinrelay.store.base import SendLimits, Store
from pinrelay.store.catalog_cache import CatalogCache
from pinrelay.store.engines import redact_url
from pinrelay.store.postgres.aggregates import PostgresAggregates
from pinrelay.store.postgres.catalog import CATALOG_POLL_SECONDS
from pinrelay.store.postgres.imports import PostgresImports
from pinrelay.store.postgres.ingest import IngestWriter
from pinrelay.store.postgres.migrations_runner import migrate
from pinrelay.store.postgres.outbox import PostgresOutbox
from pinrelay.store.postgres.pipelines import PostgresPipelines
from pinrelay.store.postgres.ratelimit import SharedSendLimits
from pinrelay.store.postgres.reads import PostgresReads
from pinrelay.store.records import IngestRecord

logger = structlog.get_logger(__name__)

LANE_STATS_EVERY_POLLS = 10  # queue depths for /metrics: every 5 s (a count over the outbox)


class PostgresStore(
    PostgresPipelines, PostgresOutbox, PostgresReads, PostgresAggregates, PostgresImports, Store
):
    """Store on PostgreSQL (psycopg 3, async pool); safe to share between processes."""

    def __init__(self, url: str, *, group_commit_max_items: int = 5000, pool_size: int = 10):
        self.url = url
        self._pool = AsyncConnectionPool(
            url,
            min_size=1,
            max_size=pool_size,
            open=False,
            kwargs={"autocommit": True},
            name="pinrelay",
        )
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._catalog = CatalogCache()
        self._lane_stats = []
        self._writer = IngestWriter(self._pool, max_items=group_commit_max_items)
        self._poller: asyncio.Task[None] | None = None

    @property
    def multi_process(self) -> bool:
        return True

    @property
    def received_events(self) -> int:  # type: ignore[override]
        return self._writer.received_events

    @property
    def queued_events(self) -> int:  # type: ignore[override]
        return self._writer.queued_events

    @property
    def commits(self) -> int:
        return self._writer.commits

    async def open(self) -> None:
        try:
            await self._pool.open(wait=True, timeout=10)
        except PoolTimeout as exc:
            raise StoreError(f"cannot connect to {redact_url(self.url)}: {exc}") from exc
        async with self._pool.connection() as conn:
            await migrate(conn)
        await self.reload_catalog()
        await self.refresh_lane_stats()
        self._writer.start()
        self._poller = asyncio.create_task(self._poll_forever(), name="pg-catalog-poll")

    async def close(self) -> None:
        if self._pool.closed:
            return
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        await self._writer.stop()
        await self._pool.close()

    async def ping(self) -> bool:
        try:
            async with self._pool.connection(timeout=5) as conn:
                await conn.execute("SELECT 1")
        except (psycopg.Error, PoolTimeout):
            return False
        return True

    def describe(self) -> dict[str, Any]:
        return {"engine": "postgresql", "url": redact_url(self.url)}

    async def ingest(self, records: Sequence[IngestRecord]) -> list[bool]:
        if not records:
            return []
        return await self._writer.ingest(records)

    def send_limits(self, rate_per_minute: float) -> SendLimits:
        return SharedSendLimits(self, rate_per_minute)

    async def _poll_forever(self) -> None:
        """Keep the catalog cache (and the metrics' queue depths) close to the database."""
        polls = 0
        while True:
            await asyncio.sleep(CATALOG_POLL_SECONDS)
            polls += 1
            try:
                await self.poll_catalog()
                if polls % LANE_STATS_EVERY_POLLS == 0:
                    await self.refresh_lane_stats()
            except (StoreError, psycopg.Error, PoolTimeout) as exc:
                logger.warning("catalog poll failed", action="store.poll_failed", error=str(exc))
