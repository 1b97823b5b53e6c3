"""The embedded default store: one SQLite file in WAL mode, owned by one process.

Writes go through the group-commit writer thread. Because this process is the only writer,
its in-memory copies of sources, integrations and recent identities are authoritative, so the
collect hot path answers without touching the disk; reads for the admin API use per-thread
read connections (WAL lets them run beside the writer).
"""

from __future__ import annotations

import asyncio
import functools
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from pinrelay.delivery.ratelimit import LocalSendLimits
from pinrelay.errors import NotFound, StoreError
from pinrelay.store.base import SendLimits, Store
from pinrelay.store.records import (
    AdminToken,
    ClaimedEvent,
    DeadEntry,
    DeadFilter,
    DeliveryAttempt,
    EventOutcome,
    IdentityUpdate,
    IngestRecord,
    Integration,
    LaneStats,
    ReplayResult,
    Source,
    StoredIdentity,
)
from pinrelay.store.rows import NO_ROW, integration_from_row, integration_params
from pinrelay.store.sql import load_queries
from pinrelay.store.sqlite import outbox
from pinrelay.store.sqlite.admintokens import AdminTokenTables
from pinrelay.store.sqlite.aggregates import AggregateQueries
from pinrelay.store.sqlite.connection import connect, migrate
from pinrelay.store.sqlite.identity import (
    SQLiteIdentityMixin,
)
from pinrelay.store.sqlite.identitycache import IdentityCache
from pinrelay.store.sqlite.imports import ImportTables
from pinrelay.store.sqlite.pending import Pending, PendingIndex
from pinrelay.store.sqlite.pipelines import PipelineTables
from pinrelay.store.sqlite.reads import EventReads
from pinrelay.store.sqlite.subjectfilter import SubjectFilter
from pinrelay.store.sqlite.writer import GroupCommitWriter
from pinrelay.store.sqlite.writes import write_outcomes, write_requests

T = TypeVar("T")


Q = load_queries("pinrelay.store.sqlite", "queries.sql")
COMMIT_CHUNK_EVENTS = 256  # ~7 ms of the writer's time: what a request waits behind a batch


class SQLiteStore(
    SQLiteIdentityMixin,
    PipelineTables,
    AggregateQueries,
    ImportTables,
    EventReads,
    AdminTokenTables,
    Store,
):
    """Store on one SQLite file; never open one file from two processes."""

    def __init__(self, path: Path, *, group_commit_max_items: int = 5000) -> None:
        self.path = path
        self._writer = GroupCommitWriter(lambda: connect(path), max_items=group_commit_max_items)
        self._local = threading.local()
        self._sources: dict[str, Source] = {}
        self._sources_by_key_hash: dict[str, Source] = {}
        self._integrations: dict[str, Integration] = {}
        self._admin_tokens: dict[str, tuple[AdminToken, str]] = {}  # id -> (token, hash)
        self._write_key_hashes: dict[str, str] = {}  # source id -> write key hash
        self._opened = False
        self._pending = PendingIndex()
        # The collect loop and the control loop (admin, delivery, imports: app.py) share this
        # store from two threads: what both change in memory (the pending queues, the identity
        # cache, the counters) changes under this lock. The catalog (sources, integrations,
        # tokens) changes only on the control thread; readers iterate snapshots of it.
        self._memory = threading.RLock()
        self._identities = IdentityCache(self._memory)
        self._subjects = SubjectFilter()  # who may have a stored identity (filled at open)
        self.received_events = 0  # new events committed (metrics)
        self.queued_events = 0  # outbox entries committed (metrics)

    # lifecycle ---------------------------------------------------------------------------
    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        bootstrap = connect(self.path)
        try:
            migrate(bootstrap)
            # Leases live in memory: at start none is held (one process owns the file).
            for row in bootstrap.execute(Q["select_pending_outbox"]):
                self._pending.add(outbox.pending_from_row(row))
            for row in bootstrap.execute(Q["select_sources"]):
                self._remember_source(
                    Source(row["id"], row["name"], row["write_key_hint"], row["created_at"]),
                    row["write_key_hash"],
                )
            for row in bootstrap.execute(Q["select_source_countries"]):
                if row["id"] in self._sources:
                    self._remember_source(
                        replace(self._sources[row["id"]], default_country=row["default_country"]),
                        self._write_key_hashes[row["id"]],
                    )
            for row in bootstrap.execute(Q["select_source_browser"]):
                self._apply_source_browser(row)
            for row in bootstrap.execute(Q["select_integrations"]):
                integration = integration_from_row(row)
                self._integrations[integration.id] = integration
            for row in bootstrap.execute(Q["select_admin_tokens"]):
                token = AdminToken(
                    row["id"], row["name"], row["token_hint"], row["created_at"], row["revoked_at"]
                )
                self._admin_tokens[token.id] = (token, row["token_hash"])
            self._load_pipelines(bootstrap)
        finally:
            bootstrap.close()
        self._writer.start()
        self._subjects = SubjectFilter()
        self._subjects.start_loading(lambda: connect(self.path, read_only=True))
        self._opened = True

    @property
    def subjects_loaded(self) -> bool:
        """Whether the subject filter has read every stored identity (after `open`, in the
        background: until then each new visitor costs an identity read)."""
        return self._opened and self._subjects.loaded

    async def close(self) -> None:
        if self._opened:
            await asyncio.to_thread(self._writer.stop)
            await asyncio.to_thread(self._subjects.stop)
            self._opened = False

    async def ping(self) -> bool:
        try:
            await self._read(lambda conn: conn.execute("SELECT 1").fetchone())
        except sqlite3.Error:
            return False
        return True

    def describe(self) -> dict[str, Any]:
        return {"engine": "sqlite", "path": str(self.path)}

    @property
    def commits(self) -> int:
        return self._writer.commits

    # sources -----------------------------------------------------------------------------
    def _remember_source(self, source: Source, write_key_hash: str) -> None:
        self._sources[source.id] = source
        self._sources_by_key_hash[write_key_hash] = source
        self._write_key_hashes[source.id] = write_key_hash

    async def create_source(
        self,
        *,
        source_id: str,
        name: str,
        write_key_hash: str,
        write_key_hint: str,
        default_country: str = "US",
    ) -> Source:
        now = time.time()
        params = {
            "id": source_id,
            "name": name,
            "write_key_hash": write_key_hash,
            "write_key_hint": write_key_hint,
            "default_country": default_country,
            "now": now,
        }

        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(Q["insert_source"], params)
            conn.execute(Q["update_source"], params)

        await self._writer.run(insert)
        source = Source(source_id, name, write_key_hint, now, default_country)
        self._remember_source(source, write_key_hash)
        return source

    async def rotate_write_key(
        self, source_id: str, *, write_key_hash: str, write_key_hint: str
    ) -> Source:
        current = self._sources.get(source_id)
        if current is None:
            raise NotFound(f"source {source_id} does not exist")
        # Forget the old key first: from this line on, no request collects with it.
        for key_hash in [
            h for h, s in tuple(self._sources_by_key_hash.items()) if s.id == source_id
        ]:
            del self._sources_by_key_hash[key_hash]
        params = {
            "id": source_id,
            "write_key_hash": write_key_hash,
            "write_key_hint": write_key_hint,
            "now": time.time(),
        }
        await self._writer.run(lambda conn: conn.execute(Q["rotate_write_key"], params))
        rotated = replace(current, write_key_hint=write_key_hint)
        self._remember_source(rotated, write_key_hash)
        return rotated

    def source_for_write_key_hash(self, write_key_hash: str) -> Source | None:
        return self._sources_by_key_hash.get(write_key_hash)

    def list_sources(self) -> list[Source]:
        return sorted(self._sources.values(), key=lambda s: (s.created_at, s.id))

    def get_source(self, source_id: str) -> Source | None:
        return self._sources.get(source_id)

    async def update_source_browser(
        self,
        source_id: str,
        *,
        allowed_origins: tuple[str, ...],
        cookie_domain: str | None,
        consent_required: bool,
        tag_dedup: bool,
    ) -> Source:
        if source_id not in self._sources:
            raise NotFound(f"source {source_id} does not exist")
        params = {
            "id": source_id,
            "allowed_origins": json.dumps(list(allowed_origins)),
            "cookie_domain": cookie_domain,
            "consent_required": int(consent_required),
            "tag_dedup": int(tag_dedup),
            "now": time.time(),
        }
        await self._writer.run(lambda conn: conn.execute(Q["update_source_browser"], params))
        self._apply_source_browser(params)
        return self._sources[source_id]

    def _apply_source_browser(self, row: Any) -> None:
        """Replace the cached source (both indexes) with its browser settings from `row`."""
        current = self._sources.get(row["id"])
        if current is None:
            return
        updated = replace(
            current,
            allowed_origins=tuple(json.loads(row["allowed_origins"])),
            cookie_domain=row["cookie_domain"],
            consent_required=bool(row["consent_required"]),
            tag_dedup=bool(row["tag_dedup"]),
        )
        self._remember_source(updated, self._write_key_hashes[updated.id])

    # integrations ------------------------------------------------------------------------
    async def create_integration(self, integration: Integration) -> Integration:
        params = integration_params(integration, integration.created_at)
        await self._writer.run(lambda conn: conn.execute(Q["insert_integration"], params))
        self._integrations[integration.id] = integration
        return integration

    async def update_integration(self, integration: Integration) -> Integration:
        if integration.id not in self._integrations:
            raise NotFound(f"integration {integration.id} does not exist")
        params = integration_params(integration, integration.updated_at)
        await self._writer.run(lambda conn: conn.execute(Q["update_integration"], params))
        self._integrations[integration.id] = integration
        return integration

    async def delete_integration(self, integration_id: str) -> None:
        if integration_id not in self._integrations:
            raise NotFound(f"integration {integration_id} does not exist")
        params = {"id": integration_id}

        def delete(conn: sqlite3.Connection) -> None:
            conn.execute(Q["delete_integration_pipeline_versions"], params)
            conn.execute(Q["delete_integration_pipelines"], params)
            conn.execute(Q["delete_integration"], params)

        await self._writer.run(delete)
        self._integrations.pop(integration_id, None)
        self._forget_pipelines(integration_id)

    async def delete_source(self, source_id: str) -> None:
        if source_id not in self._sources:
            raise NotFound(f"source {source_id} does not exist")
        await self._writer.run(lambda conn: conn.execute(Q["delete_source"], {"id": source_id}))
        self._sources.pop(source_id, None)
        key_hash = self._write_key_hashes.pop(source_id, None)
        if key_hash is not None:
            self._sources_by_key_hash.pop(key_hash, None)

    async def pause_integration(self, integration_id: str, reason: str) -> None:
        current = self._integrations.get(integration_id)
        if current is None:
            raise NotFound(f"integration {integration_id} does not exist")
        now = time.time()
        params = {"id": integration_id, "reason": reason, "now": now}
        await self._writer.run(lambda conn: conn.execute(Q["pause_integration"], params))
        latest = self._integrations[integration_id]  # may have been edited meanwhile
        self._integrations[integration_id] = replace(latest, paused_reason=reason, updated_at=now)

    def list_integrations(self, source_id: str | None = None) -> list[Integration]:
        snapshot = tuple(self._integrations.values())
        found = [i for i in snapshot if source_id is None or i.source_id == source_id]
        return sorted(found, key=lambda i: (i.created_at, i.id))

    def get_integration(self, integration_id: str) -> Integration | None:
        return self._integrations.get(integration_id)

    # ingest ------------------------------------------------------------------------------
    async def ingest(self, records: Sequence[IngestRecord]) -> list[bool]:
        """Commit `records`; True where new. A big request commits in chunks, in order, so
        the requests behind it wait for a chunk, not for all of it (one writer: a 10K-event
        group held every single event behind it for ~0.3 s). Its answer still waits for the
        last chunk; if the server dies between two, the sender's retry stores the rest and
        the (source, message id) key makes the committed part count as retries."""
        stored: list[bool] = []
        for start in range(0, len(records), COMMIT_CHUNK_EVENTS):
            stored += await self._ingest_chunk(records[start : start + COMMIT_CHUNK_EVENTS])
        return stored

    async def _ingest_chunk(self, records: Sequence[IngestRecord]) -> list[bool]:
        # The queues learn of the new entries once committed, even if our caller is cancelled
        # meanwhile (a client hanging up must not leave a committed event unqueued). Merged:
        # the ingests that wait together share their statements.
        task = asyncio.ensure_future(self._writer.run_merged(write_requests, records))
        task.add_done_callback(functools.partial(self._queue_committed, records))
        stored, _ = await asyncio.shield(task)
        with self._memory:
            for record, new in zip(records, stored, strict=True):
                if new:
                    for update in record.identities:
                        self._remember_update(record.source_id, update)
        return stored

    def _queue_committed(
        self,
        records: Sequence[IngestRecord],
        task: asyncio.Future[tuple[list[bool], list[Pending]]],
    ) -> None:
        if task.cancelled() or task.exception() is not None:
            return
        stored, queued = task.result()
        for record, new in zip(records, stored, strict=True):
            if new:
                for update in record.identities:
                    self._subjects.add(record.source_id, update.kind, update.subject)
        with self._memory:
            self.received_events += sum(stored)
            self.queued_events += len(queued)
            for pending in queued:
                self._pending.add(pending)

    def _remember_update(self, source_id: str, update: IdentityUpdate) -> None:
        """Cache what the database now holds: an update without a click id keeps the
        remembered one (if that is not cached, forget the entry: the next read fetches it)."""
        kind, subject = update.kind, update.subject
        click_id, click_id_at = update.click_id, update.click_id_at
        if click_id is None:
            previous = self._identities.click_of(source_id, kind, subject)
            if previous is None:
                return
            click_id, click_id_at = previous
        found = StoredIdentity(update.match_keys, click_id, click_id_at)
        self._identities.put(source_id, kind, subject, found)

    # delivery ----------------------------------------------------------------------------
    async def claim_batch(
        self, integration_id: str, *, limit: int, now: float, lease_seconds: float
    ) -> list[ClaimedEvent]:
        """Lease in memory (no write), then read the immutable payloads on a read connection."""
        with self._memory:
            leased = self._pending.claim(
                integration_id, limit=limit, now=now, lease_seconds=lease_seconds
            )
        if not leased:
            return []
        rows = await self._read(lambda conn: outbox.read_payloads(conn, Q, integration_id, leased))
        return outbox.claimed_events(leased, rows)

    async def record_outcomes(
        self, outcomes: Sequence[EventOutcome], attempt: DeliveryAttempt | None
    ) -> None:
        # Memory first: if the write then fails, the database still says pending and the
        # event is sent again after a restart (at-least-once), never lost.
        now = time.time()
        with self._memory:
            marks = outbox.apply_outcomes(self._pending, outcomes, now)
        await self._writer.run(lambda conn: write_outcomes(conn, marks, attempt))

    async def next_due_at(self, integration_id: str) -> float | None:
        with self._memory:
            return self._pending.next_due_at(integration_id)

    def send_limits(self, rate_per_minute: float) -> SendLimits:
        """One process owns the file, so the buckets can live in its memory."""
        return LocalSendLimits(rate_per_minute)

    def lane_stats(self) -> list[LaneStats]:
        """Queue depth and oldest pending entry per integration, from memory."""
        with self._memory:
            return [
                LaneStats(i, self._pending.depth(i), self._pending.oldest_queued_at(i))
                for i in self._pending.integrations()
            ]

    async def list_dead(
        self, selection: DeadFilter, *, limit: int, before: int | None = None
    ) -> list[DeadEntry]:
        params = outbox.dead_params(selection, limit=limit, before=before or NO_ROW)
        rows = await self._read(lambda conn: conn.execute(Q["select_dead"], params).fetchall())
        return [DeadEntry(**dict(row)) for row in rows]

    async def replay_dead(
        self, selection: DeadFilter, *, now: float, max_age_seconds: float, limit: int
    ) -> ReplayResult:
        """Queue dead entries again with their event_id; too old ones stay dead (skipped)."""
        dead = await self.list_dead(selection, limit=limit)
        fresh = [d for d in dead if now - d.event_time <= max_age_seconds]
        skipped = tuple(
            (d.seq, "event_time is more than 7 days old: Pinterest would refuse it")
            for d in dead
            if now - d.event_time > max_age_seconds
        )
        marks = [outbox.replay_mark(d, now) for d in fresh]
        await self._writer.run(lambda conn: conn.executemany(Q["insert_mark_row"], marks))
        with self._memory:
            for entry in fresh:
                self._pending.add(
                    Pending(
                        entry.seq,
                        entry.integration_id,
                        entry.event_time,
                        entry.created_at,
                        queued_at=entry.created_at,
                    )
                )
        return ReplayResult(tuple(sorted(d.seq for d in fresh)), skipped)

    async def reclaim_delivered(self, *, before: float, limit: int = 20_000) -> int:
        """Delete delivered entries last marked before `before`, in seq ranges; return count."""
        # Found on a read connection, so the scan never holds up the writer's group commits.
        seqs = await self._read(lambda conn: outbox.reclaimable(conn, Q, before, limit))
        if not seqs:
            return 0
        return await self._writer.run(lambda conn: outbox.delete_reclaimed(conn, Q, seqs))

    # plumbing ----------------------------------------------------------------------------
    def _read_connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if not self._opened:
                raise StoreError("the store is not open")
            conn = connect(self.path, read_only=True)
            self._local.conn = conn
        return conn

    async def oldest_pending_created_at(self, integration_id: str) -> float | None:
        with self._memory:  # in memory: authoritative
            return self._pending.oldest_queued_at(integration_id)

    # retention ---------------------------------------------------------------------------
    async def prune(self, table: str, *, cutoff: float, chunk: int) -> int:
        query = {"events": Q["prune_events"], "attempts": Q["prune_attempts"]}.get(table)
        if query is None:
            raise StoreError(f"nothing to prune in {table!r}: use events or attempts")
        params = {"cutoff": cutoff, "chunk": chunk}
        deleted: int = await self._writer.run(lambda conn: conn.execute(query, params).rowcount)
        return deleted

    async def _read(self, query: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.to_thread(lambda: query(self._read_connection()))
