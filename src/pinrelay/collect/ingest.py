"""From checked Segment messages to one durable commit: event log + outbox + identities.

Everything that needs raw PII happens here, in memory: match keys are hashed and the
pipelines build the Pinterest events before anything is written. What reaches the disk is the
redacted message (PII replaced by its hash) and the Pinterest-ready payloads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import msgspec

from pinrelay.collect.destinations import destination_refusal
from pinrelay.collect.identities import IdentityReader, Pending, known_identities, resolve_identity
from pinrelay.collect.messages import AcceptedMessage
from pinrelay.collect.network import Network
from pinrelay.identity.hashing import normalise_and_hash
from pinrelay.identity.phones import phone_region
from pinrelay.identity.piiscan import clean_outgoing_event, scrub_text, scrub_tree
from pinrelay.identity.quality import carried_keys
from pinrelay.identity.redaction import redact_pii
from pinrelay.pinterest.validation import encode_event, validate_event
from pinrelay.pipeline.evaluator import EventInput, PipelineSet, SharedEvaluation
from pinrelay.pipeline.integrationoptions import integration_options
from pinrelay.pipeline.presets import load_presets
from pinrelay.pipeline.salvage import salvage_fields
from pinrelay.pipeline.tracing import why_no_pipeline
from pinrelay.store.base import Store
from pinrelay.store.records import (
    IngestRecord,
    Integration,
    OutboxRow,
    Source,
)

_encoder = msgspec.json.Encoder()


@dataclass(frozen=True)
class RequestInfo:
    """What the HTTP request tells about the visitor, beyond the message itself."""

    client_ip: str | None
    cookies: Mapping[str, str] = field(default_factory=dict)
    user_agent: str | None = None  # the request's own User-Agent header
    own_proxies: tuple[Network, ...] = ()  # trusted proxies: never the visitor's address
    # False for offline imports: a synthetic per-row anonymous id is nobody to remember
    remember_identities: bool = True


@lru_cache(maxsize=8)
def _presets(custom_events: bool) -> PipelineSet:
    return load_presets(custom_events=custom_events)


def pipelines_for(integration: Integration) -> PipelineSet:
    """The pipelines that map events for an integration (presets for now)."""
    return _presets(bool(integration.settings.get("custom_events", True)))


def consent_allows(message: Mapping[str, Any], integration: Integration) -> str | None:
    """None if the integration may receive the event, else why not.

    Segment's convention: `context.consent.categoryPreferences` maps a category to a bool.
    An event without consent information is allowed (the source does not collect consent).
    """
    if not integration.consent_categories:
        return None
    context = message.get("context") or {}
    preferences = (context.get("consent") or {}).get("categoryPreferences")
    if not isinstance(preferences, dict):
        return None
    denied = [c for c in integration.consent_categories if preferences.get(c) is not True]
    if denied:
        return "consent not granted for: " + ", ".join(denied)
    return None


def source_consent_refusal(source: Source, message: Mapping[str, Any]) -> str | None:
    """None unless the source requires consent and the event grants no category.

    A source that requires consent sends nothing for a visitor who has not (yet) granted
    anything, whatever its integrations ask for; pinrelay.js holds such events in the page,
    this is the server's half of the rule (for senders that are not pinrelay.js).
    """
    if not source.consent_required:
        return None
    context = message.get("context") or {}
    preferences = (context.get("consent") or {}).get("categoryPreferences")
    if isinstance(preferences, dict) and any(v is True for v in preferences.values()):
        return None
    return "the source requires consent and this event grants no category"


def _identity_problem(errors: Sequence[str]) -> bool:
    return any(error.startswith("user_data:") for error in errors)


class Ingestor:
    """Turns accepted messages into ingest records and commits them."""

    def __init__(
        self,
        store: Store,
        *,
        on_commit: Callable[[], None] | None = None,
        pipelines: Callable[[Integration], PipelineSet] = pipelines_for,
    ) -> None:
        self._store = store
        self._on_commit = on_commit
        self._pipelines = pipelines  # e.g. PipelineRegistry.pipelines_for (issue 5)
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
            return await self.commit(await self.build_records(source, accepted, request))
        finally:
            self.live_in_flight -= 1

    async def build_records(
        self, source: Source, accepted: Sequence[AcceptedMessage], request: RequestInfo
    ) -> list[IngestRecord]:
        """The records of `accepted`, nothing written (the offline import's dry run stops here)."""
        integrations = [i for i in self._store.list_integrations(source.id) if i.enabled]
        pending: Pending = {}  # identities updated by earlier events of this batch
        known = await known_identities(
            self._store,
            source.id,
            (i.message for i in accepted),
            users_only=not request.remember_identities,
        )
        with phone_region(source.default_country):
            return [
                self._record(source, item, request, integrations, pending, known)
                for item in accepted
            ]

    async def commit(self, records: Sequence[IngestRecord]) -> list[bool]:
        """Write records in one group commit; True where new (not a retried message id)."""
        stored = await self._store.ingest(records)
        if self._on_commit is not None and any(r.outbox for r in records):
            self._on_commit()
        return stored

    def _record(
        self,
        source: Source,
        item: AcceptedMessage,
        request: RequestInfo,
        integrations: Sequence[Integration],
        pending: Pending,
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
        )
        outbox: list[OutboxRow] = []
        trace: list[dict[str, Any]] = []
        event_input = EventInput(
            message=message,
            cookies=request.cookies,
            identity_keys=resolution.keys,
            stored_click_id=resolution.click_id,
            message_keys=resolution.message_keys,
        )
        source_refusal = source_consent_refusal(source, message)
        shared = SharedEvaluation() if len(integrations) > 1 else None
        for integration in integrations:
            refusal = (
                resolution.visitor.bot
                or source_refusal
                or destination_refusal(message, integration)  # its `integrations` object
            )
            if refusal is not None:
                trace.append(
                    {
                        "integration_id": integration.id,
                        "outcome": "filtered",
                        "reason": refusal,
                    }
                )
                continue
            outbox_rows, steps = _map_for(
                integration, event_input, self._pipelines(integration), shared=shared
            )
            for step in steps:
                if "notes" in step and resolution.notes:
                    step["notes"] = [*resolution.notes, *step["notes"]]
            outbox.extend(outbox_rows)
            trace.extend(steps)

        stored = redact_pii(message)  # no raw PII reaches the disk: ids, name, trace too
        scrub_tree(trace)
        return IngestRecord(
            source_id=source.id,
            message_id=item.message_id,
            type=item.type,
            name=None if item.name is None else scrub_text(item.name),
            user_id=stored.get("userId"),
            anonymous_id=stored.get("anonymousId"),
            received_at=item.received_at.timestamp(),
            body=_encoder.encode(stored),
            trace=_encoder.encode(trace),
            outbox=tuple(outbox),
            identities=resolution.updates if request.remember_identities else (),
        )


def add_anonymous_external_id(
    integration: Integration, event: dict[str, Any], message: Any
) -> None:
    """The anonymous id as a second `external_id`, when the integration asks for it."""
    if not integration.settings.get("anonymous_id_as_external_id"):
        return
    user_data = event.get("user_data")
    hashed = normalise_and_hash("external_id", message.get("anonymousId"))
    if not isinstance(user_data, dict) or hashed is None:
        return
    ids = user_data.get("external_id")
    ids = list(ids) if isinstance(ids, list) else []
    if hashed not in ids:
        user_data["external_id"] = [*ids, hashed]


def _map_for(
    integration: Integration,
    event_input: EventInput,
    pipelines: PipelineSet | None = None,
    *,
    shared: SharedEvaluation | None = None,
) -> tuple[list[OutboxRow], list[dict[str, Any]]]:
    """The outbox rows one integration gets from one event, and the trace of why."""
    base = {"integration_id": integration.id}
    refused = consent_allows(event_input.message, integration)
    if refused and integration.settings.get("consent_denied", "drop") != "opt_out":
        return [], [{**base, "outcome": "filtered", "reason": refused}]
    pipelines = pipelines_for(integration) if pipelines is None else pipelines
    outputs = (
        pipelines.evaluate(event_input)
        if shared is None
        else shared.outputs(pipelines, event_input)
    )
    if not outputs:
        return [], [
            {
                **base,
                "outcome": "no_pipeline",
                "reason": why_no_pipeline(pipelines, event_input.message),
            }
        ]
    rows: list[OutboxRow] = []
    steps: list[dict[str, Any]] = []
    for output in outputs:
        add_anonymous_external_id(integration, output.event, event_input.message)
        extra = integration_options(  # privacy and app fields (issue 5)
            output.event, event_input.message, integration.settings, consent_denied=bool(refused)
        )
        step = {
            **base,
            "pipeline": output.pipeline,
            "origin": output.origin,
            "notes": [*output.notes, *extra],
        }
        clean_outgoing_event(output.event)  # e.g. ?email= in event_source_url
        errors = validate_event(output.event)
        if errors:  # one bad optional field costs that field, not the conversion (issue 14)
            salvaged = salvage_fields(output.event)
            step["notes"] = [*step["notes"], *salvaged]
            errors = validate_event(output.event) if salvaged else errors
        if errors:
            outcome = "unmatchable" if _identity_problem(errors) else "invalid"
            steps.append(
                {
                    **step,
                    "outcome": outcome,
                    "reason": "; ".join(errors),
                    "event_name": output.event.get("event_name"),
                    "output": output.event,  # not queued, so kept here for the debugger
                }
            )
            continue
        event = output.event
        rows.append(
            OutboxRow(
                integration.id,
                str(event["event_id"]),
                str(event["event_name"]),
                int(event["event_time"]),
                encode_event(event),
                carried_keys(event),
            )
        )
        steps.append(
            {
                **step,
                "outcome": "queued",
                "event_name": event["event_name"],
                "event_id": str(event["event_id"]),
            }
        )
    return rows, steps
