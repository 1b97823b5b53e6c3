"""A deploy-time problem: two pipelines of one integration send the same Pinterest event for
one message.

Every pipeline whose trigger matches runs, so a pipeline of one's own beside a preset with an
overlapping trigger (the how-to's GA4 `purchase` pipeline accepting `order_completed` too)
sends each such order twice, once without its value. With the same event id Pinterest keeps
the first and drops the other, which may be the complete one; with different ids it counts two
conversions. It is found by reading the triggers, before any event flows: `pipeline check`,
the admin API and the UI report it.

A pipeline marked `output: {duplicates: intended}` may overlap (e.g. two ad accounts' shapes).
Triggers that test fields other than the event name cannot be compared without events; they
are not reported (no false alarms).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from pinrelay.pipeline.conditions import EVENT_NAME_FIELDS, event_name_key
from pinrelay.pipeline.layering import Layered, override
from pinrelay.pipeline.model import Condition, PipelineDefinition
from pinrelay.pipeline.presets import preset_definitions

INTENDED = "intended"
ANY_NAME = frozenset({"*"})  # a trigger with no condition accepts every name of its types


def static_event_name(definition: PipelineDefinition) -> str | None:
    """The `event_name` a pipeline sets as a static value, if it does."""
    for static in definition.static:
        if static.target == "event_name" and isinstance(static.value, str):
            return static.value
    return None


def _names(definition: PipelineDefinition) -> frozenset[str] | None:
    """The event names the trigger accepts, ANY_NAME, or None when it cannot be told."""
    conditions = definition.trigger.conditions
    if not conditions:
        return ANY_NAME
    names: set[str] = set()
    for condition in conditions:
        if not isinstance(condition, Condition) or condition.field not in EVENT_NAME_FIELDS:
            return None
        values = condition.value if condition.operator == "in" else [condition.value]
        if condition.operator not in ("equals", "in") or not isinstance(values, list | tuple):
            return None
        accepted = {event_name_key(str(v)) for v in values}
        names = accepted if not names else names & accepted  # conditions all hold
    return frozenset(names)


def _overlap(first: PipelineDefinition, second: PipelineDefinition) -> str | None:
    """What both triggers accept, in words, or None if no message can match both."""
    types = set(first.trigger.event_types) & set(second.trigger.event_types)
    if not types or first.trigger.fallback or second.trigger.fallback:
        return None
    a, b = _names(first), _names(second)
    if a is None or b is None:
        return None
    kinds = "/".join(sorted(types))
    if a == ANY_NAME and b == ANY_NAME:
        return f"every {kinds} call"
    common = b if a == ANY_NAME else a if b == ANY_NAME else a & b
    if not common:
        return None
    return f"{kinds} calls named " + ", ".join(repr(n) for n in sorted(common))


def _intended(definition: PipelineDefinition) -> bool:
    return definition.output.get("duplicates") == INTENDED


def duplicate_problems(
    definitions: Sequence[PipelineDefinition], *, involving: str | None = None
) -> list[str]:
    """One sentence per pair of pipelines that send one event_name for the same messages
    (only the pairs with the pipeline named `involving`, when given)."""
    found: list[str] = []
    for first, second in combinations(definitions, 2):
        if involving is not None and involving not in (first.name, second.name):
            continue
        name = static_event_name(first)
        if name is None or name != static_event_name(second):
            continue
        if _intended(first) or _intended(second):
            continue
        both = _overlap(first, second)
        if both is not None:
            found.append(
                f"pipelines {first.name!r} ({first.origin}) and {second.name!r} "
                f"({second.origin}) both send {name!r} for {both}: Pinterest would get each "
                f"such message twice. Narrow one trigger, give yours the other's name to "
                f"replace it, or add `output: {{duplicates: intended}}` if you mean it"
            )
    return found


def duplicates_with_presets(definitions: Sequence[PipelineDefinition]) -> list[str]:
    """What `definitions` (e.g. files given to `pipeline check`) and the presets they do not
    replace would send twice, as an integration with default settings runs them."""
    layers = override(
        [Layered(d, "preset") for d in preset_definitions()],
        [Layered(d, "directory") for d in definitions],
    )
    return duplicate_problems([item.definition for item in layers])
