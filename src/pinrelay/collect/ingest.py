"""From checked Segment messages to one durable commit: event log + outbox + identities.

Everything that needs raw PII happens here, in memory: match keys are hashed and the
pipelines build the Pinterest events before anything is written. What reaches the disk is the
redacted message (PII replaced by its hash) and the Pinterest-ready payloads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import msgspec

from pinrelay.collect.identities import (
    BatchIdentities,
    IdentityReader,
    KnownIdentities,
    known_identities,
    resolve_identity,
)
from pinrelay.collect.messages import AcceptedMessage
from pinrelay.collect.network import Network
from pinrelay.identity.consent import source_refusal
from pinrelay.identity.phones import phone_region
from pinrelay.identity.piiscan import scrub_text, scrubbed_json
from pinrelay.identity.redaction import redact_pii
from pinrelay.mapping.mapper import map_for_integration
from pinrelay.mapping.registry import store_registry
from pinrelay.mapping.trace import TraceStep
from pinrelay.pipeline.evaluator import EventInput, PipelineSet, SharedEvaluation
from pinrelay.store.base import Store
from pinrelay.store.records import IngestRecord, Integration, OutboxRow, Source

if TYPE_CHECKING:  # for the annotation only: mappingpool imports this module
    from pinrelay.collect.mappingpool import MappingPool

_encoder = msgspec.json.Encoder()
# A request this big holds the collect loop ~20 ms when mapped there: it goes to a worker
# (~0.3 ms hop). Smaller ones, like the SDKs' default flushes of 20, stay: no worker
# process is started for traffic that never blocks the loop long.
POOL_MIN_EVENTS = 100


@dataclass(frozen=True)
class RequestInfo:
    """What the HTTP request tells about the visitor, beyond the message itself."""

    client_ip: str | None
    cookies: Mapping[str, str] = field(default_factory=dict)
    user_agent: str | None = None  # the request's own User-Agent header
    own_proxies: tuple[Network, ...] = ()  # trusted proxies: never the visitor's address
    # False for offline imports: a synthetic per-row anonymous id is nobody to remember
    remember_identities: bool = True


class Ingestor:
    """Turns accepted messages into ingest records and commits them."""

    def __init__(
        self,
        store: Store,
        *,
        on_commit: Callable[[], None] | None = None,
        pipelines: Callable[[Integration], PipelineSet] | None = None,
        pool: MappingPool | None = None,
        pool_min_events: int = POOL_MIN_EVENTS,
    ) -> None:
        """`pipelines`: the server's `PipelineRegistry.pipelines_for`; without it, a registry
        of the store's pipelines (presets and the admin API's, no directory). `pool`: worker
        processes that map requests of `pool_min_events` or more (`collect.mappingpool`),
        once they are up; smaller requests cost less mapped here than sent there."""
        self._store = store
        self._on_commit = on_commit
        if pipelines is None:
            pipelines = store_registry(store).pipelines_for
        self._pipelines = pipelines
        self._pool = pool
        self._pool_min_events = pool_min_events
        self.live_in_flight = 0  # live ingests between build and commit (imports yield to them)

    @property
    def pipelines(self) -> Callable[[Integration], PipelineSet]:
        """How this ingestor finds an integration's pipelines (the Tag mapping reuses it)."""
        return self._pipelines

    async def ingest(
        self, source: Source, accepted: Sequence[AcceptedMessage], request: RequestInfo
    ) -> list[bool]:
        self.live_in_flight += 1
        try:
            pool = self._pool
            if pool is not None and len(accepted) >= self._pool_min_events and pool.ready():
                integrations, known = await self.lookups(source, accepted, request)
                records = await pool.build_records(
                    source, list(accepted), request, integrations, self._pipelines, known
                )
            else:
                records = await self.build_records(source, accepted, request)
            return await self.commit(records)
        finally:
            self.live_in_flight -= 1

    async def build_records(
        self, source: Source, accepted: Sequence[AcceptedMessage], request: RequestInfo
    ) -> list[IngestRecord]:
        """The records of `accepted`, nothing written (the offline import's dry run stops here)."""
        integrations, known = await self.lookups(source, accepted, request)
        return build_records(source, accepted, request, integrations, self._pipelines, known)

    async def lookups(
        self, source: Source, accepted: Sequence[AcceptedMessage], request: RequestInfo
    ) -> tuple[list[Integration], KnownIdentities]:
        """What mapping `accepted` reads from the store: the enabled integrations and, in one
        batched read, what is remembered of the messages' users and devices."""
        integrations = [i for i in self._store.list_integrations(source.id) if i.enabled]
        known = await known_identities(
            self._store,
            source.id,
            (i.message for i in accepted),
            users_only=not request.remember_identities,
        )
        return integrations, known

    async def commit(self, records: Sequence[IngestRecord]) -> list[bool]:
        """Write records in one group commit; True where new (not a retried message id)."""
        stored = await self._store.ingest(records)
        if self._on_commit is not None and any(r.outbox for r in records):
            self._on_commit()
        return stored


def build_records(
    source: Source,
    accepted: Sequence[AcceptedMessage],
    request: RequestInfo,
    integrations: Sequence[Integration],
    pipelines: Callable[[Integration], PipelineSet],
    known: IdentityReader,
) -> list[IngestRecord]:
    """Identity, pipelines and validation for each message, in memory: no store, no I/O, so
    the offline import's worker processes run exactly what a live request runs."""
    pending: BatchIdentities = {}  # identities updated by earlier events of this batch
    with phone_region(source.default_country):
        return [
            _record(source, item, request, integrations, pipelines, pending, known)
            for item in accepted
        ]


def _record(
    source: Source,
    item: AcceptedMessage,
    request: RequestInfo,
    integrations: Sequence[Integration],
    pipelines: Callable[[Integration], PipelineSet],
    pending: BatchIdentities,
    known: IdentityReader,
) -> IngestRecord:
    message = item.message
    resolution = resolve_identity(
        known,
        source.id,
        message,
        event_time=item.event_time.timestamp(),
        request_ip=request.client_ip,
        header_agent=request.user_agent,
        cookies=request.cookies,
        own_proxies=request.own_proxies,
        pending=pending,
        persist=request.remember_identities,
    )
    outbox: list[OutboxRow] = []
    trace: list[TraceStep] = []
    event_input = EventInput(
        message=message,
        cookies=request.cookies,
        identity_keys=resolution.keys,
        stored_click_id=resolution.click_id,
        message_keys=resolution.message_keys,
    )
    refusal = resolution.visitor.bot or source_refusal(source.consent_required, message)
    shared = SharedEvaluation() if len(integrations) > 1 else None
    for integration in integrations:
        mapped = map_for_integration(
            integration,
            event_input,
            pipelines(integration),
            shared=shared,
            refusal=refusal,
        )
        if resolution.notes:  # what identity resolution dropped, before the pipeline's
            for step in mapped.steps:
                if "notes" in step:
                    step["notes"] = [*resolution.notes, *step["notes"]]
        outbox.extend(mapped.rows)
        trace.extend(mapped.steps)

    stored = redact_pii(message)  # no raw PII reaches the disk: ids, name, trace too
    return IngestRecord(
        source_id=source.id,
        message_id=item.message_id,
        type=item.type,
        name=None if item.name is None else scrub_text(item.name),
        user_id=stored.get("userId"),
        anonymous_id=stored.get("anonymousId"),
        received_at=item.received_at.timestamp(),
        body=_encoder.encode(stored),
        trace=scrubbed_json(trace),
        outbox=tuple(outbox),
        identities=resolution.updates,
    )
