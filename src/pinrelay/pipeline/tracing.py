"""Why no pipeline mapped an event, in words for the event debugger (the ingest trace).

Only the rare no-match path pays for this: the triggers are re-checked condition by
condition to name the first that failed. The message's own values are never quoted (they
may be PII); the event name and the pipeline's own expected values are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pinrelay.pipeline.conditions import compile_any
from pinrelay.pipeline.evaluator import PipelineSet
from pinrelay.pipeline.model import AnyCondition, Condition, PipelineDefinition
from pinrelay.pipeline.triggerindex import gate_of, key_of

MAX_EXPLAINED = 5  # pipelines whose failed condition is named


def describe_condition(condition: AnyCondition) -> str:
    if isinstance(condition, Condition):
        value = "" if condition.value is None else f" {condition.value!r}"
        return f"{condition.field} {condition.operator}{value}"
    inner = ", ".join(describe_condition(part) for part in condition.conditions)
    return f"{condition.mode}({inner})"


def first_failed_condition(definition: PipelineDefinition, message: Mapping[str, Any]) -> str:
    for condition in definition.trigger.conditions:
        if not compile_any(condition)(message):
            return describe_condition(condition)
    return "a fallback that did not apply (another pipeline matched)"


def why_no_pipeline(pipelines: PipelineSet, message: Mapping[str, Any]) -> str:
    """One sentence: what no pipeline accepted, and the closest misses."""
    if not len(pipelines):
        return "this integration has no pipelines (presets are off and it has none of its own)"
    message_type = message.get("type")
    name = message.get("event") if message_type == "track" else message.get("name")
    label = f"{message_type} {name!r}" if isinstance(name, str) else f"{message_type} message"
    definitions = pipelines.definitions
    by_type = [d for d in definitions if message_type in d.trigger.event_types]
    if not by_type:
        return f"no pipeline is triggered by {message_type} messages"
    key = key_of(message)
    gated = [d for d in by_type if gate_of(d.trigger).admits(key)]
    if not gated:
        custom_off = message_type == "track" and not any(d.trigger.fallback for d in by_type)
        hint = " and no fallback pipeline applies (custom events off?)" if custom_off else ""
        return f"no pipeline is triggered by {label}{hint}"
    misses = "; ".join(
        f"{d.name}: {first_failed_condition(d, message)}" for d in gated[:MAX_EXPLAINED]
    )
    return f"no pipeline's conditions held for {label}: {misses}"
