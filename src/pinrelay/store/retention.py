"""Retention: the event log and the delivery log are pruned after a configurable time.

Both logs grow with traffic and hold data (IP addresses, user agents, hashed keys) that has
no business being kept forever. Pruning runs in the background in small chunks, each its own
write in the group-commit queue, so ingest is never blocked behind one long delete.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

import structlog

from pinrelay.errors import PinrelayError
from pinrelay.store.base import Store

logger = structlog.get_logger(__name__)

PRUNE_CHUNK_ROWS = 2000  # rows deleted per write; small enough to interleave with ingest
PRUNED_TABLES = ("events", "attempts")


class RetentionTask:
    """Deletes rows older than `retention_days`, every `interval_seconds`, until stopped."""

    def __init__(
        self,
        store: Store,
        *,
        retention_days: float,
        interval_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._retention_seconds = retention_days * 86400
        self._interval_seconds = interval_seconds
        self._clock = clock
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        while not self._stop.is_set():
            try:
                await self.prune_once()
            except PinrelayError as exc:
                logger.error("retention failed", action="retention.failed", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self._interval_seconds)

    async def prune_once(self) -> dict[str, int]:
        """Prune every table down to the retention window; return rows deleted per table."""
        cutoff = self._clock() - self._retention_seconds
        deleted: dict[str, int] = {}
        for table in PRUNED_TABLES:
            total = 0
            while not self._stop.is_set():
                count = await self._store.prune(table, cutoff=cutoff, chunk=PRUNE_CHUNK_ROWS)
                total += count
                if count < PRUNE_CHUNK_ROWS:
                    break
            deleted[table] = total
        if any(deleted.values()):
            logger.info("retention pruned", action="retention.pruned", **deleted)
        return deleted
