"""The store interface every engine implements (SQLite and PostgreSQL).

`Store` is composed of small ABCs, one per domain (catalog, identities, event log, outbox and
delivery, stats and admin reads), so an engine implements each piece on its own. Every method
is async except the catalog reads (sources, integrations, admin tokens, pipelines) and
`lane_stats`: those answer from an in-process cache on the hot path, which an engine shared by
several processes refreshes within about a second of a change made by any of them.

Two rules shape it:
- an ingest is acknowledged only after `ingest()` returns, i.e. after its commit;
- no transaction is held across an HTTP call: a worker claims rows (a lease), sends, then
  records outcomes in a second short transaction.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any, Protocol

from pinrelay.store.aggregates import BucketCount, RecoveredCount
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

Subject = tuple[str, str]  # (kind, subject): ("user", userId) or ("anonymous", anonymousId)


class SendLimits(Protocol):
    """The per-ad-account rate limit of delivery (delivery/ratelimit.py, or a shared row)."""

    async def acquire(self, ad_account_id: str) -> None:
        """Wait until one request to this ad account may be sent, then take its token."""

    async def wait_seconds(self, ad_account_id: str) -> float:
        """How long the next request would wait now (0: at once)."""

    async def close_for(self, ad_account_id: str, seconds: float) -> None:
        """Pinterest said 429: send nothing to this ad account for `seconds`."""


class Lifecycle(abc.ABC):
    """Opening, closing and pinging an engine."""

    @abc.abstractmethod
    async def open(self) -> None:
        """Connect, apply migrations, and load the catalog cache."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Finish pending writes and disconnect."""

    @abc.abstractmethod
    async def ping(self) -> bool:
        """Whether the store answers a trivial query."""

    def describe(self) -> dict[str, Any]:
        """What `/readyz` and the CLI print about this store."""
        return {"engine": type(self).__name__}

    @property
    def multi_process(self) -> bool:
        """Whether several processes may share this store (PostgreSQL yes, SQLite no)."""
        return False


class CatalogStore(abc.ABC):
    """Sources, integrations, admin tokens and stored pipelines; reads come from a cache."""

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
    async def update_source(
        self, source_id: str, *, name: str | None = None, default_country: str | None = None
    ) -> Source:
        """Change a source's name or default country; NotFound if it does not exist."""

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

    @abc.abstractmethod
    async def delete_source(self, source_id: str) -> None:
        """Remove a source (the caller checks it has no integration left)."""

    @abc.abstractmethod
    async def create_integration(self, integration: Integration) -> Integration: ...

    @abc.abstractmethod
    async def update_integration(self, integration: Integration) -> Integration: ...

    @abc.abstractmethod
    async def delete_integration(self, integration_id: str) -> None:
        """Remove an integration and its pipelines (the caller checks nothing is pending)."""

    @abc.abstractmethod
    async def pause_integration(self, integration_id: str, reason: str) -> None: ...

    @abc.abstractmethod
    def list_integrations(self, source_id: str | None = None) -> list[Integration]:
        """Hot path (ingest and worker): must not touch the disk."""

    @abc.abstractmethod
    def get_integration(self, integration_id: str) -> Integration | None: ...

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


class IdentityStore(abc.ABC):
    """What is remembered of users and devices (issue 3)."""

    @abc.abstractmethod
    async def identities_for(
        self, source_id: str, subjects: Sequence[Subject]
    ) -> dict[Subject, StoredIdentity]:
        """What is remembered for each (kind, subject): one batched lookup per request.

        Every subject asked for is in the answer (an empty StoredIdentity if unknown)."""

    async def identity_keys(self, source_id: str, kind: str, subject: str) -> dict[str, list[str]]:
        """Hashed match keys remembered for a user or a device ({} if none)."""
        found = await self.identities_for(source_id, [(kind, subject)])
        return found[(kind, subject)].match_keys


class EventLogStore(abc.ABC):
    """The event log: ingest (event + outbox rows + identity updates in one commit), reads."""

    @abc.abstractmethod
    async def ingest(self, records: Sequence[IngestRecord]) -> list[bool]:
        """Commit events, their outbox rows and identity updates; True where new.

        A record whose (source_id, message_id) is already stored is a retry: nothing of it
        is written again and its flag is False.
        """

    @abc.abstractmethod
    async def list_events(
        self, *, filters: EventFilter, limit: int, before: int | None
    ) -> list[StoredEvent]: ...

    @abc.abstractmethod
    async def get_event(self, seq: int) -> StoredEvent | None: ...

    @abc.abstractmethod
    async def journey(self, event_seq: int) -> list[JourneyStep]:
        """The outbox entries of one event with their payloads and delivery state."""

    @abc.abstractmethod
    async def prune(self, table: str, *, cutoff: float, chunk: int) -> int:
        """Delete one chunk of rows of `table` ("events" or "attempts") older than cutoff."""


class OutboxStore(abc.ABC):
    """The outbox and the delivery log: leases, outcomes, dead letters, reclaim."""

    @abc.abstractmethod
    async def claim_batch(
        self, integration_id: str, *, limit: int, now: float, lease_seconds: float
    ) -> list[ClaimedEvent]:
        """Lease up to `limit` due events: never-tried first (by seq), then due retries.

        While a lease is alive no other claim (of any process) returns the event."""

    @abc.abstractmethod
    async def record_outcomes(
        self, outcomes: Sequence[EventOutcome], attempt: DeliveryAttempt | None
    ) -> None: ...

    @abc.abstractmethod
    async def next_due_at(self, integration_id: str) -> float | None: ...

    @abc.abstractmethod
    def send_limits(self, rate_per_minute: float) -> SendLimits:
        """The per-ad-account rate limit, shared by every worker of this store."""

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


class StatsStore(abc.ABC):
    """Reads for the admin API, the UI, alerts and metrics; the audit log."""

    @abc.abstractmethod
    async def list_outbox(
        self, integration_id: str, *, status: OutboxStatus | None, limit: int, before: int | None
    ) -> list[OutboxEntry]: ...

    @abc.abstractmethod
    async def outbox_counts(self, integration_id: str) -> dict[str, int]: ...

    @abc.abstractmethod
    async def list_attempts(self, integration_id: str, *, limit: int) -> list[DeliveryAttempt]: ...

    @abc.abstractmethod
    async def oldest_pending_created_at(self, integration_id: str) -> float | None:
        """When the oldest event still waiting for delivery was queued (None: none waits)."""

    @abc.abstractmethod
    async def match_key_counts(self, integration_id: str, *, since: float) -> dict[str, int]:
        """Queued events per match key since `since` (unix s); `_events` counts them all."""

    @abc.abstractmethod
    def lane_stats(self) -> list[LaneStats]:
        """Queue depth per integration (hot path of /metrics: no disk; may lag a little)."""

    async def refresh_lane_stats(self) -> None:  # noqa: B027  # optional: most engines need none
        """Bring `lane_stats` up to date now (an engine that keeps it in memory has nothing
        to do; one shared by processes refreshes it in the background too)."""

    @abc.abstractmethod
    async def count_outcomes(self, source_id: str | None) -> dict[str, dict[str, int]]:
        """Per integration, how many events each trace outcome got (e.g. "filtered")."""

    # grouped counts: dashboard ranges and recovered conversions (issue 14) ----------------
    @abc.abstractmethod
    async def count_by_bucket(self, *, since: float, bucket_seconds: int) -> list[BucketCount]:
        """Events received (per source), trace and delivery outcomes (per integration),
        counted per bucket of `bucket_seconds` since `since`; no row limit."""

    @abc.abstractmethod
    async def recovered_conversions(self, *, since: float) -> list[RecoveredCount]:
        """Per integration and UTC day since `since`: delivered events whose page said the
        Pinterest Tag was blocked (`context.pinterestTag == "blocked"`)."""

    @abc.abstractmethod
    async def audit(
        self, *, actor: str, action: str, target: str, details: dict[str, Any]
    ) -> None: ...

    @abc.abstractmethod
    async def list_audit(self, *, limit: int, before: int | None) -> list[AuditEntry]: ...


class ImportStore(abc.ABC):
    """Offline imports (issue 15): one row per uploaded file, its state, figures and resume
    point (`figures["rows_read"]`)."""

    @abc.abstractmethod
    async def save_import(self, record: StoredImport) -> None:
        """Create or replace an import's row (its state, figures and resume point)."""

    @abc.abstractmethod
    async def get_import(self, import_id: str) -> StoredImport | None: ...

    @abc.abstractmethod
    async def list_imports(self, *, limit: int) -> list[StoredImport]:
        """Imports, newest first."""


class Store(
    Lifecycle, CatalogStore, IdentityStore, EventLogStore, OutboxStore, StatsStore, ImportStore
):
    """Everything pinrelay keeps: one engine implements every piece.

    `received_events` / `queued_events` count what this process committed (metrics)."""

    received_events: int = 0
    queued_events: int = 0
