"""The outbox on PostgreSQL: leases in the row, claims with FOR UPDATE SKIP LOCKED.

A claim sets `lease_owner` and `lease_until` on the rows it takes, in one short transaction;
the HTTP call happens after it, outside any transaction. Rows another worker is claiming are
skipped (SKIP LOCKED), rows with a live lease are not due, so no event is sent by two workers
while its lease lives. A worker killed mid-batch leaves leases that expire; any worker then
takes the rows. Outcomes apply only while the row is pending and not leased to someone else.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from pinrelay.store.postgres.base import PostgresBase, Q
from pinrelay.store.records import (
    ClaimedEvent,
    DeadEntry,
    DeadFilter,
    DeliveryAttempt,
    EventOutcome,
    ReplayResult,
)
from pinrelay.store.rows import NO_ROW, attempt_params


class PostgresOutbox(PostgresBase):
    async def claim_batch(
        self, integration_id: str, *, limit: int, now: float, lease_seconds: float
    ) -> list[ClaimedEvent]:
        params = {
            "integration_id": integration_id,
            "now": now,
            "limit": limit,
            "owner": self._owner,
            "lease_until": now + lease_seconds,
        }
        async with self._transaction() as conn:
            cursor = await conn.execute(Q["claim_fresh"], params)
            rows = await cursor.fetchall()
            if len(rows) < limit:
                params["limit"] = limit - len(rows)
                cursor = await conn.execute(Q["claim_retries"], params)
                rows += await cursor.fetchall()
        rows.sort(key=lambda row: row[0])
        return [
            ClaimedEvent(seq, event_id, name, event_time, bytes(payload), attempts, created_at)
            for seq, event_id, name, event_time, payload, attempts, created_at in rows
        ]

    async def record_outcomes(
        self, outcomes: Sequence[EventOutcome], attempt: DeliveryAttempt | None
    ) -> None:
        now = time.time()
        params = {
            "seqs": [o.seq for o in outcomes],
            "statuses": [o.status for o in outcomes],
            "attempted": [o.attempted for o in outcomes],
            "dues": [o.next_attempt_at for o in outcomes],
            "messages": [o.message for o in outcomes],
            "now": now,
            "owner": self._owner,
        }
        async with self._transaction() as conn:
            if outcomes:
                await conn.execute(Q["apply_outcomes"], params)
            if attempt is not None:
                await conn.execute(Q["insert_attempt"], attempt_params(attempt))

    async def next_due_at(self, integration_id: str) -> float | None:
        due = await self._scalar("next_due_at", {"integration_id": integration_id})
        return None if due is None else float(due)

    async def list_dead(
        self, selection: DeadFilter, *, limit: int, before: int | None = None
    ) -> list[DeadEntry]:
        params = {
            "integration_id": selection.integration_id,
            "since": selection.since,
            "until": selection.until,
            "seqs": None if selection.seqs is None else list(selection.seqs),
            "before": before or NO_ROW,
            "limit": limit,
        }
        return [DeadEntry(**row) for row in await self._all("select_dead", params)]

    async def replay_dead(
        self, selection: DeadFilter, *, now: float, max_age_seconds: float, limit: int
    ) -> ReplayResult:
        dead = await self.list_dead(selection, limit=limit)
        fresh = [d.seq for d in dead if now - d.event_time <= max_age_seconds]
        skipped = tuple(
            (d.seq, "event_time is more than 7 days old: Pinterest would refuse it")
            for d in dead
            if now - d.event_time > max_age_seconds
        )
        if fresh:
            await self._execute("replay_dead", {"seqs": fresh, "now": now})
        return ReplayResult(tuple(sorted(fresh)), skipped)

    async def reclaim_delivered(self, *, before: float, limit: int = 20_000) -> int:
        return await self._execute("reclaim_delivered", {"before": before, "limit": limit})
