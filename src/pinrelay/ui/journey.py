"""One event's journey for the debugger: per integration, pipeline, payload, keys, outcome.

The trace says which pipeline matched and the ingest outcome. The Pinterest payload is not
kept beside the event (the outbox row has it, without an index by event), so it is rebuilt
here from the stored event (PII already hashed, which the pipelines pass through unchanged)
and the identity keys stored now; the page says so. Request cookies are not stored, so a
click id that came only from the `_epik` cookie is missing from the rebuilt payload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pinrelay.collect.ingest import pipelines_for
from pinrelay.identity.matchkeys import merge_match_keys
from pinrelay.pipeline.events import EventInput
from pinrelay.store.base import Store
from pinrelay.store.records import Integration, OutboxEntry, StoredEvent

OUTBOX_SCAN = 1000  # newest outbox rows searched for the event's delivery outcome

PLAIN_OUTCOMES = {
    "queued": "Queued for delivery to Pinterest.",
    "filtered": "Not sent: the visitor did not consent to a category this integration needs.",
    "unmatchable": "Not sent: no match key Pinterest accepts (email, external id, or IP with "
    "user agent, or a click id).",
    "invalid": "Not sent: the Pinterest event the pipeline built is invalid.",
    "no_pipeline": "Not sent: no pipeline maps this event.",
}


@dataclass
class Step:
    integration_id: str
    integration: Integration | None
    pipeline: str | None
    outcome: str
    explanation: str
    reason: str | None
    notes: list[str]
    payload: dict[str, Any] | None = None
    match_keys: list[str] = field(default_factory=list)
    delivery: OutboxEntry | None = None


def _known_keys(store: Store, event: StoredEvent) -> dict[str, list[str]]:
    keys: list[dict[str, list[str]]] = []
    if event.user_id:
        keys.append(store.identity_keys(event.source_id, "user", event.user_id))
    if event.anonymous_id:
        keys.append(store.identity_keys(event.source_id, "anonymous", event.anonymous_id))
    return merge_match_keys(*keys)


def present_match_keys(payload: dict[str, Any]) -> list[str]:
    """The user_data keys of a Pinterest event (hashed ones and IP/UA/click id)."""
    user_data = payload.get("user_data") or {}
    return sorted(k for k, v in user_data.items() if v)


async def _delivery(store: Store, integration_id: str, event_id: str) -> OutboxEntry | None:
    entries = await store.list_outbox(integration_id, status=None, limit=OUTBOX_SCAN, before=None)
    return next((e for e in entries if e.event_id == event_id), None)


async def journey(store: Store, event: StoredEvent) -> list[Step]:
    keys = _known_keys(store, event)
    steps: list[Step] = []
    for raw in event.trace:
        integration_id = str(raw.get("integration_id"))
        integration = store.get_integration(integration_id)
        outcome = str(raw.get("outcome"))
        step = Step(
            integration_id=integration_id,
            integration=integration,
            pipeline=raw.get("pipeline"),
            outcome=outcome,
            explanation=PLAIN_OUTCOMES.get(outcome, outcome),
            reason=raw.get("reason"),
            notes=list(raw.get("notes") or []),
        )
        if integration is not None and step.pipeline:
            outputs = pipelines_for(integration).evaluate(
                EventInput(message=event.body, identity_keys=keys)
            )
            output = next((o for o in outputs if o.pipeline == step.pipeline), None)
            if output is not None:
                step.payload = output.event
                step.match_keys = present_match_keys(output.event)
                if outcome == "queued" and output.event.get("event_id"):
                    step.delivery = await _delivery(
                        store, integration_id, str(output.event["event_id"])
                    )
        steps.append(step)
    return steps
