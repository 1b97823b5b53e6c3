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

from pinrelay.collect.messages import AcceptedMessage
from pinrelay.identity.matchkeys import match_keys_of, merge_match_keys
from pinrelay.identity.redaction import redact_pii
from pinrelay.pinterest.validation import encode_event, validate_event
from pinrelay.pipeline.evaluator import EventInput, PipelineSet
from pinrelay.pipeline.presets import load_presets
from pinrelay.store.base import Store
from pinrelay.store.records import (
    IdentityKind,
    IdentityUpdate,
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

    def __init__(self, store: Store, *, on_commit: Callable[[], None] | None = None) -> None:
        self._store = store
        self._on_commit = on_commit

    async def ingest(
        self, source: Source, accepted: Sequence[AcceptedMessage], request: RequestInfo
    ) -> list[bool]:
        integrations = [i for i in self._store.list_integrations(source.id) if i.enabled]
        pending: dict[tuple[str, str], dict[str, list[str]]] = {}  # identities of this batch
        records = [self._record(source, item, request, integrations, pending) for item in accepted]
        stored = await self._store.ingest(records)
        if self._on_commit is not None and any(r.outbox for r in records):
            self._on_commit()
        return stored

    def _known_keys(
        self,
        source_id: str,
        kind: str,
        subject: str | None,
        pending: dict[tuple[str, str], dict[str, list[str]]],
    ) -> dict[str, list[str]]:
        if subject is None:
            return {}
        if (kind, subject) in pending:
            return pending[(kind, subject)]
        return self._store.identity_keys(source_id, kind, subject)

    def _record(
        self,
        source: Source,
        item: AcceptedMessage,
        request: RequestInfo,
        integrations: Sequence[Integration],
        pending: dict[tuple[str, str], dict[str, list[str]]],
    ) -> IngestRecord:
        message = item.message
        context = dict(message.get("context") or {})
        if not context.get("ip") and request.client_ip:
            context["ip"] = request.client_ip
        message["context"] = context
        user_id, anonymous_id = message.get("userId"), message.get("anonymousId")

        known = merge_match_keys(
            self._known_keys(source.id, "user", user_id, pending),
            self._known_keys(source.id, "anonymous", anonymous_id, pending),
        )
        updates: list[IdentityUpdate] = []
        if item.type == "identify":
            known = merge_match_keys(known, match_keys_of(message))
            subjects: tuple[tuple[IdentityKind, str | None], ...] = (
                ("user", user_id),
                ("anonymous", anonymous_id),
            )
            for kind, subject in subjects:
                if subject is not None:
                    pending[(kind, subject)] = known
                    updates.append(IdentityUpdate(kind, subject, known))

        outbox: list[OutboxRow] = []
        trace: list[dict[str, Any]] = []
        event_input = EventInput(message=message, cookies=request.cookies, identity_keys=known)
        source_refusal = source_consent_refusal(source, message)
        for integration in integrations:
            if source_refusal is not None:
                trace.append(
                    {
                        "integration_id": integration.id,
                        "outcome": "filtered",
                        "reason": source_refusal,
                    }
                )
                continue
            outbox_rows, steps = _map_for(integration, event_input)
            outbox.extend(outbox_rows)
            trace.extend(steps)

        return IngestRecord(
            source_id=source.id,
            message_id=item.message_id,
            type=item.type,
            name=item.name,
            user_id=user_id,
            anonymous_id=anonymous_id,
            received_at=item.received_at.timestamp(),
            body=_encoder.encode(redact_pii(message)),
            trace=_encoder.encode(trace),
            outbox=tuple(outbox),
            identities=tuple(updates),
        )


def _map_for(
    integration: Integration, event_input: EventInput
) -> tuple[list[OutboxRow], list[dict[str, Any]]]:
    """The outbox rows one integration gets from one event, and the trace of why."""
    base = {"integration_id": integration.id}
    refused = consent_allows(event_input.message, integration)
    if refused:
        return [], [{**base, "outcome": "filtered", "reason": refused}]
    outputs = pipelines_for(integration).evaluate(event_input)
    if not outputs:
        return [], [
            {
                **base,
                "outcome": "no_pipeline",
                "reason": "no pipeline matched this event (custom events are off)",
            }
        ]
    rows: list[OutboxRow] = []
    steps: list[dict[str, Any]] = []
    for output in outputs:
        step = {**base, "pipeline": output.pipeline, "notes": list(output.notes)}
        errors = validate_event(output.event)
        if errors:
            outcome = "unmatchable" if _identity_problem(errors) else "invalid"
            steps.append(
                {
                    **step,
                    "outcome": outcome,
                    "reason": "; ".join(errors),
                    "event_name": output.event.get("event_name"),
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
            )
        )
        steps.append({**step, "outcome": "queued", "event_name": event["event_name"]})
    return rows, steps
