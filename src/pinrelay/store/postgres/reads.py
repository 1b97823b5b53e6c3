"""Reads of the PostgreSQL store for the admin API, the UI, alerts and metrics; identity
lookups; the audit log; retention."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from pinrelay.errors import StoreError
from pinrelay.store.catalog_cache import CatalogCache
from pinrelay.store.postgres.base import PostgresBase, Row
from pinrelay.store.records import (
    AuditEntry,
    DeliveryAttempt,
    EventFilter,
    JourneyStep,
    LaneStats,
    OutboxEntry,
    OutboxStatus,
    StoredEvent,
    StoredIdentity,
)
from pinrelay.store.rows import NO_ROW, outbox_page_params

SECONDS_PER_HOUR = 3600
PRUNE_QUERIES = {"events": "prune_events", "attempts": "prune_attempts"}


def _event(row: Row) -> StoredEvent:
    return StoredEvent(
        **{**row, "body": json.loads(row["body"]), "trace": json.loads(row["trace"])}
    )


class PostgresReads(PostgresBase):
    _lane_stats: list[LaneStats]
    _catalog: CatalogCache

    async def identities_for(
        self, source_id: str, subjects: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], StoredIdentity]:
        """One query for every subject of a request (no cache: another process may have
        updated them since)."""
        found: dict[tuple[str, str], StoredIdentity] = dict.fromkeys(subjects, StoredIdentity())
        if not subjects:
            return found
        params = {
            "source_id": source_id,
            "kinds": [kind for kind, _ in subjects],
            "subjects": [subject for _, subject in subjects],
        }
        for row in await self._all("select_identities", params):
            found[(row["kind"], row["subject"])] = StoredIdentity(
                json.loads(row["match_keys"]), row["click_id"], row["click_id_at"]
            )
        return found

    async def list_events(
        self, *, filters: EventFilter, limit: int, before: int | None
    ) -> list[StoredEvent]:
        params = {**asdict(filters), "limit": limit, "before": before or NO_ROW}
        return [_event(row) for row in await self._all("select_events", params)]

    async def get_event(self, seq: int) -> StoredEvent | None:
        row = await self._one("select_event", {"seq": seq})
        return None if row is None else _event(row)

    async def journey(self, event_seq: int) -> list[JourneyStep]:
        steps = []
        for row in await self._all("select_outbox_of_event", {"event_seq": event_seq}):
            payload = json.loads(bytes(row.pop("payload")))
            steps.append(JourneyStep(OutboxEntry(**row), payload))
        return steps

    async def list_outbox(
        self, integration_id: str, *, status: OutboxStatus | None, limit: int, before: int | None
    ) -> list[OutboxEntry]:
        params = outbox_page_params(integration_id, status=status, limit=limit, before=before)
        return [OutboxEntry(**row) for row in await self._all("select_outbox", params)]

    async def outbox_counts(self, integration_id: str) -> dict[str, int]:
        rows = await self._all("count_outbox", {"integration_id": integration_id})
        counts = {"pending": 0, "delivered": 0, "dead": 0}
        counts.update({row["status"]: int(row["count"]) for row in rows})
        return counts

    async def list_attempts(self, integration_id: str, *, limit: int) -> list[DeliveryAttempt]:
        params = {"integration_id": integration_id, "limit": limit}
        return [DeliveryAttempt(**row) for row in await self._all("select_attempts", params)]

    async def oldest_pending_created_at(self, integration_id: str) -> float | None:
        oldest = await self._scalar("oldest_pending", {"integration_id": integration_id})
        return None if oldest is None else float(oldest)

    async def match_key_counts(self, integration_id: str, *, since: float) -> dict[str, int]:
        params = {"integration_id": integration_id, "since_hour": int(since // SECONDS_PER_HOUR)}
        rows = await self._all("select_match_key_counts", params)
        return {row["key"]: int(row["sum"]) for row in rows}

    def lane_stats(self) -> list[LaneStats]:
        """From the last refresh (store.py refreshes it in the background)."""
        return list(self._lane_stats)

    async def refresh_lane_stats(self) -> None:
        rows = await self._all("lane_stats", {})
        found = {row["integration_id"]: (int(row["count"]), row["min"]) for row in rows}
        for integration in self._catalog.list_integrations():  # an empty queue is a 0
            found.setdefault(integration.id, (0, None))
        self._lane_stats = [LaneStats(i, depth, oldest) for i, (depth, oldest) in found.items()]

    async def count_outcomes(self, source_id: str | None) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for row in await self._all("count_outcomes", {"source_id": source_id}):
            counts.setdefault(str(row["integration_id"]), {})[str(row["outcome"])] = row["n"]
        return counts

    async def audit(self, *, actor: str, action: str, target: str, details: dict[str, Any]) -> None:
        params = {
            "at": time.time(),
            "actor": actor,
            "action": action,
            "target": target,
            "details": json.dumps(details, sort_keys=True),
        }
        await self._execute("insert_audit", params)

    async def list_audit(self, *, limit: int, before: int | None) -> list[AuditEntry]:
        rows = await self._all("select_audit", {"limit": limit, "before": before or NO_ROW})
        return [
            AuditEntry(
                r["id"], r["at"], r["actor"], r["action"], r["target"], json.loads(r["details"])
            )
            for r in rows
        ]

    async def prune(self, table: str, *, cutoff: float, chunk: int) -> int:
        name = PRUNE_QUERIES.get(table)
        if name is None:
            raise StoreError(f"nothing to prune in {table!r}: use events or attempts")
        return await self._execute(name, {"cutoff": cutoff, "chunk": chunk})
