"""Map one message for one integration: the one function every caller of the mapping uses.

Ingest (`collect.ingest`), the UI's dry run and event journey, and `pinrelay pipeline run`
all call `map_for_integration`, so what a preview shows is what the server queues. In order:

1. refusals: the caller's (a bot, a source that requires consent), then the message's own
   `integrations` object, then the integration's consent categories (`consent_denied: drop`;
   with `opt_out` the event goes on, opted out) -> `filtered`;
2. the integration's pipelines (`SharedEvaluation` shares one run between integrations with
   the same compiled set) -> `no_pipeline` when none applies, with the closest misses;
3. per output: the integration's options (`mapping.options`), no PII outside `user_data`,
   Pinterest's schema check, dropping optional fields Pinterest would refuse
   (`mapping.salvage`), and then `queued` (an outbox row), `unmatchable` or `invalid`.

This is the ingest hot path (once per event per integration): no copies or passes beyond
those steps; the result holds the rows, the trace steps and each output's final event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pinrelay.identity.consent import integration_refusal
from pinrelay.identity.piiscan import clean_outgoing_event
from pinrelay.identity.quality import carried_keys
from pinrelay.mapping.destinations import destination_refusal
from pinrelay.mapping.options import integration_options
from pinrelay.mapping.salvage import salvage_fields
from pinrelay.mapping.trace import Outcome, TraceStep, refusal_step
from pinrelay.pinterest.problems import Problem, ProblemKind
from pinrelay.pinterest.validation import check_event, encode_event
from pinrelay.pipeline.evaluator import EventInput, PipelineSet, SharedEvaluation
from pinrelay.pipeline.tracing import why_no_pipeline
from pinrelay.store.records import Integration, OutboxRow


@dataclass(slots=True)
class MappedEvent:
    """One pipeline's event for the integration, as final as ingest makes it."""

    step: TraceStep  # its line of the trace (the outcome)
    event: dict[str, Any]  # the Pinterest event, queued or not
    problems: list[str]  # why Pinterest would refuse it; empty when queued


@dataclass(slots=True)
class IntegrationMapping:
    """What one integration gets from one message: outbox rows and the trace of why."""

    steps: list[TraceStep]
    rows: list[OutboxRow] = field(default_factory=list)
    events: list[MappedEvent] = field(default_factory=list)  # one per pipeline that ran


def _unmatchable(event: dict[str, Any], problems: Sequence[Problem]) -> bool:
    """No match key Pinterest accepts: the identity rule fails, or nothing at all was left
    in `user_data` (the schema then reports it missing, which is the same lack)."""
    return not event.get("user_data") or any(p.kind is ProblemKind.IDENTITY for p in problems)


def map_for_integration(
    integration: Integration,
    event_input: EventInput,
    pipelines: PipelineSet,
    *,
    shared: SharedEvaluation | None = None,
    refusal: str | None = None,
) -> IntegrationMapping:
    """Map `event_input` for `integration` with its `pipelines` (e.g. from
    `PipelineRegistry.pipelines_for`); `refusal`: why the caller already refuses the event
    for every integration (a bot, the source's consent rule)."""
    message = event_input.message
    refusal = refusal or destination_refusal(message, integration)
    if refusal is not None:
        return IntegrationMapping([refusal_step(integration.id, Outcome.FILTERED, refusal)])
    refused = integration_refusal(message, integration.consent_categories)
    settings = integration.settings
    if refused and settings.get("consent_denied", "drop") != "opt_out":
        return IntegrationMapping([refusal_step(integration.id, Outcome.FILTERED, refused)])
    outputs = (
        pipelines.evaluate(event_input)
        if shared is None
        else shared.outputs(pipelines, event_input)
    )
    if not outputs:
        reason = why_no_pipeline(pipelines, message)
        return IntegrationMapping([refusal_step(integration.id, Outcome.NO_PIPELINE, reason)])
    result = IntegrationMapping([])
    for output in outputs:
        event = output.event
        extra = integration_options(event, message, settings, consent_denied=bool(refused))
        step: TraceStep = {
            "integration_id": integration.id,
            "pipeline": output.pipeline,
            "origin": output.origin,
            "notes": [*output.notes, *extra],
            "outcome": Outcome.QUEUED,
        }
        clean_outgoing_event(event)  # e.g. ?email= in event_source_url
        problems = check_event(event)
        if problems:  # one bad optional field costs that field, not the conversion (issue 14)
            salvaged = salvage_fields(event)
            step["notes"].extend(salvaged)
            problems = check_event(event) if salvaged else problems
        if problems:
            messages = [problem.message for problem in problems]
            step["outcome"] = (
                Outcome.UNMATCHABLE if _unmatchable(event, problems) else Outcome.INVALID
            )
            step["reason"] = "; ".join(messages)
            step["event_name"] = event.get("event_name")
            step["output"] = event  # not queued, so kept here for the debugger
            result.steps.append(step)
            result.events.append(MappedEvent(step, event, messages))
            continue
        event_id = str(event["event_id"])
        result.rows.append(
            OutboxRow(
                integration.id,
                event_id,
                str(event["event_name"]),
                int(event["event_time"]),
                encode_event(event),
                carried_keys(event),
            )
        )
        step["event_name"] = event["event_name"]
        step["event_id"] = event_id
        result.steps.append(step)
        result.events.append(MappedEvent(step, event, []))
    return result
