"""One event's journey for the debugger: per integration, pipeline, payload, keys, outcome.

The trace says which pipeline matched and the ingest outcome. For an event that was not
queued the trace keeps the exact Pinterest event (`output`); for a queued one the store's
journey gives the exact outbox payload and its delivery state. Only when neither has it (an
entry reclaimed after delivery) is the payload rebuilt from the stored event (PII already
hashed, which the pipelines pass through unchanged) with the integration's current pipelines
(the server's registry: presets, directory and its own) and stored identity keys, through the
same `mapping.mapper` as ingest; the page says so, and a click id that came only from the
`_epik` cookie is missing from such a rebuild (request cookies are not stored).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pinrelay.identity.matchkeys import merge_match_keys
from pinrelay.mapping.mapper import map_for_integration
from pinrelay.mapping.trace import Outcome
from pinrelay.pipeline.evaluator import PipelineSet
from pinrelay.pipeline.events import EventInput
from pinrelay.services.hints import hint_for_event
from pinrelay.store.base import Store
from pinrelay.store.records import Integration, JourneyStep, OutboxEntry, StoredEvent

PLAIN_OUTCOMES: dict[str, str] = {
    Outcome.QUEUED: "Queued for delivery to Pinterest.",
    Outcome.FILTERED: "Not sent: the visitor did not consent to a category this integration needs.",
    Outcome.UNMATCHABLE: "Not sent: no match key Pinterest accepts (email, external id, or IP "
    "with user agent, or a click id).",
    Outcome.INVALID: "Not sent: the Pinterest event the pipeline built is invalid.",
    Outcome.NO_PIPELINE: "Not sent: no pipeline maps this event.",
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
    rebuilt: bool = False  # the payload was rebuilt, not kept by the trace
    match_keys: list[str] = field(default_factory=list)
    delivery: OutboxEntry | None = None
    hint: str | None = None  # how to fix a delivery that is not delivered


async def _known_keys(store: Store, event: StoredEvent) -> dict[str, list[str]]:
    subjects = [("user", event.user_id), ("anonymous", event.anonymous_id)]
    asked = [(kind, subject) for kind, subject in subjects if subject]
    found = await store.identities_for(event.source_id, asked) if asked else {}
    return merge_match_keys(*(stored.match_keys for stored in found.values()))


def present_match_keys(payload: dict[str, Any]) -> list[str]:
    """The user_data keys of a Pinterest event (hashed ones and IP/UA/click id)."""
    user_data = payload.get("user_data") or {}
    return sorted(k for k, v in user_data.items() if v)


def _rebuilt(
    step: Step,
    event: StoredEvent,
    keys: dict[str, list[str]],
    integration: Integration,
    pipelines: PipelineSet,
) -> dict[str, Any] | None:
    """The event the step's pipeline makes of the stored message today, as ingest would."""
    inp = EventInput(message=event.body, identity_keys=keys)
    mapped = map_for_integration(integration, inp, pipelines)
    found = next((m for m in mapped.events if m.step.get("pipeline") == step.pipeline), None)
    return None if found is None else found.event


async def journey(
    store: Store, event: StoredEvent, pipelines: Callable[[Integration], PipelineSet]
) -> list[Step]:
    """Every integration's step of the event, with payload, match keys and delivery;
    `pipelines` is the server's `PipelineRegistry.pipelines_for` (what ingest ran)."""
    keys = await _known_keys(store, event)
    queued: dict[tuple[str, str], JourneyStep] = {
        (j.entry.integration_id, j.entry.event_id): j for j in await store.journey(event.seq)
    }
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
        kept = raw.get("output")
        found = queued.get((integration_id, str(raw.get("event_id"))))
        if isinstance(kept, dict):
            step.payload = kept
        elif found is not None:
            step.payload, step.delivery = found.payload, found.entry
            step.hint = hint_for_event(
                found.entry.status, found.entry.last_error, found.entry.attempts
            )
        elif integration is not None and step.pipeline:
            step.payload = _rebuilt(step, event, keys, integration, pipelines(integration))
            step.rebuilt = step.payload is not None
        if step.payload is not None:
            step.match_keys = present_match_keys(step.payload)
        steps.append(step)
    return steps
