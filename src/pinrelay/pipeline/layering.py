"""How pipelines from several places combine into the set an integration runs.

Order of layers: the built-in presets (unless the integration turns them off), then the
pipelines of the `--pipelines` directory, then those saved for the integration through the
admin API. A later pipeline overrides an earlier one with the same name *or* the same
trigger (same message types and conditions, event names compared loosely), taking its place
in the order; a pipeline that overrides nothing is added at the end.

This is the only override rule: the server's registry, the admin API's duplicate check, the
UI's dry run of a pasted pipeline and `presets_with` all combine layers with `override`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pinrelay.pipeline.conditions import EVENT_NAME_FIELDS, event_name_key
from pinrelay.pipeline.evaluator import PipelineSet
from pinrelay.pipeline.model import AnyCondition, Condition, PipelineDefinition, Trigger


@dataclass(frozen=True)
class Layered:
    """A definition with where it came from: "preset", "directory" or "api"."""

    definition: PipelineDefinition
    layer: str
    version: int | None = None  # the admin API version

    @property
    def name(self) -> str:
        return self.definition.name

    def describe(self) -> str:
        suffix = f" v{self.version}" if self.version is not None else ""
        return f"{self.layer}{suffix} {self.definition.origin}"


def _frozen(value: Any) -> Hashable:
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    return (type(value).__name__, value)


def _condition_key(condition: AnyCondition) -> Hashable:
    if not isinstance(condition, Condition):
        return (condition.mode, tuple(_condition_key(c) for c in condition.conditions))
    value: Any = condition.value
    if condition.field in EVENT_NAME_FIELDS and condition.operator != "matches":
        if isinstance(value, str):
            value = event_name_key(value)
        elif isinstance(value, list):
            value = sorted(event_name_key(v) if isinstance(v, str) else repr(v) for v in value)
    return (condition.field, condition.operator, _frozen(value))


def trigger_key(trigger: Trigger) -> Hashable:
    """Triggers with equal keys accept the same events."""
    return (
        frozenset(trigger.event_types),
        frozenset(_condition_key(c) for c in trigger.conditions),
        trigger.fallback,
    )


def override(base: Sequence[Layered], overrides: Iterable[Layered]) -> list[Layered]:
    """`base` with each of `overrides` replacing what has its name or trigger in `base`
    (pipelines of one layer never replace each other: several may share a trigger)."""
    result = list(base)
    from_base = {id(item) for item in base}
    for item in overrides:
        key = trigger_key(item.definition.trigger)
        replaced = [
            index
            for index, old in enumerate(result)
            if id(old) in from_base
            and (old.name == item.name or trigger_key(old.definition.trigger) == key)
        ]
        if not replaced:
            result.append(item)
            continue
        result[replaced[0]] = item
        for index in reversed(replaced[1:]):
            del result[index]
    return result


def layered_set(layers: Iterable[Layered]) -> PipelineSet:
    """The compiled set of `layers`, in their order."""
    return PipelineSet(item.definition for item in layers)
