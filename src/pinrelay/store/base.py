"""The store interface every engine implements (SQLite now, PostgreSQL later).

Two rules shape it:
- an ingest is acknowledged only after `ingest()` returns, i.e. after its commit;
- no transaction is held across an HTTP call: a worker claims rows (a lease), sends, then
  records outcomes in a second short transaction.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any

from pinrelay.store.importrecords import StoredImport
from pinrelay.store.records import (
    AdminToken,
    AuditEntry,
    ClaimedEvent,
    DeadEntry,
    DeadFilter,
    DeliveryAttempt,
    EventFilter,
    EventOutcome,
    IngestRecord,
    Integration,
    JourneyStep,
    LaneStats,
    OutboxEntry,
    OutboxStatus,
    PipelineVersion,
    ReplayResult,
    Source,
    StoredEvent,
    StoredIdentity,
    StoredPipeline,
)


class Store(abc.ABC):
    """Sources, integrations, the event log, the outbox and the delivery log."""

    # lifecycle ---------------------------------------------------------------------------
    @abc.abstractmethod
    async def open(self) -> None:
        """Connect, apply migrations, and release leases no live worker can hold."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Finish pending writes and disconnect."""

    @abc.abstractmethod
    async def ping(self) -> bool:
        """Whether the store answers a trivial query."""

    # sources -----------------------------------------------------------------------------
    @abc.abstractmethod
    async def create_source(
        self,
        *,
        source_id: str,
        name: str,
        write_key_hash: str,
        write_key_hint: str,
        default_country: str = "US",
    ) -> Source: ...

    @abc.abstractmethod
    def source_for_write_key_hash(self, write_key_hash: str) -> Source | None:
        """Hot path of every collect request: must not touch the disk."""

    @abc.abstractmethod
    async def rotate_write_key(
        self, source_id: str, *, write_key_hash: str, write_key_hint: str
    ) -> Source:
        """Replace a source's write key; the old one stops working at once."""

    @abc.abstractmethod
    def list_sources(self) -> list[Source]: ...

    @abc.abstractmethod
    def get_source(self, source_id: str) -> Source | None: ...

    @abc.abstractmethod
    async def update_source_browser(
        self,
        source_id: str,
        *,
        allowed_origins: tuple[str, ...],
        cookie_domain: str | None,
        consent_required: bool,
        tag_dedup: bool,
    ) -> Source:
        """Set what a source allows and sets for browsers (pinrelay.js)."""

    # integrations ------------------------------------------------------------------------
    @abc.abstractmethod
    async def create_integration(self, integration: Integration) -> Integration: ...

    @abc.abstractmethod
    async def update_integration(self, integration: Integration) -> Integration: ...

    @abc.abstractmethod
    async def delete_integration(self, integration_id: str) -> None:
        """Remove an integration and its pipelines (the caller checks nothing is pending)."""

    @abc.abstractmethod
    async def delete_source(self, source_id: str) -> None:
        """Remove a source (the caller checks it has no integration left)."""

    @abc.abstractmethod
    async def pause_integration(self, integration_id: str, reason: str) -> None: ...

    @abc.abstractmethod
    def list_integrations(self, source_id: str | None = None) -> list[Integration]:
        """Hot path (ingest and worker): must not touch the disk."""

    @abc.abstractmethod
    def get_integration(self, integration_id: str) -> Integration | None: ...

    # ingest ------------------------------------------------------------------------------
    @abc.abstractmethod
    async def ingest(self, records: Sequence[IngestRecord]) -> list[bool]:
        """Commit events, their outbox rows and identity updates; True where new.

        A record whose (source_id, message_id) is already stored is a retry: nothing of it
        is written again and its flag is False.
        """

    @abc.abstractmethod
    def identity_keys(self, source_id: str, kind: str, subject: str) -> dict[str, list[str]]:
        """Hashed match keys remembered for a user or a device ({} if none)."""

    # delivery ----------------------------------------------------------------------------
    @abc.abstractmethod
    async def claim_batch(
        self, integration_id: str, *, limit: int, now: float, lease_seconds: float
    ) -> list[ClaimedEvent]: ...

    @abc.abstractmethod
    async def record_outcomes(
        self, outcomes: Sequence[EventOutcome], attempt: DeliveryAttempt | None
    ) -> None: ...

    @abc.abstractmethod
    async def next_due_at(self, integration_id: str) -> float | None: ...

    # reads for the admin API -------------------------------------------------------------
    @abc.abstractmethod
    async def list_outbox(
        self, integration_id: str, *, status: OutboxStatus | None, limit: int, before: int | None
    ) -> list[OutboxEntry]: ...

    @abc.abstractmethod
    async def outbox_counts(self, integration_id: str) -> dict[str, int]: ...

    @abc.abstractmethod
    async def list_attempts(self, integration_id: str, *, limit: int) -> list[DeliveryAttempt]: ...

    @abc.abstractmethod
    async def list_events(
        self, *, filters: EventFilter, limit: int, before: int | None
    ) -> list[StoredEvent]: ...

    @abc.abstractmethod
    async def get_event(self, seq: int) -> StoredEvent | None: ...

    @abc.abstractmethod
    async def journey(self, event_seq: int) -> list[JourneyStep]:
        """The outbox entries of one event with their payloads and delivery state."""

    # admin tokens and audit log --------------------------------------------------------
    @abc.abstractmethod
    async def create_admin_token(
        self, *, token_id: str, name: str, token_hash: str, token_hint: str
    ) -> AdminToken: ...

    @abc.abstractmethod
    async def revoke_admin_token(self, token_id: str) -> bool:
        """Revoke at once; False if there is no such active token."""

    @abc.abstractmethod
    def admin_token_for_hash(self, token_hash: str) -> AdminToken | None:
        """Hot path of every admin request: the active token with this hash, from memory."""

    @abc.abstractmethod
    def list_admin_tokens(self) -> list[AdminToken]: ...

    @abc.abstractmethod
    async def audit(
        self, *, actor: str, action: str, target: str, details: dict[str, Any]
    ) -> None: ...

    @abc.abstractmethod
    async def list_audit(self, *, limit: int, before: int | None) -> list[AuditEntry]: ...

    @abc.abstractmethod
    async def oldest_pending_created_at(self, integration_id: str) -> float | None:
        """When the oldest event still waiting for delivery was queued (None: none waits)."""

    # retention ---------------------------------------------------------------------------
    @abc.abstractmethod
    async def prune(self, table: str, *, cutoff: float, chunk: int) -> int:
        """Delete one chunk of rows of `table` ("events" or "attempts") older than cutoff."""

    # identity and match quality (issue 3) ------------------------------------------------
    @abc.abstractmethod
    async def update_source(
        self, source_id: str, *, name: str | None = None, default_country: str | None = None
    ) -> Source:
        """Change a source's name or default country; NotFound if it does not exist."""

    @abc.abstractmethod
    def identity(self, source_id: str, kind: str, subject: str) -> StoredIdentity:
        """What is remembered for a user or a device (empty if nothing); hot path: cached."""

    @abc.abstractmethod
    async def match_key_counts(self, integration_id: str, *, since: float) -> dict[str, int]:
        """Queued events per match key since `since` (unix s); `_events` counts them all."""

    # pipelines saved through the admin API (issue 5) -------------------------------------
    @abc.abstractmethod
    def list_pipelines(self, integration_id: str) -> list[StoredPipeline]:
        """Hot path (ingest, on a registry miss): current pipelines, in creation order."""

    @abc.abstractmethod
    def pipelines_revision(self) -> int:
        """A number that changes whenever a stored pipeline does (memory only)."""

    @abc.abstractmethod
    async def save_pipeline(
        self, integration_id: str, name: str, yaml: str, *, now: float
    ) -> StoredPipeline: ...

    @abc.abstractmethod
    async def delete_pipeline(self, integration_id: str, name: str, *, now: float) -> None: ...

    @abc.abstractmethod
    async def pipeline_versions(self, integration_id: str, name: str) -> list[PipelineVersion]: ...
    # dead letters, reclaim, metrics (issue 4) --------------------------------------------
    @abc.abstractmethod
    async def list_dead(
        self, selection: DeadFilter, *, limit: int, before: int | None = None
    ) -> list[DeadEntry]:
        """Dead entries matching `selection`, newest first, with their reason."""

    @abc.abstractmethod
    async def replay_dead(
        self, selection: DeadFilter, *, now: float, max_age_seconds: float, limit: int
    ) -> ReplayResult:
        """Queue matching dead entries again (same event_id); older ones are skipped."""

    @abc.abstractmethod
    async def reclaim_delivered(self, *, before: float, limit: int = 20_000) -> int:
        """Delete delivered entries whose delivery is older than `before`; return how many."""

    @abc.abstractmethod
    def lane_stats(self) -> list[LaneStats]:
        """Queue depth per integration (hot path of /metrics: no disk)."""

    @abc.abstractmethod
    async def count_outcomes(self, source_id: str | None) -> dict[str, dict[str, int]]:
        """Per integration, how many events each trace outcome got (e.g. "filtered")."""

    def describe(self) -> dict[str, Any]:
        """What `/readyz` and the CLI print about this store."""
        return {"engine": type(self).__name__}

    # offline imports (issue 15): not abstract, so an engine without them still opens ------
    async def save_import(self, record: StoredImport) -> None:
        """Create or replace an import's row (its state, figures and resume point)."""
        raise NotImplementedError(f"{type(self).__name__} does not keep offline imports yet")

    async def get_import(self, import_id: str) -> StoredImport | None:
        raise NotImplementedError(f"{type(self).__name__} does not keep offline imports yet")

    async def list_imports(self, *, limit: int) -> list[StoredImport]:
        """Imports, newest first."""
        raise NotImplementedError(f"{type(self).__name__} does not keep offline imports yet")
