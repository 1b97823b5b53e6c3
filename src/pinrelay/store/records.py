"""The rows the store reads and writes, shared by every engine: frozen dataclasses, and
frozen msgspec Structs for the records made once or more per event (a Struct is built in C,
~15 times faster than a frozen dataclass's `__init__`: issue 12)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

import msgspec

OutboxStatus = Literal["pending", "delivered", "dead"]
IdentityKind = Literal["user", "anonymous"]


@dataclass(frozen=True)
class Source:
    """Where events come from; a write key (stored hashed) lets a sender collect into it."""

    id: str
    name: str
    write_key_hint: str
    created_at: float
    default_country: str = "US"  # reads phone numbers written without a country code
    # browser collection (pinrelay.js, docs/how-to/website.md)
    allowed_origins: tuple[str, ...] = ()  # origins whose pages may send; "*" = any
    cookie_domain: str | None = None  # Domain of the cookies the collect server sets
    consent_required: bool = False  # events without a granted category go nowhere
    tag_dedup: bool = False  # pinrelay.js also fires the Pinterest Tag, same event ids


@dataclass(frozen=True)
class Integration:
    """A Pinterest ad account events of one source are delivered to."""

    id: str
    source_id: str
    vendor: str
    name: str
    enabled: bool
    ad_account_id: str
    conversion_token_enc: bytes
    conversion_token_hint: str
    test_mode: bool
    consent_categories: tuple[str, ...]
    settings: dict[str, Any]
    paused_reason: str | None
    created_at: float
    updated_at: float

    @property
    def active(self) -> bool:
        """Whether the worker should deliver its events now."""
        return self.enabled and self.paused_reason is None


class OutboxRow(msgspec.Struct, frozen=True):
    """A Pinterest-ready event queued for one integration."""

    integration_id: str
    event_id: str
    event_name: str
    event_time: int
    payload: bytes
    match_keys: tuple[str, ...] = ()  # keys the event carries, counted for match quality


class IdentityUpdate(msgspec.Struct, frozen=True):
    """Hashed match keys (and the click id) to remember for a user or a device."""

    kind: IdentityKind
    subject: str
    match_keys: dict[str, list[str]]
    click_id: str | None = None
    click_id_at: float = 0.0


class StoredIdentity(msgspec.Struct, frozen=True):
    """What is remembered of a user or a device: hashes only, and the raw click id."""

    match_keys: dict[str, list[str]] = msgspec.field(default_factory=dict)
    click_id: str | None = None
    click_id_at: float = 0.0


class IngestRecord(msgspec.Struct, frozen=True):
    """One accepted event with everything its commit writes, in one transaction."""

    source_id: str
    message_id: str
    type: str
    name: str | None
    user_id: str | None
    anonymous_id: str | None
    received_at: float
    body: bytes
    trace: bytes
    outbox: tuple[OutboxRow, ...] = ()
    identities: tuple[IdentityUpdate, ...] = ()


class ClaimedEvent(NamedTuple):
    """An outbox row reserved by a worker until its lease ends.

    A NamedTuple, not a dataclass: one is built per event on the delivery hot path.
    """

    seq: int
    event_id: str
    event_name: str
    event_time: int
    payload: bytes
    attempts: int
    created_at: float


class EventOutcome(NamedTuple):
    """What became of one claimed event after a send (a NamedTuple: the hot path)."""

    seq: int
    status: Literal["delivered", "dead", "retry", "release"]
    message: str | None = None
    next_attempt_at: float = 0.0
    attempted: bool = True


@dataclass(frozen=True)
class DeliveryAttempt:
    """One HTTP call to Pinterest, for the delivery log."""

    integration_id: str
    started_at: float
    duration_ms: float
    batch_size: int
    http_status: int | None
    outcome: str
    message: str | None
    test: bool


@dataclass(frozen=True)
class OutboxEntry:
    """An outbox row as the admin API lists it (no payload)."""

    seq: int
    integration_id: str
    event_id: str
    event_name: str
    event_time: int
    status: OutboxStatus
    attempts: int
    next_attempt_at: float
    last_error: str | None
    warning: str | None
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class StoredEvent:
    """An event as the event log keeps it (PII already hashed)."""

    seq: int
    source_id: str
    message_id: str
    type: str
    name: str | None
    user_id: str | None
    anonymous_id: str | None
    received_at: float
    body: dict[str, Any]
    trace: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class AdminToken:
    """An admin API token created through the API (stored as a hash, shown once)."""

    id: str
    name: str
    token_hint: str
    created_at: float
    revoked_at: float | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class AuditEntry:
    """One configuration change: who, what, when (secrets masked in details)."""

    id: int
    at: float
    actor: str
    action: str
    target: str
    details: dict[str, Any]


@dataclass(frozen=True)
class EventFilter:
    """What the event debugger narrows the event log to; None means any."""

    source_id: str | None = None
    type: str | None = None
    name: str | None = None
    outcome: str | None = None  # queued | filtered | unmatchable | invalid | no_pipeline
    user_id: str | None = None
    anonymous_id: str | None = None
    since: float | None = None
    until: float | None = None
    after: int = 0  # only events with a larger seq (for live tails)


@dataclass(frozen=True)
class StoredPipeline:
    """A pipeline saved for one integration through the admin API (current version)."""

    integration_id: str
    name: str
    version: int  # 1, 2, ...: counts every save and delete of this name
    yaml: str
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class PipelineVersion:
    """One saved version of a stored pipeline; `yaml` None is the version that deleted it."""

    version: int
    yaml: str | None
    created_at: float


@dataclass(frozen=True)
class DeadEntry:
    """A dead-lettered outbox entry with Pinterest's (or our) reason, for listing and replay."""

    seq: int
    integration_id: str
    event_id: str
    event_name: str
    event_time: int
    attempts: int
    reason: str | None
    created_at: float
    dead_at: float


@dataclass(frozen=True)
class DeadFilter:
    """Which dead entries a listing or a replay means; every field narrows the selection."""

    integration_id: str | None = None
    seqs: tuple[int, ...] | None = None
    since: float | None = None  # received at or after (unix seconds)
    until: float | None = None  # received before


@dataclass(frozen=True)
class ReplayResult:
    """What a replay did: events queued again, and events left dead (with why)."""

    replayed: tuple[int, ...]
    skipped: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class LaneStats:
    """Queue depth of one integration, for metrics (from memory, not the disk)."""

    integration_id: str
    pending: int
    oldest_queued_at: float | None


@dataclass(frozen=True)
class JourneyStep:
    """One Pinterest payload an event produced, and where its delivery stands."""

    entry: OutboxEntry
    payload: dict[str, Any]
