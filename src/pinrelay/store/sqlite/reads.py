"""The SQLite store's reads for the admin API and the UI: outbox, attempts, event log.

A mixin of `SQLiteStore` (it brings `_read`, which runs a query on a per-thread read
connection off the event loop; WAL lets reads run beside the writer).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from pinrelay.store.records import (
    DeliveryAttempt,
    EventFilter,
    JourneyStep,
    OutboxEntry,
    OutboxStatus,
    StoredEvent,
)
from pinrelay.store.rows import NO_ROW, outbox_page_params
from pinrelay.store.sql import load_queries

Q = load_queries("pinrelay.store.sqlite", "queries.sql")


class EventReads:
    """What the admin API reads of the outbox, the delivery attempts and the event log."""

    _read: Callable[[Callable[[sqlite3.Connection], Any]], Awaitable[Any]]  # SQLiteStore's

    async def list_outbox(
        self, integration_id: str, *, status: OutboxStatus | None, limit: int, before: int | None
    ) -> list[OutboxEntry]:
        params = outbox_page_params(integration_id, status=status, limit=limit, before=before)
        rows = await self._read(lambda conn: conn.execute(Q["select_outbox"], params).fetchall())
        return [OutboxEntry(**dict(row)) for row in rows]

    async def outbox_counts(self, integration_id: str) -> dict[str, int]:
        rows = await self._read(
            lambda conn: conn.execute(
                Q["count_outbox"], {"integration_id": integration_id}
            ).fetchall()
        )
        counts = {"pending": 0, "delivered": 0, "dead": 0}
        counts.update({row[0]: row[1] for row in rows})
        return counts

    async def list_attempts(self, integration_id: str, *, limit: int) -> list[DeliveryAttempt]:
        params = {"integration_id": integration_id, "limit": limit}
        rows = await self._read(lambda conn: conn.execute(Q["select_attempts"], params).fetchall())
        return [
            DeliveryAttempt(
                integration_id=r["integration_id"],
                started_at=r["started_at"],
                duration_ms=r["duration_ms"],
                batch_size=r["batch_size"],
                http_status=r["http_status"],
                outcome=r["outcome"],
                message=r["message"],
                test=bool(r["test"]),
            )
            for r in rows
        ]

    async def list_events(
        self, *, filters: EventFilter, limit: int, before: int | None
    ) -> list[StoredEvent]:
        params = {**asdict(filters), "limit": limit, "before": before or NO_ROW}
        rows = await self._read(lambda conn: conn.execute(Q["select_events"], params).fetchall())
        return [_event_from_row(r) for r in rows]

    async def journey(self, event_seq: int) -> list[JourneyStep]:
        rows = await self._read(
            lambda conn: conn.execute(
                Q["select_outbox_of_event"], {"event_seq": event_seq}
            ).fetchall()
        )
        steps = []
        for row in rows:
            fields = dict(row)
            payload = json.loads(fields.pop("payload"))
            steps.append(JourneyStep(OutboxEntry(**fields), payload))
        return steps

    async def get_event(self, seq: int) -> StoredEvent | None:
        row = await self._read(
            lambda conn: conn.execute(Q["select_event"], {"seq": seq}).fetchone()
        )
        return None if row is None else _event_from_row(row)

    async def count_outcomes(self, source_id: str | None) -> dict[str, dict[str, int]]:
        rows = await self._read(
            lambda conn: conn.execute(Q["count_outcomes"], {"source_id": source_id}).fetchall()
        )
        counts: dict[str, dict[str, int]] = {}
        for row in rows:
            counts.setdefault(str(row["integration_id"]), {})[str(row["outcome"])] = row["n"]
        return counts


def _event_from_row(r: sqlite3.Row) -> StoredEvent:
    return StoredEvent(
        seq=r["seq"],
        source_id=r["source_id"],
        message_id=r["message_id"],
        type=r["type"],
        name=r["name"],
        user_id=r["user_id"],
        anonymous_id=r["anonymous_id"],
        received_at=r["received_at"],
        body=json.loads(r["body"]),
        trace=json.loads(r["trace"]),
    )
