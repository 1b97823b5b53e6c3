"""Group commit on PostgreSQL: the requests queued meanwhile share one transaction.

Each collect request puts its records in a queue and waits. A few flusher tasks each take
everything queued (up to `max_items` records), write it with one multi-row statement per
table (`unnest` of arrays), commit, and only then answer every request of the group. A group
that fails is retried request by request, so one bad request cannot fail its neighbours.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
import structlog
from psycopg_pool import AsyncConnectionPool

from pinrelay.errors import StoreError
from pinrelay.store.postgres.base import Connection, Q
from pinrelay.store.records import IdentityUpdate, IngestRecord
from pinrelay.store.rows import match_key_counts

logger = structlog.get_logger(__name__)

FLUSHERS = 3  # groups in flight at once: one commits while the next is written


@dataclass
class _Job:
    records: Sequence[IngestRecord]
    future: asyncio.Future[list[bool]]


@dataclass
class GroupResult:
    stored: list[bool]
    queued: int = 0


@dataclass
class _Columns:
    """Column arrays of one multi-row insert."""

    columns: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, **values: Any) -> None:
        for name, value in values.items():
            self.columns.setdefault(name, []).append(value)


class IngestWriter:
    """Queues ingests and commits them in groups (see module docstring)."""

    def __init__(self, pool: AsyncConnectionPool[Connection], *, max_items: int) -> None:
        self._pool = pool
        self._max_items = max_items
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._busy = 0  # groups being written now
        self.commits = 0
        self.received_events = 0
        self.queued_events = 0

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._flush_forever(), name=f"pg-group-commit-{n}")
            for n in range(FLUSHERS)
        ]

    async def stop(self) -> None:
        """Commit what is queued, then stop the flushers."""
        while not self._queue.empty() or self._busy:  # noqa: ASYNC110  # a short drain
            await asyncio.sleep(0.01)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def ingest(self, records: Sequence[IngestRecord]) -> list[bool]:
        if not self._tasks:
            raise StoreError("the store is not open")
        future: asyncio.Future[list[bool]] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Job(records, future))
        # Shielded: a client hanging up must not cancel a commit its neighbours wait for.
        return await asyncio.shield(future)

    async def _flush_forever(self) -> None:
        while True:
            jobs = [await self._queue.get()]
            self._busy += 1
            try:
                size = len(jobs[0].records)
                while size < self._max_items and not self._queue.empty():
                    job = self._queue.get_nowait()
                    jobs.append(job)
                    size += len(job.records)
                await self._flush(jobs)
            finally:
                self._busy -= 1

    async def _flush(self, jobs: list[_Job]) -> None:
        try:
            results = await self._commit([r for job in jobs for r in job.records])
        except (psycopg.Error, StoreError) as exc:
            if len(jobs) == 1:
                logger.error("group commit failed", action="store.commit_failed", error=str(exc))
                _fail(jobs[0], StoreError(f"the database rejected the write: {exc}"))
                return
            for job in jobs:  # one at a time: only the bad request fails
                await self._flush([job])
            return
        start = 0
        for job in jobs:
            stored = results.stored[start : start + len(job.records)]
            start += len(job.records)
            if not job.future.done():
                job.future.set_result(stored)

    async def _commit(self, records: Sequence[IngestRecord]) -> GroupResult:
        async with self._pool.connection() as conn, conn.transaction():
            result = await write_group(conn, records)
        self.commits += 1
        self.received_events += sum(result.stored)
        self.queued_events += result.queued
        return result


def _fail(job: _Job, error: BaseException) -> None:
    if not job.future.done():
        job.future.set_exception(error)


async def write_group(conn: Connection, records: Sequence[IngestRecord]) -> GroupResult:
    """Events, then the outbox rows and identities of the new ones; True where new."""
    events = _Columns()
    for r in records:
        events.add(
            source_ids=r.source_id,
            message_ids=r.message_id,
            types=r.type,
            names=r.name,
            user_ids=r.user_id,
            anonymous_ids=r.anonymous_id,
            received_at=r.received_at,
            bodies=r.body.decode(),
            traces=r.trace.decode(),
        )
    cursor = await conn.execute(Q["insert_events"], events.columns)
    new_seqs = {(row[1], row[2]): row[0] for row in await cursor.fetchall()}
    stored: list[bool] = []
    fresh: list[tuple[int, IngestRecord]] = []
    for record in records:
        seq = new_seqs.pop((record.source_id, record.message_id), None)
        stored.append(seq is not None)  # a retry, or a second copy within the group: False
        if seq is not None:
            fresh.append((seq, record))
    outbox = _Columns()
    for seq, record in fresh:
        for row in record.outbox:
            outbox.add(
                integration_ids=row.integration_id,
                event_seqs=seq,
                event_ids=row.event_id,
                event_names=row.event_name,
                event_times=row.event_time,
                payloads=row.payload,
                created_at=record.received_at,
            )
    if outbox.columns:
        await conn.execute(Q["insert_outbox"], outbox.columns)
    identities = _identity_columns([record for _, record in fresh])
    if identities.columns:
        await conn.execute(Q["upsert_identities"], identities.columns)
    counts = _count_columns([record for _, record in fresh])
    if counts.columns:
        await conn.execute(Q["add_match_key_counts"], counts.columns)
    return GroupResult(stored, len(outbox.columns.get("event_seqs", ())))


def _identity_columns(records: Sequence[IngestRecord]) -> _Columns:
    """One row per subject (the last update wins, a click id once seen is kept), in key
    order, so concurrent groups lock rows in the same order and never deadlock."""
    latest: dict[tuple[str, str, str], tuple[IdentityUpdate, float]] = {}
    for record in records:
        for update in record.identities:
            key = (record.source_id, update.kind, update.subject)
            earlier = latest.get(key)
            if earlier is not None and update.click_id is None and earlier[0].click_id:
                update = IdentityUpdate(
                    update.kind,
                    update.subject,
                    update.match_keys,
                    earlier[0].click_id,
                    earlier[0].click_id_at,
                )
            latest[key] = (update, record.received_at)
    columns = _Columns()
    for (source_id, kind, subject), (update, at) in sorted(latest.items()):
        columns.add(
            source_ids=source_id,
            kinds=kind,
            subjects=subject,
            match_keys=json.dumps(update.match_keys),
            click_ids=update.click_id,
            click_id_at=update.click_id_at,
            updated_at=at,
        )
    return columns


def _count_columns(records: Sequence[IngestRecord]) -> _Columns:
    """The hourly match-key counters the group adds to, in key order (no deadlocks)."""
    columns = _Columns()
    for (integration_id, hour, key), events in sorted(match_key_counts(records).items()):
        columns.add(integration_ids=integration_id, hours=hour, keys=key, events=events)
    return columns
